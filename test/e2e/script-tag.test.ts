import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium } from '../browser/harness.ts';
import { startWidgetSite, type WidgetSite } from './servers.ts';
import { launcher, messageBox, screenshot, transcript, typeMessage, waitForText, watchCsp } from './widget-page.ts';
import { TOOL_PAYLOAD } from './xss-flow.ts';

describe('the script tag build on a page with a strict Content-Security-Policy', () => {
  let browser: Browser;
  let site: WidgetSite;
  const contexts: BrowserContext[] = [];

  beforeAll(async () => {
    [browser, site] = await Promise.all([launchChromium(), startWidgetSite()]);
  }, 60_000);
  afterAll(async () => {
    await browser?.close();
    await site?.close();
  });
  afterEach(async () => {
    await Promise.all(contexts.splice(0).map((context) => context.close()));
  });

  async function open(path: string): Promise<{ page: Page; violations: () => Promise<string[]>; scripts: string[] }> {
    const context = await browser.newContext();
    contexts.push(context);
    const page = await context.newPage();
    const violations = await watchCsp(context, page);
    const scripts: string[] = [];
    page.on('request', (request) => {
      if (request.resourceType() === 'script') scripts.push(new URL(request.url()).pathname);
    });
    const response = await page.goto(`${site.url}${path}`);
    expect(response?.headers()['content-security-policy']).toBe(site.csp);
    await launcher(page).waitFor();
    return { page, violations, scripts };
  }

  it('mounts from the script tag, loads the rest on demand, and runs the flow with no CSP violation', async () => {
    const { page, violations, scripts } = await open('/script-tag.html');
    expect(scripts.slice(0, 2)).toEqual(['/statechat.js', '/page.js']);
    // The host page's hostile CSS reaches neither the launcher nor the panel.
    // Polled: when the page goes idle the app half takes over the launcher, which is re-rendered in place.
    await expect.poll(async () => (await launcher(page).boundingBox())?.width ?? Number.POSITIVE_INFINITY).toBeLessThan(80);

    await page.locator('#book').click();
    await messageBox(page).waitFor();
    expect(scripts).toContain('/statechat-app.js');
    await waitForText(page, 'How many people?');
    await screenshot(page, 'script-tag-csp');
    await typeMessage(page, 'We are 4 people');
    await waitForText(page, 'What day would you like to come?');
    expect(Number(await page.locator('#events').getAttribute('data-says'))).toBeGreaterThan(0);
    expect(await page.getByRole('dialog').getByRole('heading').textContent()).toBe('Bistro (script tag)');

    await page.evaluate(() => window.statechat?.close());
    await launcher(page).waitFor();
    await page.evaluate(() => window.statechat?.send('Tomorrow at 7pm'));
    await page.evaluate(() => window.statechat?.open());
    await waitForText(page, 'What name should I put the booking under?');
    expect(await violations()).toEqual([]);
  });

  it('works as <statechat-widget> with no CSP violation', async () => {
    const { page, violations } = await open('/element.html');
    await launcher(page).click();
    await waitForText(page, 'Welcome to Chez Statechat');
    expect(await page.getByRole('dialog').getByRole('heading').textContent()).toBe('Bistro (element)');
    await typeMessage(page, 'I want to make a reservation');
    await waitForText(page, 'How many people?');
    await page.evaluate(() => document.querySelector<HTMLElement & { close(): void }>('statechat-widget')?.close());
    await launcher(page).waitFor();
    expect(await violations()).toEqual([]);
  });

  it('renders payloads from the flow, a tool and the visitor as text', async () => {
    const { page, violations } = await open('/xss.html');
    await launcher(page).click();
    await waitForText(page, 'Pick one');
    await typeMessage(page, '<img src=x onerror="window.__xss = 6"><script>window.__xss = 7</script>');
    await page.getByRole('button', { name: '<img src=x onerror="window.__xss = 1">' }).click();
    await waitForText(page, 'The tool said:');
    await screenshot(page, 'xss-payloads');

    const found = await page.evaluate(() => {
      const root = document.querySelector('statechat-root')?.shadowRoot;
      const active = root ? [...root.querySelectorAll('img, script, iframe, object, embed, svg:not(.icon)')].map((element) => element.tagName) : ['no shadow root'];
      const handlers = root ? [...root.querySelectorAll('*')].flatMap((element) => element.getAttributeNames().filter((name) => name.startsWith('on'))) : [];
      const links = root ? [...root.querySelectorAll('a')].map((link) => link.getAttribute('href')) : [];
      return { xss: (window as unknown as { __xss?: number }).__xss ?? null, active, handlers, links };
    });
    expect(found).toEqual({ xss: null, active: [], handlers: [], links: [] });
    const text = await transcript(page).innerText();
    expect(text).toContain('<img src=x onerror="window.__xss = 2">');
    expect(text).toContain('<script>window.__xss = 7</script>');
    expect(TOOL_PAYLOAD).toContain('**bold**');
    expect(await transcript(page).locator('strong', { hasText: 'bold' }).count()).toBe(1);
    expect(await page.getByRole('dialog').getByRole('heading').textContent()).toBe('<img src=x onerror="window.__xss = 4"> Bistro');
    expect(await violations()).toEqual([]);
  });
});
