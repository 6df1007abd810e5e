/**
 * The visitor's experience in Chromium, on a desktop and a phone viewport:
 * the script tag build with a real relay (`pages/ux.html`) and the demo.
 * Screenshots (light, dark, French, right-to-left, phone) go to
 * `test-results/screenshots/ux-*.png`.
 */
import type { Browser, BrowserContext, BrowserContextOptions, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium } from '../browser/harness.ts';
import { startDemoSite, startWidgetSite, type Site, type WidgetSite } from './servers.ts';
import { axeViolations, focusedName, launcher, messageBox, screenshot, transcript, typeMessage, waitForText } from './widget-page.ts';

const PHONE: BrowserContextOptions = { viewport: { width: 390, height: 760 }, isMobile: true, hasTouch: true, reducedMotion: 'reduce' };
const DESKTOP: BrowserContextOptions = { viewport: { width: 1280, height: 800 } };

/** Runs in the page: what the widget's shadow root shows. */
function widgetRoot(page: Page) {
  return page.locator('statechat-root');
}

describe('the visitor experience', () => {
  let browser: Browser;
  let widgetSite: WidgetSite;
  let demo: Site;
  const contexts: BrowserContext[] = [];

  beforeAll(async () => {
    [browser, widgetSite, demo] = await Promise.all([launchChromium(), startWidgetSite(), startDemoSite()]);
  }, 90_000);
  afterAll(async () => {
    await browser?.close();
    await Promise.all([widgetSite?.close(), demo?.close()]);
  });
  afterEach(async () => {
    await Promise.all(contexts.splice(0).map((context) => context.close()));
  });

  async function newContext(options: BrowserContextOptions): Promise<BrowserContext> {
    const context = await browser.newContext(options);
    contexts.push(context);
    return context;
  }

  async function openPage(url: string, options: BrowserContextOptions = DESKTOP): Promise<Page> {
    const page = await (await newContext(options)).newPage();
    await page.goto(url);
    return page;
  }

  async function openDemo(query = '', options: BrowserContextOptions = DESKTOP): Promise<Page> {
    const page = await openPage(`${demo.url}/${query}`, options);
    await page.waitForFunction(() => document.body.dataset.chatPhase === 'active');
    return page;
  }

  it('closed but alive: an unread count in the launcher name and a preview, remembered across a reload, with the open state', async () => {
    const page = await openPage(`${widgetSite.url}/ux.html`);
    await launcher(page).waitFor();
    await page.evaluate(() => window.statechat?.send('I want to make a reservation'));
    const unread = page.getByRole('button', { name: 'Open chat, 1 new message', exact: true });
    await unread.waitFor();
    await widgetRoot(page).locator('.preview-text', { hasText: 'How many people?' }).waitFor();
    expect(await axeViolations(page, 'statechat-root')).toEqual([]);
    await screenshot(page, 'ux-unread-preview');

    await page.reload();
    await unread.waitFor();
    await unread.click();
    await waitForText(page, 'How many people?');
    expect(await widgetRoot(page).locator('.subtitle').textContent()).toBe('Usually replies at once');
    expect(await widgetRoot(page).locator('.message.bot time').count()).toBeGreaterThan(0);
    await page.reload();
    // Left open: it comes back open, with nothing unread.
    await messageBox(page).waitFor();
    await waitForText(page, 'How many people?');
    await page.keyboard.press('Escape');
    await launcher(page).waitFor();
  });

  it('fires host-page events in the tab where the visitor acted', async () => {
    const context = await newContext(DESKTOP);
    const first = await context.newPage();
    await first.goto(`${widgetSite.url}/ux.html`);
    await launcher(first).click();
    await waitForText(first, 'Welcome to Chez Statechat');
    const second = await context.newPage();
    await second.goto(`${widgetSite.url}/ux.html`);
    await launcher(second).click();
    await waitForText(second, 'Welcome to Chez Statechat');
    const listen = (page: Page) =>
      page.evaluate(() => {
        const counts = { ask: 0 };
        (window as unknown as { __asks: typeof counts }).__asks = counts;
        window.statechat?.on('ask', () => {
          counts.ask += 1;
        });
      });
    const asks = (page: Page) => page.evaluate(() => (window as unknown as { __asks: { ask: number } }).__asks.ask);
    await Promise.all([listen(first), listen(second)]);
    await typeMessage(second, 'I want to make a reservation');
    await waitForText(second, 'How many people?');
    await expect.poll(() => asks(second)).toBe(1);
    await waitForText(first, 'How many people?');
    expect(await asks(first)).toBe(0);
    // And the other way round.
    await typeMessage(first, 'We are 4 people');
    await waitForText(first, 'What day would you like to come?');
    await expect.poll(() => asks(first)).toBe(1);
    expect(await asks(second)).toBe(1);
  });

  it('puts quick replies under their question, 44 px tall on a touch phone, in a modal panel that keeps focus and the page still', async () => {
    const page = await openPage(`${widgetSite.url}/ux.html`, PHONE);
    await launcher(page).click();
    const dialog = page.getByRole('dialog');
    await waitForText(page, 'Welcome to Chez Statechat');
    expect(await dialog.getAttribute('aria-modal')).toBe('true');
    // No keyboard popping over the conversation on open.
    expect(await page.evaluate(() => document.querySelector('statechat-root')?.shadowRoot?.activeElement?.getAttribute('role'))).toBe('dialog');
    expect(await page.evaluate(() => document.documentElement.style.overflow)).toBe('hidden');
    expect(await messageBox(page).evaluate((box) => getComputedStyle(box).fontSize)).toBe('16px');
    // The hostile page is wider than the phone (its buttons are 400 px): the panel still fits the screen, not the page.
    expect(await page.evaluate(() => window.innerWidth)).toBeGreaterThan(390);
    const panelBox = await dialog.boundingBox();
    expect(panelBox).toMatchObject({ x: 0, width: 390 });

    await typeMessage(page, 'I want to make a reservation');
    await waitForText(page, 'How many people?');
    const group = transcript(page).getByRole('group', { name: 'Quick replies' });
    await group.waitFor();
    const question = await transcript(page).getByText('How many people?').last().boundingBox();
    const chips = await group.getByRole('button').all();
    for (const chip of chips) expect((await chip.boundingBox())?.height).toBeGreaterThanOrEqual(44);
    const first = await chips[0]!.boundingBox();
    expect(first!.y - (question!.y + question!.height)).toBeLessThan(60);
    expect(await axeViolations(page, 'statechat-root')).toEqual([]);
    await screenshot(page, 'ux-phone-quick-replies');

    for (let presses = 0; presses < 12; presses++) {
      await page.keyboard.press('Tab');
      expect(await page.evaluate(() => document.activeElement?.tagName)).toBe('STATECHAT-ROOT');
    }
    await page.getByRole('button', { name: 'Close chat' }).click();
    // The page's scroll comes back once the panel has closed (an effect after the click, not within it).
    await page.waitForFunction(() => document.documentElement.style.overflow === '', undefined, { timeout: 5000 });
  });

  it('safe controls: Send only with text, Shift+Enter for a new line, a counter near the limit, restart only after confirming', async () => {
    const page = await openDemo();
    await launcher(page).click();
    await waitForText(page, 'Welcome to Chez Statechat');
    const send = page.getByRole('button', { name: 'Send', exact: true });
    expect(await send.isDisabled()).toBe(true);
    await messageBox(page).focus();
    await page.keyboard.type('first line');
    await page.keyboard.press('Shift+Enter');
    await page.keyboard.type('second line');
    expect(await messageBox(page).inputValue()).toBe('first line\nsecond line');
    expect(await send.isDisabled()).toBe(false);
    await messageBox(page).fill('x'.repeat(1995));
    await widgetRoot(page).getByText('5 characters left').waitFor();
    await messageBox(page).fill('');

    await page.getByRole('button', { name: 'Start over', exact: true }).click();
    await widgetRoot(page).getByText('Start over? This conversation will be cleared.').waitFor();
    expect(await focusedName(page)).toBe('Cancel');
    await page.keyboard.press('Enter');
    expect(await widgetRoot(page).getByText('Start over? This conversation will be cleared.').count()).toBe(0);
    await waitForText(page, 'Welcome to Chez Statechat');
  });

  it('a tool outage is retried and the visitor told; the booking completes, shows its reference on one line, and nothing hands off', async () => {
    const page = await openDemo();
    await launcher(page).click();
    for (const [say, reply] of [
      ['I want to make a reservation', 'How many people?'],
      ['We are 4 people', 'What day would you like to come?'],
      ['Tomorrow at 7pm', 'What name should I put the booking under?'],
      ['My name is John Doe, phone 555-1234', 'Shall I book it?'],
    ] as const) {
      await typeMessage(page, say);
      await waitForText(page, reply);
    }
    await page.locator('#reachable').uncheck();
    await transcript(page).getByRole('button', { name: 'Yes, book it' }).click();
    await widgetRoot(page).getByText('Our system is not answering yet. We keep trying, and your conversation is saved.').waitFor();
    expect(await widgetRoot(page).locator('.typing').count()).toBe(0);
    await screenshot(page, 'ux-tool-outage');
    await page.locator('#reachable').check();
    await waitForText(page, "You're booked!");
    expect(await page.evaluate(() => document.body.dataset.chatState)).toBe('Confirmed');
    expect(await widgetRoot(page).getByText('Our system is not answering yet').count()).toBe(0);

    // The confirmation is a card in the log: its fields as a description list, the reference on one line with a copy button.
    const card = transcript(page).locator('.message.bot .card');
    expect(await card.locator('.card-title').textContent()).toBe("You're booked!");
    expect(await card.locator('dt').allTextContents()).toEqual(['Date', 'Time', 'Guests', 'Name', 'Reference']);
    const values = await card.locator('dd').allTextContents();
    expect(values.slice(2, 4)).toEqual(['4', 'John Doe']);
    const reference = card.locator('dd .nobreak').filter({ hasText: /^R-\d{8}-\d{4}-\d{3}$/ });
    expect(await reference.count()).toBe(1);
    const lines = await reference.evaluate((element) => element.getClientRects().length);
    expect(lines).toBe(1);
    await page.context().grantPermissions(['clipboard-read', 'clipboard-write'], { origin: demo.url });
    const copy = card.getByRole('button', { name: 'Copy Reference', exact: true });
    await copy.click();
    await card.getByRole('button', { name: 'Copied Reference', exact: true }).waitFor();
    expect(await card.getByRole('status').textContent()).toBe('Copied');
    expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(await reference.textContent());
    expect(await card.getByRole('link', { name: 'Call us (opens in a new tab)', exact: true }).getAttribute('href')).toBe('tel:+442079460958');
    expect(await axeViolations(page, 'statechat-root')).toEqual([]);
    await screenshot(page, 'ux-booking-card');
  }, 60_000);

  it('speaks French with ?lang=fr, keeps right-to-left for Arabic, and passes axe in light and dark, with the demo page', async () => {
    const french = await openDemo('?lang=fr');
    const launcherFr = french.getByRole('button', { name: 'Ouvrir le chat', exact: true });
    await launcherFr.click();
    await french.getByRole('textbox', { name: 'Message', exact: true }).waitFor();
    await french.getByRole('button', { name: 'Fermer le chat', exact: true }).waitFor();
    await french.getByRole('button', { name: 'Envoyer', exact: true }).waitFor();
    await french.getByText('Réservations, répond en général tout de suite').waitFor();
    expect(await axeViolations(french, 'statechat-root')).toEqual([]);
    await screenshot(french, 'ux-french');

    const rtl = await openDemo('?lang=ar&open');
    await messageBox(rtl).waitFor();
    expect(await widgetRoot(rtl).locator('.root').getAttribute('dir')).toBe('rtl');
    const panel = await rtl.getByRole('dialog').boundingBox();
    // Logical position: the panel sits at the inline end, the left in right-to-left.
    expect(panel!.x).toBeLessThan(100);
    expect(await axeViolations(rtl, 'statechat-root')).toEqual([]);
    await screenshot(rtl, 'ux-rtl');

    for (const scheme of ['light', 'dark'] as const) {
      const page = await openDemo(`?scheme=${scheme}`);
      await page.emulateMedia({ colorScheme: scheme });
      expect(await axeViolations(page, 'body')).toEqual([]);
      await launcher(page).click();
      await typeMessage(page, 'I want to make a reservation');
      await waitForText(page, 'How many people?');
      expect(await axeViolations(page, 'statechat-root')).toEqual([]);
      await screenshot(page, `ux-${scheme}`);
    }
    const phone = await openDemo('?scheme=dark&open', PHONE);
    await waitForText(phone, 'Welcome to Chez Statechat');
    await screenshot(phone, 'ux-phone-dark');
  }, 60_000);
});
