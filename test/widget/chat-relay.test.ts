// @vitest-environment happy-dom
import 'fake-indexeddb/auto';
import { onlineManager } from '@tanstack/query-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { chatTracker, lastUser, openChat, RELAY, reservationsFlow, until } from './helpers.ts';
import { networkError, relayError, startRelay, toolFlow, type RelayFixture } from './relay-fixture.ts';

const fastRetry = { baseMs: 1, capMs: 5 };
let relay: RelayFixture;
const { track, destroyAll } = chatTracker();

beforeAll(() => {
  relay = startRelay();
});
afterAll(() => relay.close());
afterEach(async () => {
  onlineManager.setOnline(true);
  await destroyAll();
  relay.requests.length = 0;
  relay.toolRuns.length = 0;
});

const classifyCalls = (): number => relay.requests.filter((request) => request.startsWith('POST /v1/classify')).length;

describe('relay NLU', () => {
  it('relay mode: the message goes pending → sent → answered through the relay', async () => {
    const { chat } = track(openChat({ flow: reservationsFlow(), relay: RELAY, nlu: 'relay' }, { retry: fastRetry }));
    await chat.ready;
    const statuses: string[] = [];
    chat.subscribe((state) => {
      const status = lastUser(state)?.status;
      if (status && statuses.at(-1) !== status) statuses.push(status);
    });
    await chat.send("I'd like to book a table");
    await until(() => lastUser(chat.getState())?.status === 'answered');
    expect(statuses).toEqual(['pending', 'sent', 'answered']);
    expect(chat.getState().state).toBe('CollectPartySize');
    expect(classifyCalls()).toBe(1);
    expect(chat.getState().queued).toBe(0);
  });

  it('relay mode: tells the relay the visitor’s language, so a French answer fills the date', async () => {
    const { chat } = track(openChat({ flow: reservationsFlow(), relay: RELAY, nlu: 'relay', language: 'fr' }, { retry: fastRetry }));
    await chat.ready;
    for (const [text, next] of [
      ['Je voudrais réserver une table', 'CollectPartySize'],
      ['Nous sommes 4', 'CollectDateTime'],
    ] as const) {
      await chat.send(text);
      await until(() => lastUser(chat.getState())?.status === 'answered');
      expect(chat.getState().state).toBe(next);
    }
    await chat.send('demain à 19h');
    await until(() => lastUser(chat.getState())?.status === 'answered');
    expect(chat.getState().state).not.toBe('CollectDateTime');
  });

  it('pauses while offline, shows the message queued, and delivers it once on reconnect', async () => {
    const { chat } = track(openChat({ flow: reservationsFlow(), relay: RELAY, nlu: 'relay' }, { retry: fastRetry }));
    await chat.ready;
    onlineManager.setOnline(false);
    await chat.send("I'd like to book a table");
    await chat.idle();
    await new Promise((resolve) => setTimeout(resolve, 30));
    expect(chat.getState().online).toBe(false);
    expect(lastUser(chat.getState())?.status).toBe('queued');
    expect(chat.getState().queued).toBe(1);
    expect(classifyCalls()).toBe(0);
    onlineManager.setOnline(true);
    await until(() => lastUser(chat.getState())?.status === 'answered');
    expect(classifyCalls()).toBe(1);
    expect(chat.getState().queued).toBe(0);
  });

  it('retries transient failures (503, 429, network) with backoff, then succeeds', async () => {
    relay.failNext('/v1/classify', 1, relayError(503, 'unavailable'));
    relay.failNext('/v1/classify', 1, relayError(429, 'rate_limited', { 'retry-after': '0' }));
    relay.failNext('/v1/classify', 1, networkError());
    const { chat } = track(openChat({ flow: reservationsFlow(), relay: RELAY, nlu: 'relay' }, { retry: fastRetry }));
    await chat.ready;
    await chat.send("I'd like to book a table");
    await until(() => lastUser(chat.getState())?.status === 'answered');
    expect(classifyCalls()).toBe(4);
  });

  it('fails visibly on a permanent error without retrying, and retry(id) sends it again', async () => {
    relay.failNext('/v1/classify', 1, relayError(400, 'bad_request'));
    const { chat } = track(openChat({ flow: reservationsFlow(), relay: RELAY, nlu: 'relay' }, { retry: fastRetry }));
    await chat.ready;
    await chat.send("I'd like to book a table");
    await until(() => lastUser(chat.getState())?.status === 'failed');
    const failed = lastUser(chat.getState());
    expect(failed?.error).toMatchObject({ code: 'bad_request', retryable: true });
    expect(classifyCalls()).toBe(1);
    await chat.retry(failed?.id ?? '');
    await until(() => lastUser(chat.getState())?.status === 'answered');
    expect(classifyCalls()).toBe(2);
    expect(chat.getState().state).toBe('CollectPartySize');
  });

  it('messages written after a failed one are not left "sending" for ever: the failed one is tried again, and they fail or go with it (chaos seed 181)', async () => {
    relay.failNext('/v1/classify', 2, relayError(403, 'forbidden'));
    const { chat } = track(openChat({ flow: reservationsFlow(), relay: RELAY, nlu: 'relay' }, { retry: fastRetry }));
    await chat.ready;
    await chat.send("I'd like to book a table");
    await until(() => lastUser(chat.getState())?.status === 'failed');
    // Written while the first waits for a retry: the first is sent again (refused again), and both say so.
    await chat.send('We are 4 people');
    await until(() => classifyCalls() === 2 && chat.getState().messages.filter((message) => message.status === 'failed').length === 2);
    const users = chat.getState().messages.filter((message) => message.role === 'user');
    expect(users.map((message) => [message.text, message.status])).toEqual([
      ["I'd like to book a table", 'failed'],
      ['We are 4 people', 'failed'],
    ]);
    // Retry on the second sends the first again; then the second follows.
    await chat.retry(users[1]?.id ?? '');
    await until(() => chat.getState().messages.filter((message) => message.role === 'user').every((message) => message.status === 'answered'));
    expect(chat.getState().state).toBe('CollectDateTime');
    expect(classifyCalls()).toBe(4);
  });

  it('hybrid: a confident local answer never reaches the relay; an unsure one does; an unreachable relay falls back to local', async () => {
    const { chat } = track(openChat({ flow: reservationsFlow(), relay: RELAY, nlu: 'hybrid' }, { retry: fastRetry }));
    await chat.ready;
    await chat.send("I'd like to book a table");
    await until(() => lastUser(chat.getState())?.status === 'answered');
    expect(classifyCalls()).toBe(0);
    expect(chat.getState().state).toBe('CollectPartySize');

    await chat.send('qwxz blorp');
    await until(() => lastUser(chat.getState())?.status === 'answered');
    expect(classifyCalls()).toBe(1);

    relay.failNext('/v1/classify', 1, networkError());
    await chat.send('zzkq vlint');
    await until(() => lastUser(chat.getState())?.status === 'answered');
    expect(classifyCalls()).toBe(2);

    onlineManager.setOnline(false);
    await chat.send('plonk frib');
    await until(() => lastUser(chat.getState())?.status === 'answered');
    expect(classifyCalls()).toBe(2);
  });
});

describe('tool calls', () => {
  it('carry the engine idempotency key and run once', async () => {
    const { chat, events } = track(openChat({ flow: toolFlow(), relay: RELAY }, { retry: fastRetry }));
    await chat.ready;
    await chat.choose('go');
    await until(() => chat.getState().state === 'Done');
    const sessionId = chat.getState().sessionId;
    expect(relay.toolRuns).toHaveLength(1);
    expect(relay.toolRuns[0]).toMatch(new RegExp(`^${sessionId}:\\d+:\\d+$`));
    expect(events.find((event) => event.name === 'tool.call')).toBeDefined();
    expect(events.find((event) => event.name === 'tool.result')?.data).toMatchObject({ ok: true, result: { done: true } });
  });

  it('retry transient failures (503, 409 while a duplicate runs) and never run twice', async () => {
    relay.failNext('/v1/tools/Job', 1, relayError(503, 'unavailable'));
    relay.failNext('/v1/tools/Job', 1, relayError(409, 'idempotency_in_progress', { 'retry-after': '0' }));
    const { chat } = track(openChat({ flow: toolFlow(), relay: RELAY }, { retry: fastRetry }));
    await chat.ready;
    await chat.choose('go');
    await until(() => chat.getState().state === 'Done');
    expect(relay.requests.filter((request) => request.startsWith('POST /v1/tools/Job'))).toHaveLength(3);
    expect(relay.toolRuns).toHaveLength(1);
  });

  it('a permanent failure becomes the engine tool.error at once', async () => {
    relay.failNext('/v1/tools/Job', 1, relayError(422, 'invalid_arguments'));
    const { chat } = track(openChat({ flow: toolFlow(), relay: RELAY }, { retry: fastRetry }));
    await chat.ready;
    await chat.choose('go');
    await until(() => chat.getState().state === 'Failed');
    expect(chat.getState().messages.at(-1)?.text).toBe('Failed: invalid_arguments');
    expect(relay.requests.filter((request) => request.startsWith('POST /v1/tools/Job'))).toHaveLength(1);
  });

  it('a call interrupted by a reload resumes with the same key and runs once on the relay', async () => {
    const hold = relay.holdTools();
    const first = openChat({ flow: toolFlow(), relay: RELAY }, { retry: fastRetry });
    await first.chat.ready;
    await first.chat.choose('go');
    await until(() => relay.toolRuns.length === 1);
    expect(first.chat.getState().busy).toBe(true);
    await first.chat.destroy();

    const second = track(openChat({ flow: toolFlow(), relay: RELAY }, { retry: fastRetry }, { database: first.database, clock: first.clock }));
    await second.chat.ready;
    await until(() => relay.requests.filter((request) => request.startsWith('POST /v1/tools/Job')).length >= 2);
    hold.release();
    await until(() => second.chat.getState().state === 'Done');
    expect(relay.toolRuns).toHaveLength(1);
    expect(second.chat.getState().messages.filter((message) => message.text === 'Done.')).toHaveLength(1);
  });

  it('a relay that cannot be reached stalls the call (the visitor is told), retries it later, and keeps the conversation', async () => {
    relay.failNext('/v1/tools/Job', 5, networkError());
    const { chat, events } = track(openChat({ flow: toolFlow(), relay: RELAY }, { retry: { ...fastRetry, toolAttempts: 2, stalledToolRetryMs: 30 } }));
    await chat.ready;
    const stalls: (string | null)[] = [];
    chat.subscribe((state) => {
      const name = state.stalled?.name ?? null;
      if (stalls.at(-1) !== name) stalls.push(name);
    });
    await chat.choose('go');
    await until(() => chat.getState().stalled !== null);
    expect(chat.getState()).toMatchObject({ state: 'Running', phase: 'active', handoff: null, queued: 1, stalled: { kind: 'tool', name: 'Job' } });
    await until(() => chat.getState().state === 'Done');
    expect(relay.requests.filter((request) => request.startsWith('POST /v1/tools/Job'))).toHaveLength(6);
    expect(relay.toolRuns).toHaveLength(1);
    expect(chat.getState()).toMatchObject({ stalled: null, queued: 0 });
    expect(stalls).toEqual([null, 'Job', null]);
    expect(events.some((event) => event.name === 'handoff')).toBe(false);
  });

  it('a stalled call is tried again at once when the browser comes back online', async () => {
    relay.failNext('/v1/tools/Job', 1, networkError());
    const { chat } = track(openChat({ flow: toolFlow(), relay: RELAY }, { retry: { ...fastRetry, toolAttempts: 1, stalledToolRetryMs: 60_000 } }));
    await chat.ready;
    await chat.choose('go');
    await until(() => chat.getState().stalled !== null);
    onlineManager.setOnline(false);
    onlineManager.setOnline(true);
    await until(() => chat.getState().state === 'Done');
    expect(relay.toolRuns).toHaveLength(1);
  });

  it('tool calls pause while offline and run after reconnecting', async () => {
    const { chat } = track(openChat({ flow: toolFlow(), relay: RELAY }, { retry: fastRetry }));
    await chat.ready;
    onlineManager.setOnline(false);
    await chat.choose('go');
    await chat.idle();
    await new Promise((resolve) => setTimeout(resolve, 30));
    expect(chat.getState()).toMatchObject({ state: 'Running', busy: true, queued: 1 });
    expect(relay.toolRuns).toHaveLength(0);
    onlineManager.setOnline(true);
    await until(() => chat.getState().state === 'Done');
    expect(relay.toolRuns).toHaveLength(1);
  });
});
