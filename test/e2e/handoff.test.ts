/**
 * Live handoff in Chromium: the visitor on the script tag page under a
 * strict CSP, the agent in the console the relay serves at `/agent` (its own
 * strict CSP), each in their own browser context. Hand off, reply both ways,
 * reload on each side, an offline visitor catching up, a second tab, and
 * the agent closing back into the booking.
 */
import { existsSync } from 'node:fs';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { buildAgentConsole } from '../../packages/agent-console.ts';
import { AGENT_CONSOLE_CSP } from '../../relay/agent-console/serve.ts';
import { loadAgentConsole } from '../../relay/agent-console/load.ts';
import { launchChromium } from '../browser/harness.ts';
import { projectRoot } from '../bundle/build.ts';
import { startWidgetSite, type WidgetSite } from './servers.ts';
import { axeViolations, launcher, screenshot, transcript, typeMessage, waitForText, watchCsp } from './widget-page.ts';

const TOKEN = 'e2e-agent-token-0123456789abcdef';

describe('live handoff: the widget and the agent console', () => {
  let browser: Browser;
  let site: WidgetSite;
  const contexts: BrowserContext[] = [];

  beforeAll(async () => {
    // `npm test` builds the console with the packages; a lone run of this file builds it here.
    if (!existsSync(`${projectRoot}packages/statechat-relay/console/agent-console.js`)) await buildAgentConsole();
    const agentConsole = await loadAgentConsole();
    if (!agentConsole) throw new Error('the agent console was not built');
    [browser, site] = await Promise.all([launchChromium(), startWidgetSite({ relay: { handoff: { agentToken: TOKEN, console: agentConsole, heartbeatMs: 2000 } } })]);
  }, 120_000);
  afterAll(async () => {
    await browser?.close();
    await site?.close();
  });
  afterEach(async () => {
    await Promise.all(contexts.splice(0).map((context) => context.close()));
  });

  async function context(): Promise<BrowserContext> {
    const created = await browser.newContext({ viewport: { width: 1100, height: 800 } });
    contexts.push(created);
    return created;
  }

  /** Focuses the element with this accessible name by pressing Tab, as a keyboard user would (through shadow roots). */
  async function tabTo(page: Page, name: RegExp, limit = 30): Promise<void> {
    for (let presses = 0; presses < limit; presses += 1) {
      const focused = await page.evaluate(() => {
        let active: Element | null = document.activeElement;
        while (active?.shadowRoot?.activeElement) active = active.shadowRoot.activeElement;
        const label = active?.closest('label')?.textContent ?? '';
        return `${active?.getAttribute('aria-label') ?? ''} ${active?.textContent ?? ''} ${label}`.trim();
      });
      if (name.test(focused)) return;
      await page.keyboard.press('Tab');
    }
    throw new Error(`nothing named ${name} got focus by keyboard`);
  }

  /** Opens the panel through the page's API (after a reload it may already be open: the tab remembers). */
  async function openWidget(page: Page): Promise<void> {
    await page.waitForFunction(() => typeof window.statechat?.open === 'function');
    await page.evaluate(() => window.statechat?.open());
  }

  function consoleLog(page: Page) {
    return page.getByRole('log', { name: 'Transcript' });
  }

  it('a visitor asks for a person and gets one, with nothing lost across reloads, an offline spell and a second tab', async () => {
    const visitorContext = await context();
    const visitor = await visitorContext.newPage();
    const visitorViolations = await watchCsp(visitorContext, visitor);
    const agentContext = await context();
    const agent = await agentContext.newPage();
    const agentViolations = await watchCsp(agentContext, agent);

    // The agent signs in with the keyboard.
    const consolePage = await agent.goto(`${site.relayUrl}/agent`);
    expect(consolePage?.headers()['content-security-policy']).toBe(AGENT_CONSOLE_CSP);
    await agent.getByLabel('Agent token').waitFor();
    await agent.keyboard.type(TOKEN);
    await agent.keyboard.press('Enter');
    await agent.getByText('Nobody is waiting.').waitFor();

    // The visitor asks for a person.
    await visitor.goto(`${site.url}/script-tag.html`);
    await launcher(visitor).click();
    await waitForText(visitor, 'Welcome');
    await typeMessage(visitor, 'I want to talk to a human');
    await waitForText(visitor, 'A member of our staff will take it from here.');

    // It shows up on the console live; the agent opens it and answers, all by keyboard.
    const handoff = agent.getByRole('button', { name: /visitor asked for a person/ });
    await handoff.waitFor({ timeout: 15_000 });
    await tabTo(agent, /visitor asked for a person/);
    await agent.keyboard.press('Enter');
    await consoleLog(agent).getByText('I want to talk to a human').waitFor();
    await tabTo(agent, /Your name/);
    await agent.keyboard.type('Sam');
    await tabTo(agent, /^Reply/);
    await agent.keyboard.type('Hello, this is Sam from the restaurant.');
    await agent.keyboard.press('Enter');

    await waitForText(visitor, 'Sam joined the conversation.');
    await waitForText(visitor, 'Hello, this is Sam from the restaurant.');
    await typeMessage(visitor, 'Can I bring my dog on Saturday?');
    await consoleLog(agent).getByText('Can I bring my dog on Saturday?').waitFor();

    // The visitor reloads: the conversation is there, and the next message arrives.
    await visitor.reload();
    await openWidget(visitor);
    await waitForText(visitor, 'Hello, this is Sam from the restaurant.');
    await agent.getByRole('textbox', { name: /^Reply/ }).fill('Dogs are welcome on the terrace.');
    await agent.keyboard.press('Enter');
    await waitForText(visitor, 'Dogs are welcome on the terrace.');

    // The agent reloads: the transcript streams again from the start.
    await agent.reload();
    await agent.getByRole('button', { name: /visitor asked for a person/ }).click();
    await consoleLog(agent).getByText('Dogs are welcome on the terrace.').waitFor();

    // The visitor goes offline; what the agent writes meanwhile arrives when they are back, once.
    await visitorContext.setOffline(true);
    await agent.getByRole('textbox', { name: /^Reply/ }).fill('Are you still there?');
    await agent.keyboard.press('Enter');
    await consoleLog(agent).getByText('Are you still there?').waitFor();
    await typeMessage(visitor, 'Sorry, my train went into a tunnel');
    await visitorContext.setOffline(false);
    await waitForText(visitor, 'Are you still there?');
    await consoleLog(agent).getByText('Sorry, my train went into a tunnel').waitFor({ timeout: 15_000 });
    expect(await transcript(visitor).getByText('Are you still there?').count()).toBe(1);

    // A second tab shows the same conversation.
    const second = await visitorContext.newPage();
    await second.goto(`${site.url}/script-tag.html`);
    await openWidget(second);
    await waitForText(second, 'Are you still there?');
    await agent.getByRole('textbox', { name: /^Reply/ }).fill('Both your tabs see this.');
    await agent.keyboard.press('Enter');
    await waitForText(second, 'Both your tabs see this.');
    await waitForText(visitor, 'Both your tabs see this.');
    await second.close();

    await screenshot(visitor, 'handoff-visitor');
    await screenshot(agent, 'handoff-console');
    expect(await axeViolations(agent, '#statechat-agent-console')).toEqual([]);

    // The agent hands the visitor back to the booking.
    await agent.getByLabel('Then the conversation').selectOption('booking.resume');
    await agent.getByRole('button', { name: 'Close handoff' }).click();
    await agent.getByText('This handoff is closed.').waitFor();
    await waitForText(visitor, 'Sam left the conversation.');
    await waitForText(visitor, 'How many people?');
    await typeMessage(visitor, '2 people');
    await waitForText(visitor, 'What day would you like to come?');
    await agent.getByText('Nobody is waiting.').waitFor();

    expect(await visitorViolations()).toEqual([]);
    expect(await agentViolations()).toEqual([]);
  }, 180_000);

  it('refuses a wrong token on the console and asks again', async () => {
    const page = await (await context()).newPage();
    await page.goto(`${site.relayUrl}/agent`);
    await page.getByLabel('Agent token').fill('not-the-token');
    await page.keyboard.press('Enter');
    await page.getByRole('alert').getByText('The agent token was not accepted. Enter it again.').waitFor();
    expect(await page.getByLabel('Agent token').isVisible()).toBe(true);
  }, 60_000);
});
