import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium, serve, type Served } from './harness.ts';

describe('the engine and local NLU in Chromium under a strict CSP', () => {
  let browser: Browser;
  let served: Served;

  beforeAll(async () => {
    browser = await launchChromium();
    served = await serve(new URL('./pages/', import.meta.url));
  });

  afterAll(async () => {
    await browser?.close();
    await served?.close();
  });

  it('loads a flow, classifies locally and steps, with no eval', async () => {
    const page = await browser.newPage();
    const violations: string[] = [];
    page.on('console', (message) => {
      if (message.type() === 'error') violations.push(message.text());
    });
    // Vite's dev client needs no eval; anything that did would be refused and reported here.
    await page.route('**/smoke.html', async (route) => {
      const response = await route.fetch();
      await route.fulfill({ response, headers: { ...response.headers(), 'content-security-policy': "default-src 'self'; script-src 'self'; connect-src 'self' ws:" } });
    });
    await page.goto(`${served.url}/smoke.html`);
    await page.waitForFunction(() => document.body.dataset.state !== undefined, undefined, { timeout: 15_000 });
    expect(await page.evaluate(() => document.body.dataset.state)).toBe('CollectPartySize');
    expect(violations.filter((text) => /Content Security Policy|unsafe-eval/i.test(text))).toEqual([]);
  });
});
