import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium } from '../browser/harness.ts';
import { startDemoSite, type Site } from './servers.ts';
import {
  axeViolations,
  focusedName,
  launcher,
  messageBox,
  screenshot,
  statusOf,
  tabTo,
  transcript,
  typeMessage,
  waitForStatus,
  waitForText,
} from './widget-page.ts';

/** The origin document's sample conversation, with what the bot asks next. */
const BOOKING = [
  { say: 'I want to make a reservation', reply: 'How many people?' },
  { say: 'We are 4 people', reply: 'What day would you like to come?' },
  { say: 'Tomorrow at 7pm', reply: 'What name should I put the booking under?' },
  { say: 'My name is John Doe, phone 555-1234', reply: 'Shall I book it?' },
];

describe('the demo site', () => {
  let browser: Browser;
  let site: Site;
  const contexts: BrowserContext[] = [];

  beforeAll(async () => {
    [browser, site] = await Promise.all([launchChromium(), startDemoSite()]);
  }, 60_000);
  afterAll(async () => {
    await browser?.close();
    await site?.close();
  });
  afterEach(async () => {
    await Promise.all(contexts.splice(0).map((context) => context.close()));
  });

  async function openDemo(options: Parameters<Browser['newContext']>[0] = {}, query = ''): Promise<{ context: BrowserContext; page: Page }> {
    const context = await browser.newContext(options);
    contexts.push(context);
    const page = await context.newPage();
    await page.goto(`${site.url}/${query}`);
    await launcher(page).waitFor();
    await page.waitForFunction(() => document.body.dataset.chatPhase === 'active');
    return { context, page };
  }

  async function book(page: Page, steps = BOOKING): Promise<void> {
    for (const step of steps) {
      await typeMessage(page, step.say);
      await waitForText(page, step.reply);
    }
  }

  it('books a table with the keyboard alone, and Escape gives focus back to the launcher', async () => {
    const { page } = await openDemo();
    await screenshot(page, 'closed');
    await tabTo(page, 'Open chat');
    await page.keyboard.press('Enter');
    await messageBox(page).waitFor();
    expect(await focusedName(page)).toBe('Message');
    await waitForText(page, 'Welcome to Chez Statechat');
    await screenshot(page, 'open');

    await book(page, BOOKING.slice(0, 2));
    await screenshot(page, 'mid-flow');
    await book(page, BOOKING.slice(2));
    await tabTo(page, 'Yes, book it', true);
    await page.keyboard.press('Enter');
    await waitForText(page, "You're booked!");
    await page.locator('#confirmation').getByText('Booking confirmed').waitFor();
    expect(await page.locator('[data-tool="CreateBooking"]').getAttribute('data-runs')).toBe('1');
    await screenshot(page, 'confirmed');

    await page.keyboard.press('Escape');
    await launcher(page).waitFor();
    expect(await focusedName(page)).toBe('Open chat');
    expect(await messageBox(page).count()).toBe(0);
  }, 40_000);

  it('resumes the conversation after a reload in the middle', async () => {
    const { page } = await openDemo();
    await launcher(page).click();
    await book(page, BOOKING.slice(0, 2));
    await page.reload();
    await page.waitForFunction(() => document.body.dataset.chatState === 'CollectDateTime');
    // Left open, it comes back open.
    await messageBox(page).waitFor();
    await waitForText(page, 'We are 4 people');
    await waitForText(page, 'What day would you like to come?');
    await book(page, BOOKING.slice(2));
    expect(await page.evaluate(() => document.body.dataset.chatState)).toBe('Confirm');
  });

  it('queues a message while offline, delivers it when back online, and books once', async () => {
    const { context, page } = await openDemo();
    await launcher(page).click();
    await book(page, BOOKING.slice(0, 2));

    // Dates are read by the relay's parsers, so this message has to wait for the network.
    await context.setOffline(true);
    await page.getByRole('status').getByText('You are offline').waitFor();
    await typeMessage(page, BOOKING[2]!.say);
    await waitForStatus(page, BOOKING[2]!.say, ['queued']);
    await transcript(page).getByText('Queued').waitFor();
    await screenshot(page, 'offline');
    await context.setOffline(false);
    await waitForText(page, BOOKING[2]!.reply);
    expect(await statusOf(page, BOOKING[2]!.say)).toMatch(/sent|answered/);
    await book(page, BOOKING.slice(3));

    // The booking itself, asked for offline: the tool call waits in the outbox and runs once.
    await context.setOffline(true);
    await tabTo(page, 'Yes, book it', true);
    await page.keyboard.press('Enter');
    await page.waitForFunction(() => document.querySelector('[data-key="queued"]')?.textContent !== '0');
    await context.setOffline(false);
    await waitForText(page, "You're booked!");
    await page.waitForTimeout(300);
    expect(await page.locator('[data-tool="CreateBooking"]').getAttribute('data-runs')).toBe('1');
  });

  it('shares one conversation between two tabs', async () => {
    const { context, page: first } = await openDemo();
    await launcher(first).click();
    await typeMessage(first, BOOKING[0]!.say);
    await waitForText(first, BOOKING[0]!.reply);

    const second = await context.newPage();
    await second.goto(`${site.url}/`);
    await launcher(second).click();
    await waitForText(second, BOOKING[0]!.reply);
    await typeMessage(second, BOOKING[1]!.say);
    await waitForText(second, BOOKING[1]!.reply);
    await waitForText(first, BOOKING[1]!.say);
    await waitForText(first, BOOKING[1]!.reply);
    const count = (page: Page) => page.locator('.message.user').count();
    expect(await count(first)).toBe(2);
    expect(await count(second)).toBe(2);
  });

  it('has no axe violations, closed, open with quick replies, and in dark mode', async () => {
    const { page } = await openDemo();
    expect(await axeViolations(page, 'statechat-root')).toEqual([]);
    await launcher(page).click();
    await typeMessage(page, BOOKING[0]!.say);
    await waitForText(page, BOOKING[0]!.reply);
    await page.getByRole('group', { name: 'Quick replies' }).waitFor();
    expect(await axeViolations(page, 'statechat-root')).toEqual([]);
    await page.emulateMedia({ colorScheme: 'dark' });
    expect(await axeViolations(page, 'statechat-root')).toEqual([]);
    await screenshot(page, 'dark-mode');
  });

  it('fills the screen on a phone', async () => {
    const { page } = await openDemo({ viewport: { width: 390, height: 760 }, isMobile: true, hasTouch: true, reducedMotion: 'reduce' });
    await launcher(page).click();
    await waitForText(page, 'Welcome to Chez Statechat');
    const panel = await page.getByRole('dialog').boundingBox();
    expect(panel).toMatchObject({ x: 0, y: 0, width: 390 });
    expect(panel?.height).toBeCloseTo(760, 0);
    await screenshot(page, 'mobile');
  });

  it('hands off to a person: Sam joins through the in-page relay, answers, and hands the visitor back to the booking', async () => {
    const { page } = await openDemo();
    await launcher(page).click();
    await typeMessage(page, 'I want to talk to a person');
    await waitForText(page, 'Sam joined the conversation.');
    await waitForText(page, "Hi, I'm Sam from Chez Statechat. How can I help?");
    await screenshot(page, 'handoff-joined');
    await typeMessage(page, 'Do you have a high chair for my daughter?');
    await waitForText(page, "I'll hand you back to our booking assistant now.");
    // The agent's close sends the flow's `booking.resume`: the booking goes on where it began.
    await waitForText(page, 'How many people?');
    await page.waitForFunction(() => document.body.dataset.chatState === 'CollectPartySize');
    expect(await axeViolations(page, 'statechat-root')).toEqual([]);
    await book(page, BOOKING.slice(1, 2));
  }, 40_000);

  it('with ?staff=off nobody can join, and the chat gives the restaurant\'s number at once', async () => {
    const { page } = await openDemo({}, '?staff=off');
    await launcher(page).click();
    await typeMessage(page, 'I want to talk to a person');
    await waitForText(page, 'nobody from the team is free right now');
    await waitForText(page, 'What number should we call you back on?');
    await typeMessage(page, '07700 900123');
    await waitForText(page, '+447700900123');
  });

  it('shows the recovery when the mock LLM misreads a message marked (HANG ON)', async () => {
    const { page } = await openDemo();
    await launcher(page).click();
    await book(page, BOOKING.slice(0, 1));
    await typeMessage(page, 'We are 4 people (HANG ON)');
    await waitForText(page, 'I can book a table for you');
    await typeMessage(page, 'We are 4 people');
    await waitForText(page, 'What day would you like to come?');
  });
});
