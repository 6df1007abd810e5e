/**
 * The cross-browser slice: what a visitor does with the widget, run the same
 * way in every browser whose test file calls `browserScenarios`. The sites
 * (one demo build, one script-tag build, one relay) are started once for all
 * browsers by `global-setup.ts`.
 */
import { randomUUID } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { afterAll, afterEach, beforeAll, describe, expect, inject, it } from 'vitest';
import { TOOL_PAYLOAD } from '../e2e/xss-flow.ts';
import { CSP_REPORT_PATH } from './global-setup.ts';
import {
  chooseReply,
  openChat,
  saveScreenshot,
  say,
  SCREENSHOTS,
  userMessage,
  waitForStatus,
  waitForText,
  waitForWidget,
  waitUntil,
  widget,
  type BrowserSession,
  type BrowserWindow,
} from './visitor.ts';

/** The origin document's sample conversation, with what the bot asks next. */
const BOOKING = [
  { say: 'I want to make a reservation', reply: 'How many people?' },
  { say: 'We are 4 people', reply: 'What day would you like to come?' },
  { say: 'Tomorrow at 7pm', reply: 'What name should I put the booking under?' },
  { say: 'My name is John Doe, phone 555-1234', reply: 'Shall I book it?' },
] as const;

const TEST_TIMEOUT_MS = 90_000;

function pageData(window: BrowserWindow): Promise<{ phase: string | undefined; state: string | undefined }> {
  return window.run(() => ({ phase: document.body.dataset.chatPhase, state: document.body.dataset.chatState }));
}

async function book(window: BrowserWindow, steps: readonly { say: string; reply: string }[]): Promise<void> {
  for (const step of steps) {
    await say(window, step.say);
    await waitForText(window, step.reply);
  }
}

/** Sets the demo's "Relay reachable" box with a real click (the demo's relay runs in the page). */
async function setRelayReachable(window: BrowserWindow, reachable: boolean): Promise<void> {
  const checked = await window.run(() => (document.getElementById('reachable') as HTMLInputElement).checked);
  if (checked !== reachable) await window.click({ in: 'page', css: '#reachable' });
  await waitUntil(() => window.run(() => (document.getElementById('reachable') as HTMLInputElement).checked), (now) => now === reachable, 'the relay toggle');
}

function queuedCount(window: BrowserWindow): Promise<string | null> {
  return window.run(() => document.querySelector('[data-key="queued"]')?.textContent ?? null);
}

interface CspReport {
  'csp-report'?: { 'document-uri'?: string; 'violated-directive'?: string; 'effective-directive'?: string; 'blocked-uri'?: string };
}

/** The violation reports the pages of this run (`?run=<id>`) sent to the site. */
async function cspReports(widgetUrl: string, run: string): Promise<string[]> {
  const response = await fetch(`${widgetUrl}${CSP_REPORT_PATH}`);
  const reports = (await response.json()) as CspReport[];
  return reports
    .map((report) => report['csp-report'])
    .filter((report) => report?.['document-uri']?.includes(`run=${run}`))
    .map((report) => `${report?.['effective-directive'] ?? report?.['violated-directive']} ${report?.['blocked-uri'] ?? ''}`.trim());
}

/**
 * Checks the CSP reports of one page: a violation the test causes on purpose
 * (a `style` attribute, which `style-src 'self'` forbids) must arrive, which
 * proves reports reach the site, and it must be the only one. Runs before any
 * screenshot: Firefox reports the driver's screenshot styles too.
 */
async function expectOnlyTheControlViolation(window: BrowserWindow, widgetUrl: string, run: string): Promise<void> {
  await window.run(() => document.body.setAttribute('style', 'outline: 0'));
  const reports = await waitUntil(() => cspReports(widgetUrl, run), (found) => found.some((line) => line.startsWith('style-src')), 'the control CSP report');
  // Reports travel on their own: give any other one time to arrive too.
  await new Promise((resolve) => setTimeout(resolve, 500));
  const all = await cspReports(widgetUrl, run);
  expect(reports.length).toBeGreaterThan(0);
  expect(all.filter((line) => !/^style-src(-attr)?\b/.test(line))).toEqual([]);
  expect(all.filter((line) => /^style-src(-attr)?\b/.test(line))).toHaveLength(1);
}

export interface ScenarioOptions {
  /** The driver can emulate offline (Firefox); otherwise relay loss is the relay toggle only. */
  offline: boolean;
}

export function browserScenarios(launch: () => Promise<BrowserSession>, options: ScenarioOptions): void {
  let session: BrowserSession;
  const sites = inject('crossBrowserSites');

  beforeAll(async () => {
    session = await launch();
  }, 120_000);
  afterAll(async () => {
    await session?.close();
  }, 60_000);
  afterEach(async () => {
    await session?.closeWindows();
  }, 30_000);

  async function openDemo(query = ''): Promise<BrowserWindow> {
    const window = await session.open(`${sites.demoUrl}/${query}`);
    await waitUntil(() => pageData(window), (data) => data.phase === 'active', 'the demo chat to be active');
    return window;
  }

  describe('the demo', () => {
    it(
      'books a table from the first message to the booking',
      async () => {
        const window = await openDemo();
        await openChat(window);
        await waitForText(window, 'Welcome to Chez Statechat');
        await book(window, BOOKING);
        await chooseReply(window, 'Yes, book it');
        await waitForText(window, "You're booked!");
        await waitUntil(() => window.run(() => document.getElementById('confirmation')?.textContent ?? ''), (text) => text.includes('Booking confirmed'), 'the confirmation');
        expect(await window.run(() => document.querySelector('[data-tool="CreateBooking"]')?.getAttribute('data-runs') ?? null)).toBe('1');
        const view = await widget(window);
        expect(view?.users.map((message) => message.status)).toEqual(['answered', 'answered', 'answered', 'answered', 'answered']);
        await saveScreenshot(session, window, 'booked');
      },
      TEST_TIMEOUT_MS,
    );

    it(
      'resumes the conversation after a reload in the middle',
      async () => {
        const window = await openDemo();
        await openChat(window);
        await book(window, BOOKING.slice(0, 2));
        await window.reload();
        await waitUntil(() => pageData(window), (data) => data.state === 'CollectDateTime', 'the restored state');
        await openChat(window);
        await waitForText(window, 'We are 4 people');
        await waitForText(window, 'What day would you like to come?');
        await book(window, BOOKING.slice(2));
        expect((await pageData(window)).state).toBe('Confirm');
      },
      TEST_TIMEOUT_MS,
    );

    it(
      'says queued while the relay cannot be reached, delivers on recovery; a failure for good ends the typing and can be retried',
      async () => {
        const window = await openDemo();
        await openChat(window);
        await book(window, BOOKING.slice(0, 2));

        await setRelayReachable(window, false);
        await say(window, BOOKING[2].say);
        const queued = await waitForStatus(window, BOOKING[2].say, ['queued']);
        expect(userMessage(queued, BOOKING[2].say)?.label).toMatch(/^Queued/);
        expect(queued.typing).toBe(true);
        await setRelayReachable(window, true);
        await waitForText(window, BOOKING[2].reply);
        expect(userMessage((await widget(window))!, BOOKING[2].say)?.status).toBe('answered');

        // Cut off long enough for every attempt to fail: the message fails for good.
        await setRelayReachable(window, false);
        await say(window, BOOKING[3].say);
        const failed = await waitForStatus(window, BOOKING[3].say, ['failed']);
        expect(userMessage(failed, BOOKING[3].say)?.label).toMatch(/^Not sent/);
        await waitForWidget(window, (view) => !view.typing, 'the typing indicator to end');
        await waitUntil(() => queuedCount(window), (count) => count === '0', 'nothing queued');
        await setRelayReachable(window, true);
        await window.click({ in: 'widget', css: '[role="log"] button', text: 'Retry' });
        await waitForText(window, BOOKING[3].reply);
      },
      TEST_TIMEOUT_MS,
    );

    it.runIf(options.offline)(
      'queues a message while offline and delivers it once back online',
      async () => {
        const window = await openDemo();
        await openChat(window);
        await book(window, BOOKING.slice(0, 2));
        await session.setOffline?.(true);
        await waitForWidget(window, (view) => view.log !== '' && view.open, 'the panel');
        await say(window, BOOKING[2].say);
        const queued = await waitForStatus(window, BOOKING[2].say, ['queued']);
        expect(userMessage(queued, BOOKING[2].say)?.label).toMatch(/^Queued/);
        await session.setOffline?.(false);
        await waitForText(window, BOOKING[2].reply);
        await book(window, BOOKING.slice(3));
      },
      TEST_TIMEOUT_MS,
    );

    it(
      'shares one conversation between two windows',
      async () => {
        const first = await openDemo();
        await openChat(first);
        await say(first, BOOKING[0].say);
        await waitForText(first, BOOKING[0].reply);

        const second = await openDemo();
        await openChat(second);
        await waitForText(second, BOOKING[0].reply);
        await say(second, BOOKING[1].say);
        await waitForText(second, BOOKING[1].reply);
        await waitForText(first, BOOKING[1].reply);
        const users = async (window: BrowserWindow) => (await widget(window))?.users.map((message) => message.text);
        expect(await users(first)).toEqual([BOOKING[0].say, BOOKING[1].say]);
        expect(await users(second)).toEqual([BOOKING[0].say, BOOKING[1].say]);
      },
      TEST_TIMEOUT_MS,
    );
  });

  describe('what the engine offers, and the fallbacks where it lacks something', () => {
    it(
      'reports IndexedDB, Web Locks, BroadcastChannel and constructable stylesheets, and the widget uses what is there',
      async () => {
        const window = await openDemo();
        const features = await window.run(async () => {
          const indexedDbWorks = await new Promise<boolean>((resolve) => {
            try {
              const request = indexedDB.open('statechat-probe', 1);
              request.onupgradeneeded = () => request.result.createObjectStore('probe');
              request.onsuccess = () => {
                const database = request.result;
                const put = database.transaction('probe', 'readwrite').objectStore('probe').put('value', 'key');
                put.onsuccess = () => {
                  database.close();
                  indexedDB.deleteDatabase('statechat-probe');
                  resolve(true);
                };
                put.onerror = () => resolve(false);
              };
              request.onerror = () => resolve(false);
            } catch {
              resolve(false);
            }
          });
          return {
            secureContext: globalThis.isSecureContext,
            indexedDB: indexedDbWorks,
            locks: typeof navigator.locks?.request === 'function',
            broadcastChannel: typeof BroadcastChannel === 'function',
            adoptedStyleSheets: 'adoptedStyleSheets' in ShadowRoot.prototype,
            requestBody: 'body' in Request.prototype,
          };
        });
        const storage = await window.run(() => document.querySelector('[data-key="storage"]')?.textContent ?? null);
        mkdirSync(SCREENSHOTS, { recursive: true });
        writeFileSync(`${SCREENSHOTS}/../${session.name}-features.json`, `${JSON.stringify({ ...features, widgetStorage: storage }, null, 2)}\n`);
        // A private (ephemeral) profile: IndexedDB lives in memory for the session, and the widget keeps using it.
        expect(storage).toBe(features.indexedDB ? 'indexeddb' : 'memory');
        const styles = await window.run(() => {
          const root = document.querySelector('statechat-root')?.shadowRoot;
          return { adopted: root && 'adoptedStyleSheets' in root ? root.adoptedStyleSheets.length : null, elements: root?.querySelectorAll('[data-statechat-styles]').length ?? null };
        });
        // One constructed sheet per part of the UI (launcher, panel, …), or one element per sheet where they cannot be adopted.
        if (features.adoptedStyleSheets) {
          expect(styles.elements).toBe(0);
          expect(styles.adopted).toBeGreaterThanOrEqual(2);
        } else {
          expect(styles.adopted).toBeNull();
          expect(styles.elements).toBeGreaterThanOrEqual(2);
        }
      },
      TEST_TIMEOUT_MS,
    );

    it(
      'without constructable stylesheets, links statechat.css: styled, and nothing for the strict CSP to refuse',
      async () => {
        const run = randomUUID();
        const window = await session.open(`${sites.widgetUrl}/without-features.html?without=adoptedStyleSheets&run=${run}`);
        expect(await window.run(() => 'adoptedStyleSheets' in ShadowRoot.prototype)).toBe(false);
        await window.click({ in: 'page', css: '#book' });
        await waitForText(window, 'How many people?');
        await say(window, 'We are 4 people');
        await waitForText(window, 'What day would you like to come?');
        const styled = await window.run(() => {
          const root = document.querySelector('statechat-root')?.shadowRoot;
          const dialog = root?.querySelector('[role="dialog"]');
          return {
            links: [...(root?.querySelectorAll('link[data-statechat-styles]') ?? [])].map((link) => new URL((link as HTMLLinkElement).href).pathname),
            styleElements: root?.querySelectorAll('style').length ?? null,
            dialogPosition: dialog ? getComputedStyle(dialog).position : null,
          };
        });
        expect(styled).toEqual({ links: ['/statechat.css'], styleElements: 0, dialogPosition: 'fixed' });
        await expectOnlyTheControlViolation(window, sites.widgetUrl, run);
        await saveScreenshot(session, window, 'without-adopted-stylesheets');
      },
      TEST_TIMEOUT_MS,
    );

    it(
      'without Web Locks, two windows still share one conversation (the leader is chosen over BroadcastChannel)',
      async () => {
        const page = `${sites.widgetUrl}/without-features.html?without=locks&run=${randomUUID()}`;
        const first = await session.open(page);
        expect(await first.run(() => typeof navigator.locks)).toBe('undefined');
        await first.click({ in: 'page', css: '#book' });
        await waitForText(first, 'How many people?');
        const second = await session.open(page);
        await openChat(second);
        await waitForText(second, 'How many people?');
        await say(second, 'We are 4 people');
        await waitForText(second, 'What day would you like to come?');
        await waitForText(first, 'What day would you like to come?');
        await say(first, 'Tomorrow at 7pm');
        await waitForText(second, 'What name should I put the booking under?');
        const users = async (window: BrowserWindow) => (await widget(window))?.users.map((message) => message.text);
        expect(await users(first)).toEqual(['We are 4 people', 'Tomorrow at 7pm']);
        expect(await users(second)).toEqual(['We are 4 people', 'Tomorrow at 7pm']);
      },
      TEST_TIMEOUT_MS,
    );
  });

  describe('the script tag under a strict Content-Security-Policy', () => {
    it(
      'mounts, loads the rest on demand and runs the flow with no violation',
      async () => {
        const run = randomUUID();
        const window = await session.open(`${sites.widgetUrl}/script-tag.html?run=${run}`);
        await window.click({ in: 'page', css: '#book' });
        await waitForText(window, 'How many people?');
        await say(window, 'We are 4 people');
        await waitForText(window, 'What day would you like to come?');
        expect((await widget(window))?.title).toBe('Bistro (script tag)');
        expect(Number(await window.run(() => document.getElementById('events')?.getAttribute('data-says')))).toBeGreaterThan(0);
        // The launcher is styled by the widget's own sheet, out of reach of the page's hostile CSS.
        const launcherWidth = await window.run(() => {
          const launcher = document.querySelector('statechat-root')?.shadowRoot?.querySelector('[aria-label="Close chat"], [aria-label="Open chat"]');
          return launcher ? launcher.getBoundingClientRect().width : null;
        });
        expect(launcherWidth).not.toBeNull();
        expect(launcherWidth).toBeLessThan(80);
        await expectOnlyTheControlViolation(window, sites.widgetUrl, run);
        await saveScreenshot(session, window, 'script-tag-csp');
      },
      TEST_TIMEOUT_MS,
    );

    it(
      'renders payloads from the flow, a tool and the visitor as text',
      async () => {
        const run = randomUUID();
        const window = await session.open(`${sites.widgetUrl}/xss.html?run=${run}`);
        await openChat(window);
        await waitForText(window, 'Pick one');
        await say(window, '<img src=x onerror="window.__xss = 6"><script>window.__xss = 7</script>');
        await chooseReply(window, '<img src=x onerror="window.__xss = 1">');
        await waitForText(window, 'The tool said:');

        const found = await window.run(() => {
          const root = document.querySelector('statechat-root')?.shadowRoot;
          const active = root ? [...root.querySelectorAll('img, script, iframe, object, embed, svg:not(.icon)')].map((element) => element.tagName) : ['no shadow root'];
          const handlers = root ? [...root.querySelectorAll('*')].flatMap((element) => element.getAttributeNames().filter((name) => name.startsWith('on'))) : [];
          const links = root ? [...root.querySelectorAll('a')].map((link) => link.getAttribute('href')) : [];
          const bold = root ? [...root.querySelectorAll('[role="log"] strong')].filter((element) => element.textContent === 'bold').length : 0;
          return { xss: (globalThis as unknown as { __xss?: number }).__xss ?? null, active, handlers, links, bold };
        });
        expect(found).toEqual({ xss: null, active: [], handlers: [], links: [], bold: 1 });
        const view = await widget(window);
        expect(view?.log).toContain('<img src=x onerror="window.__xss = 2">');
        expect(view?.log).toContain('<script>window.__xss = 7</script>');
        expect(TOOL_PAYLOAD).toContain('**bold**');
        expect(view?.title).toBe('<img src=x onerror="window.__xss = 4"> Bistro');
        await expectOnlyTheControlViolation(window, sites.widgetUrl, run);
        await saveScreenshot(session, window, 'xss-payloads');
      },
      TEST_TIMEOUT_MS,
    );
  });
}
