/**
 * Firefox (Debian's firefox-esr) driven over WebDriver BiDi by
 * playwright-core 1.64.1, installed beside the Chromium one as
 * `playwright-core-firefox`: 1.65 sends `emulation.setMediaFeaturesOverride`,
 * which Firefox 153 does not know, and cannot open a page.
 */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { firefox, type Browser, type BrowserContext, type ElementHandle, type Page } from 'playwright-core-firefox';
import { findTarget, withFreshElement, type BrowserSession, type BrowserWindow, type Target } from './visitor.ts';

function firefoxPath(): string {
  const fromEnvironment = process.env.FIREFOX_PATH;
  if (fromEnvironment) return fromEnvironment;
  for (const name of ['firefox-esr', 'firefox']) {
    try {
      const found = execFileSync('which', [name], { encoding: 'utf8' }).trim();
      if (found && existsSync(found)) return found;
    } catch {
      // Not on PATH: try the next name.
    }
  }
  throw new Error('Firefox not found: run `apt-get install -y firefox-esr` (bash .ci/run does), or set FIREFOX_PATH');
}

class FirefoxWindow implements BrowserWindow {
  constructor(readonly page: Page) {}

  async goto(url: string): Promise<void> {
    await this.page.goto(url);
  }

  async reload(): Promise<void> {
    await this.page.reload();
  }

  run<Result, Args extends unknown[]>(fn: (...args: Args) => Result, ...args: Args): Promise<Awaited<Result>> {
    // Playwright passes one argument: spread it back in the page.
    return this.page.evaluate(`(${fn.toString()})(...${JSON.stringify(args)})`) as Promise<Awaited<Result>>;
  }

  private async element(target: Target): Promise<ElementHandle<Element>> {
    const handle = await this.page.evaluateHandle(findTarget, target);
    const element = handle.asElement();
    if (!element) {
      await handle.dispose();
      throw new Error(`no element for ${JSON.stringify(target)}`);
    }
    return element as ElementHandle<Element>;
  }

  click(target: Target): Promise<void> {
    return withFreshElement(async () => {
      const element = await this.element(target);
      try {
        await element.click();
      } finally {
        await element.dispose();
      }
    });
  }

  async typeInto(target: Target, text: string): Promise<void> {
    await withFreshElement(async () => {
      const element = await this.element(target);
      try {
        await element.focus();
      } finally {
        await element.dispose();
      }
    });
    await this.page.keyboard.type(text);
    await this.page.keyboard.press('Enter');
  }

  screenshot(): Promise<Buffer> {
    return this.page.screenshot();
  }
}

export class FirefoxSession implements BrowserSession {
  readonly name = 'firefox';
  private context: BrowserContext | null = null;

  private constructor(private readonly browser: Browser) {}

  static async launch(): Promise<FirefoxSession> {
    const browser = await firefox.launch({ channel: 'moz-firefox', executablePath: firefoxPath(), headless: true });
    return new FirefoxSession(browser);
  }

  /** One profile per test (like a fresh visitor); its pages share IndexedDB, locks and BroadcastChannel. */
  private async currentContext(): Promise<BrowserContext> {
    this.context ??= await this.browser.newContext();
    return this.context;
  }

  async open(url: string): Promise<FirefoxWindow> {
    const page = await (await this.currentContext()).newPage();
    await page.goto(url);
    return new FirefoxWindow(page);
  }

  async closeWindows(): Promise<void> {
    const context = this.context;
    this.context = null;
    await context?.close();
  }

  async setOffline(offline: boolean): Promise<void> {
    await (await this.currentContext()).setOffline(offline);
  }

  async close(): Promise<void> {
    await this.closeWindows().catch(() => undefined);
    await this.browser.close();
  }
}
