import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { ChatState } from '../../../widget/chat-types.ts';
import { launchChromium, serve, type Served } from '../harness.ts';
import { startLoopbackRelay, type LoopbackRelay } from './relay-server.ts';

let browser: Browser;
let served: Served;
let relay: LoopbackRelay;
let context: BrowserContext;

beforeAll(async () => {
  [browser, served, relay] = await Promise.all([
    launchChromium(),
    serve(new URL('./pages/', import.meta.url), { optimizeDeps: { include: ['idb', '@tanstack/query-core'] } }),
    startLoopbackRelay(),
  ]);
  // The first visit lets Vite pre-bundle what the page imports (it reloads the page once); tests start after it.
  const warmUp = await browser.newContext();
  const page = await warmUp.newPage();
  await page.goto(`${served.url}/chat.html?namespace=warm-up`);
  await page.waitForTimeout(1500);
  await warmUp.close();
});

afterAll(async () => {
  await browser?.close();
  await served?.close();
  await relay?.close();
});

afterEach(async () => {
  await context?.close();
  relay.requests.length = 0;
  relay.toolRuns.length = 0;
});

async function openPage(query: Record<string, string>, target?: BrowserContext): Promise<Page> {
  context = target ?? (await browser.newContext());
  const page = await context.newPage();
  await page.goto(`${served.url}/chat.html?${new URLSearchParams(query)}`);
  await waitReady(page);
  return page;
}

async function waitReady(page: Page): Promise<void> {
  await page.waitForFunction(() => window.chatPage?.state().ready === true, undefined, { timeout: 15_000 });
  await page.evaluate(() => window.chatPage.chat.idle());
}

function state(page: Page): Promise<ChatState> {
  return page.evaluate(() => window.chatPage.state());
}

async function waitFor(page: Page, predicate: string): Promise<void> {
  await page.waitForFunction(`(() => { const state = window.chatPage.state(); return ${predicate}; })()`, undefined, { timeout: 15_000 });
}

const transcript = (chatState: ChatState): string[] => chatState.messages.map((message) => `${message.role}:${message.status ?? ''}:${message.text}`);
const count = (prefix: string): number => relay.requests.filter((request) => request.startsWith(prefix)).length;

describe('the chat runtime in Chromium', () => {
  it('a reload in the middle of a flow resumes the same state and transcript', async () => {
    const page = await openPage({ flow: 'reservations', nlu: 'local' });
    await page.evaluate(async () => {
      await window.chatPage.chat.send("I'd like to book a table");
      await window.chatPage.chat.idle();
      await window.chatPage.chat.choose('4');
      await window.chatPage.chat.idle();
    });
    const before = await state(page);
    expect(before.state).toBe('CollectDateTime');
    await page.reload();
    await waitReady(page);
    const after = await state(page);
    expect(after).toMatchObject({ sessionId: before.sessionId, state: 'CollectDateTime', storage: 'indexeddb' });
    expect(transcript(after)).toEqual(transcript(before));
  });

  it('going offline queues the message, shows it queued, and delivers it exactly once on reconnect', async () => {
    const page = await openPage({ flow: 'reservations', nlu: 'relay', relay: relay.url });
    await context.setOffline(true);
    await waitFor(page, 'state.online === false');
    await page.evaluate(() => window.chatPage.chat.send("I'd like to book a table"));
    await page.waitForTimeout(300);
    const offline = await state(page);
    expect(offline.messages.at(-1)).toMatchObject({ role: 'user', status: 'queued' });
    expect(offline.queued).toBe(1);
    expect(count('POST /v1/classify')).toBe(0);
    await context.setOffline(false);
    await waitFor(page, "state.messages.filter((m) => m.role === 'user').at(-1).status === 'answered'");
    expect((await state(page)).state).toBe('CollectPartySize');
    await page.waitForTimeout(200);
    expect(count('POST /v1/classify')).toBe(1);
  });

  it('a tool call interrupted by a reload runs exactly once on the relay', async () => {
    const hold = relay.hold();
    const page = await openPage({ flow: 'tool', relay: relay.url });
    await page.evaluate(() => window.chatPage.chat.choose('go'));
    await expect.poll(() => relay.toolRuns.length, { timeout: 10_000 }).toBe(1);
    await page.reload();
    await waitReady(page);
    await expect.poll(() => count('POST /v1/tools/Job'), { timeout: 10_000 }).toBeGreaterThanOrEqual(2);
    hold.release();
    await waitFor(page, "state.state === 'Done'");
    expect(relay.toolRuns).toHaveLength(1);
    const done = await state(page);
    expect(done.messages.filter((message) => message.text === 'Done.')).toHaveLength(1);
  });

  it('two tabs converge on the same transcript, and the second takes over when the first closes', async () => {
    const first = await openPage({ flow: 'reservations', nlu: 'local' });
    const second = await openPage({ flow: 'reservations', nlu: 'local' }, context);
    expect((await state(first)).leader).toBe(true);
    expect((await state(second)).leader).toBe(false);
    await second.evaluate(() => window.chatPage.chat.send("I'd like to book a table"));
    await waitFor(first, "state.state === 'CollectPartySize'");
    await waitFor(second, "state.state === 'CollectPartySize' && state.messages.at(-1).role === 'bot'");
    await first.evaluate(() => window.chatPage.chat.choose('4'));
    await waitFor(second, "state.state === 'CollectDateTime'");
    expect(transcript(await state(second))).toEqual(transcript(await state(first)));
    expect((await state(first)).messages.filter((message) => message.role === 'user')).toHaveLength(2);

    const before = transcript(await state(first));
    await first.close();
    await waitFor(second, 'state.leader === true');
    await second.evaluate(() => window.chatPage.chat.idle());
    expect(transcript(await state(second))).toEqual(before);
  });

  it('an IndexedDB failure falls back to memory with a warning, and the conversation goes on', async () => {
    context = await browser.newContext();
    await context.addInitScript(() => {
      IDBFactory.prototype.open = () => {
        throw new DOMException('IndexedDB is disabled in this test.', 'SecurityError');
      };
    });
    const page = await openPage({ flow: 'reservations', nlu: 'local' }, context);
    const started = await state(page);
    expect(started.storage).toBe('memory');
    expect(started.messages[0]).toMatchObject({ role: 'notice', notice: 'storage' });
    const warnings = await page.evaluate(() => window.chatPage.events.filter((event) => event.name === 'warning'));
    expect(warnings[0]?.data).toMatchObject({ code: 'storage_unavailable' });
    await page.evaluate(async () => {
      await window.chatPage.chat.send("I'd like to book a table");
      await window.chatPage.chat.idle();
    });
    expect((await state(page)).state).toBe('CollectPartySize');
  });
});
