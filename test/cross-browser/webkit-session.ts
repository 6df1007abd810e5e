/**
 * WebKit: WebKitGTK's MiniBrowser (Debian's libwebkit2gtk-4.1-0) under
 * WebKitWebDriver (webkit2gtk-driver), on an Xvfb display, through
 * selenium-webdriver. The session starts both processes itself (Xvfb picks
 * a free display, the driver a free port) and always stops them.
 *
 * Classic WebDriver only: no offline emulation (the scenarios cut the relay
 * instead), no init scripts, one session at a time, windows rather than tabs.
 * MiniBrowser in automation mode keeps website data in memory for the
 * session: a private (ephemeral) session, as in Safari's private windows.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createServer } from 'node:net';
import { Builder, Key, type WebDriver, type WebElement } from 'selenium-webdriver';
import { findTarget, withFreshElement, type BrowserSession, type BrowserWindow, type Target } from './visitor.ts';

const MINIBROWSER_CANDIDATES = [
  '/usr/lib/x86_64-linux-gnu/webkit2gtk-4.1/MiniBrowser',
  '/usr/lib/aarch64-linux-gnu/webkit2gtk-4.1/MiniBrowser',
  '/usr/libexec/webkit2gtk-4.1/MiniBrowser',
];

function miniBrowserPath(): string {
  const found = process.env.MINIBROWSER_PATH ?? MINIBROWSER_CANDIDATES.find((path) => existsSync(path));
  if (!found) throw new Error('MiniBrowser not found: run `apt-get install -y webkit2gtk-driver xvfb` (bash .ci/run does), or set MINIBROWSER_PATH');
  return found;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

function stop(child: ChildProcess | null): Promise<void> {
  if (!child || child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), 3000);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    child.kill('SIGTERM');
  });
}

/** Xvfb on the first free display: it writes the display number to fd 3 once it accepts clients. */
function startXvfb(): Promise<{ process: ChildProcess; display: string }> {
  return new Promise((resolve, reject) => {
    const xvfb = spawn('Xvfb', ['-displayfd', '3', '-screen', '0', '1280x1024x24', '-nolisten', 'tcp'], { stdio: ['ignore', 'ignore', 'pipe', 'pipe'] });
    let stderr = '';
    xvfb.stderr?.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    xvfb.once('error', (error) => reject(new Error(`Xvfb could not start (${error.message}): run \`apt-get install -y xvfb\``)));
    xvfb.once('exit', (code) => reject(new Error(`Xvfb exited (${code}): ${stderr.slice(-500)}`)));
    let output = '';
    (xvfb.stdio[3] as NodeJS.ReadableStream).on('data', (chunk: Buffer) => {
      output += chunk.toString();
      const match = /^(\d+)\n/.exec(output);
      if (match) resolve({ process: xvfb, display: `:${match[1]}` });
    });
  });
}

async function waitForDriver(url: string, driver: ChildProcess): Promise<void> {
  const deadline = Date.now() + 20_000;
  for (;;) {
    if (driver.exitCode !== null) throw new Error(`WebKitWebDriver exited (${driver.exitCode})`);
    try {
      const response = await fetch(`${url}/status`);
      if (response.ok) return;
    } catch {
      // Not listening yet.
    }
    if (Date.now() > deadline) throw new Error('WebKitWebDriver did not answer within 20 s');
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

class WebKitWindow implements BrowserWindow {
  constructor(
    private readonly driver: WebDriver,
    readonly handle: string,
  ) {}

  private async focus(): Promise<void> {
    if ((await this.driver.getWindowHandle()) !== this.handle) await this.driver.switchTo().window(this.handle);
  }

  async goto(url: string): Promise<void> {
    await this.focus();
    await this.driver.get(url);
  }

  async reload(): Promise<void> {
    await this.focus();
    await this.driver.navigate().refresh();
  }

  async run<Result, Args extends unknown[]>(fn: (...args: Args) => Result, ...args: Args): Promise<Awaited<Result>> {
    await this.focus();
    return this.driver.executeScript<Awaited<Result>>(`return (${fn.toString()}).apply(null, arguments)`, ...args);
  }

  private async element(target: Target): Promise<WebElement> {
    const element: WebElement | null = await this.run(findTarget, target).then((found) => found as unknown as WebElement | null);
    if (!element) throw new Error(`no element for ${JSON.stringify(target)}`);
    return element;
  }

  click(target: Target): Promise<void> {
    return withFreshElement(async () => (await this.element(target)).click());
  }

  typeInto(target: Target, text: string): Promise<void> {
    return withFreshElement(async () => (await this.element(target)).sendKeys(text, Key.ENTER));
  }

  async screenshot(): Promise<Buffer> {
    await this.focus();
    return Buffer.from(await this.driver.takeScreenshot(), 'base64');
  }
}

export class WebKitSession implements BrowserSession {
  readonly name = 'webkit';
  /** WebKitGTK's version, known once a session has started. */
  browserVersion = '';
  private driver: WebDriver | null = null;
  private windows = 0;

  private constructor(
    private readonly xvfb: ChildProcess,
    private readonly webDriver: ChildProcess,
    private readonly serverUrl: string,
    private readonly binary: string,
  ) {}

  static async launch(): Promise<WebKitSession> {
    const binary = miniBrowserPath();
    const { process: xvfb, display } = await startXvfb();
    let webDriver: ChildProcess | null = null;
    try {
      const port = await freePort();
      webDriver = spawn('WebKitWebDriver', [`--port=${port}`], { env: { ...process.env, DISPLAY: display }, stdio: 'ignore' });
      webDriver.once('error', () => undefined);
      const serverUrl = `http://127.0.0.1:${port}`;
      // Should the test process end without `close()` (a crash), take the display and the driver with it.
      const started = [xvfb, webDriver];
      process.once('exit', () => {
        for (const child of started) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      });
      await waitForDriver(serverUrl, webDriver);
      return new WebKitSession(xvfb, webDriver, serverUrl, binary);
    } catch (error) {
      await Promise.all([stop(webDriver), stop(xvfb)]);
      throw error;
    }
  }

  /** One WebDriver session (one ephemeral profile) per test; its windows share it. */
  private async session(): Promise<WebDriver> {
    if (!this.driver) {
      this.driver = await new Builder()
        .usingServer(this.serverUrl)
        .withCapabilities({ browserName: 'MiniBrowser', 'webkitgtk:browserOptions': { binary: this.binary, args: ['--automation'] } })
        .build();
      this.browserVersion = String((await this.driver.getCapabilities()).get('browserVersion') ?? '');
      // MiniBrowser opens small: the open chat panel would cover the page's own controls.
      await this.driver.manage().window().setRect({ width: 1280, height: 900 });
      this.windows = 0;
    }
    return this.driver;
  }

  async open(url: string): Promise<WebKitWindow> {
    const driver = await this.session();
    if (this.windows > 0) {
      await driver.switchTo().newWindow('window');
      await driver.manage().window().setRect({ width: 1280, height: 900 });
    }
    this.windows += 1;
    const window = new WebKitWindow(driver, await driver.getWindowHandle());
    await window.goto(url);
    return window;
  }

  async closeWindows(): Promise<void> {
    const driver = this.driver;
    this.driver = null;
    await driver?.quit();
  }

  async close(): Promise<void> {
    await this.closeWindows().catch(() => undefined);
    await Promise.all([stop(this.webDriver), stop(this.xvfb)]);
  }
}
