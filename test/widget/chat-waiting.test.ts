// @vitest-environment happy-dom
/**
 * What a visitor is told while relay work waits or has failed for good: the
 * message says queued (not sent) while the relay cannot be reached, and a
 * classification that failed for good ends the typing indicator and leaves
 * the outbox count.
 */
import 'fake-indexeddb/auto';
import { onlineManager } from '@tanstack/query-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { ChatState } from '../../widget/chat-types.ts';
import { chatTracker, lastUser, openChat, RELAY, reservationsFlow, until } from './helpers.ts';
import { networkError, relayError, startRelay, toolFlow, type RelayFixture } from './relay-fixture.ts';

/** Slow enough to watch the message between attempts, fast enough for a unit test. */
const visibleRetry = { baseMs: 40, capMs: 40 };
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

function recordStatuses(state: () => ChatState, subscribe: (listener: (state: ChatState) => void) => () => void): string[] {
  const statuses: string[] = [];
  const note = (current: ChatState): void => {
    const status = lastUser(current)?.status;
    if (status && statuses.at(-1) !== status) statuses.push(status);
  };
  note(state());
  subscribe(note);
  return statuses;
}

describe('a classification that fails for good', () => {
  it.each([
    ['a permanent error', 1, relayError(400, 'bad_request')],
    ['transient errors until the attempts run out', 3, relayError(500, 'internal_error')],
  ])('after %s: not busy, nothing queued, retry works', async (_name, failures, response) => {
    relay.failNext('/v1/classify', failures, response);
    const { chat } = track(openChat({ flow: reservationsFlow(), relay: RELAY, nlu: 'relay' }, { retry: { baseMs: 1, capMs: 5, classifyAttempts: 3 } }));
    await chat.ready;
    await chat.send("I'd like to book a table");
    await until(() => lastUser(chat.getState())?.status === 'failed');
    await chat.idle();
    expect(chat.getState()).toMatchObject({ busy: false, queued: 0 });

    await chat.retry(lastUser(chat.getState())?.id ?? '');
    await until(() => lastUser(chat.getState())?.status === 'answered');
    expect(chat.getState()).toMatchObject({ busy: false, queued: 0, state: 'CollectPartySize' });
  });

  it('stays not busy after a reload, and still retries', async () => {
    relay.failNext('/v1/classify', 1, relayError(400, 'bad_request'));
    const first = openChat({ flow: reservationsFlow(), relay: RELAY, nlu: 'relay' }, { retry: { baseMs: 1, capMs: 5 } });
    await first.chat.ready;
    await first.chat.send("I'd like to book a table");
    await until(() => lastUser(first.chat.getState())?.status === 'failed');
    await first.chat.destroy();

    const second = track(openChat({ flow: reservationsFlow(), relay: RELAY, nlu: 'relay' }, { retry: { baseMs: 1, capMs: 5 } }, { database: first.database, clock: first.clock }));
    await second.chat.ready;
    await second.chat.idle();
    expect(lastUser(second.chat.getState())?.status).toBe('failed');
    expect(second.chat.getState()).toMatchObject({ busy: false, queued: 0 });
    await second.chat.retry(lastUser(second.chat.getState())?.id ?? '');
    await until(() => lastUser(second.chat.getState())?.status === 'answered');
  });
});

describe('a message waiting for the relay', () => {
  it('says queued, not sent, while the relay cannot be reached, then is answered', async () => {
    relay.failNext('/v1/classify', 2, networkError());
    const { chat } = track(openChat({ flow: reservationsFlow(), relay: RELAY, nlu: 'relay' }, { retry: visibleRetry }));
    await chat.ready;
    const statuses = recordStatuses(() => chat.getState(), (listener) => chat.subscribe(listener));
    await chat.send("I'd like to book a table");
    await until(() => lastUser(chat.getState())?.status === 'queued');
    expect(chat.getState()).toMatchObject({ online: true, busy: true, queued: 1 });
    await until(() => lastUser(chat.getState())?.status === 'answered');
    // "sent" only while the first attempt is on its way; never again once it has failed.
    expect(statuses).toEqual(['pending', 'sent', 'queued', 'answered']);
    expect(chat.getState().queued).toBe(0);
  });

  it('says queued while offline', async () => {
    const { chat } = track(openChat({ flow: reservationsFlow(), relay: RELAY, nlu: 'relay' }, { retry: visibleRetry }));
    await chat.ready;
    onlineManager.setOnline(false);
    await chat.send("I'd like to book a table");
    await until(() => lastUser(chat.getState())?.status === 'queued');
    expect(chat.getState()).toMatchObject({ online: false, queued: 1 });
    onlineManager.setOnline(true);
    await until(() => lastUser(chat.getState())?.status === 'answered');
  });

  it('says queued while the tool call its answer started cannot reach the relay', async () => {
    relay.failNext('/v1/tools/Job', 2, networkError());
    const { chat } = track(openChat({ flow: toolFlow(), relay: RELAY }, { retry: visibleRetry }));
    await chat.ready;
    const statuses = recordStatuses(() => chat.getState(), (listener) => chat.subscribe(listener));
    await chat.choose('go');
    await until(() => lastUser(chat.getState())?.status === 'queued');
    expect(chat.getState()).toMatchObject({ state: 'Running', busy: true, queued: 1 });
    await until(() => chat.getState().state === 'Done');
    expect(statuses.at(-1)).toBe('answered');
    expect(statuses).toContain('queued');
    expect(statuses.slice(statuses.indexOf('queued') + 1)).not.toContain('sent');
    expect(relay.toolRuns).toHaveLength(1);
  });

  it('a tool call that fails for good ends the busy state', async () => {
    // A network failure is not "for good": it stalls and is retried (chat-relay.test.ts). A refusal is.
    relay.failNext('/v1/tools/Job', 1, relayError(422, 'invalid_arguments'));
    const { chat } = track(openChat({ flow: toolFlow(), relay: RELAY }, { retry: { baseMs: 1, capMs: 5, toolAttempts: 3 } }));
    await chat.ready;
    await chat.choose('go');
    await until(() => chat.getState().state === 'Failed');
    expect(chat.getState()).toMatchObject({ busy: false, queued: 0, stalled: null });
    expect(chat.getState().messages.at(-1)?.text).toBe('Failed: invalid_arguments');
  });
});
