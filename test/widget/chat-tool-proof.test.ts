// @vitest-environment happy-dom
import 'fake-indexeddb/auto';
import { onlineManager } from '@tanstack/query-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Flow } from '../../flows/types.ts';
import { chatTracker, openChat, RELAY, until } from './helpers.ts';
import { networkError, relayError, startRelay, type RelayFixture } from './relay-fixture.ts';

/** Two tool calls with a question between them, so the second can use the first one's checkpoint. */
function twoJobsFlow(): Flow {
  return {
    meta: { name: 'Two jobs', id: 'twojobs', version: '1', domains: ['test'] },
    start: 'Start',
    intents: { GO: { examples: ['go'], slots: {} }, AGAIN: { examples: ['again'], slots: {} } },
    tools: { Job: { domain: 'test', args: { n: 'number' }, result: { done: 'boolean' }, timeout_ms: 1000 } },
    states: {
      Start: { onEnter: [{ ask: 'Ready?', choices: [{ label: 'Go', value: 'go', intent: 'GO' }] }], transitions: [{ onIntent: ['GO'], to: 'First' }] },
      First: { onEnter: [{ call: 'Job', args: { n: 1 }, onResult: { to: 'Between' }, onError: { to: 'Failed' } }] },
      Between: { onEnter: [{ ask: 'Again?', choices: [{ label: 'Again', value: 'again', intent: 'AGAIN' }] }], transitions: [{ onIntent: ['AGAIN'], to: 'Second' }] },
      Second: { onEnter: [{ call: 'Job', args: { n: 2 }, onResult: { to: 'Done' }, onError: { to: 'Failed' } }] },
      Done: { onEnter: [{ say: 'Done.' }], final: true },
      Failed: { onEnter: [{ say: 'Failed: {{error.code}}' }], final: true },
    },
  } as unknown as Flow;
}

interface SentProof {
  checkpoint?: string;
  snapshot?: { seq: number };
  entries: { seq: number; event: { type: string }; signature?: string }[];
}

const fastRetry = { baseMs: 1, capMs: 5 };
let relay: RelayFixture;
const { track, destroyAll } = chatTracker();

beforeAll(() => {
  relay = startRelay([twoJobsFlow()]);
});
afterAll(() => relay.close());
afterEach(async () => {
  await destroyAll();
  relay.toolRuns.length = 0;
  relay.toolBodies.length = 0;
});

describe('tool calls carry the conversation', () => {
  it('the first call sends the journal from session.start; after a reload the next sends only what follows the checkpoint, with the signed result', async () => {
    const first = openChat({ flow: twoJobsFlow(), relay: RELAY }, { retry: fastRetry });
    await first.chat.ready;
    await first.chat.choose('go');
    await until(() => first.chat.getState().state === 'Between');
    await first.chat.destroy();

    const second = track(openChat({ flow: twoJobsFlow(), relay: RELAY }, { retry: fastRetry }, { database: first.database, clock: first.clock }));
    await second.chat.ready;
    await second.chat.choose('again');
    await until(() => second.chat.getState().state === 'Done');
    expect(relay.toolRuns).toHaveLength(2);

    const [one, two] = relay.toolBodies.map((body) => (body as { proof: SentProof }).proof);
    expect(one?.checkpoint).toBeUndefined();
    expect(one?.entries[0]?.event.type).toBe('session.start');
    expect(two?.checkpoint).toEqual(expect.any(String));
    const after = two?.snapshot?.seq ?? 0;
    expect(after).toBe(one?.entries.at(-1)?.seq);
    expect(two?.entries[0]).toMatchObject({ seq: after + 1, event: { type: 'tool.result' }, signature: expect.any(String) });
    expect(two?.entries.every((entry) => entry.seq > after)).toBe(true);
  });

  it('a call stalled by an outage, retried after the visitor typed on, carries what they typed and still verifies', async () => {
    relay.failNext('/v1/tools/Job', 1, networkError());
    const { chat } = track(openChat({ flow: twoJobsFlow(), relay: RELAY }, { retry: { ...fastRetry, toolAttempts: 1, stalledToolRetryMs: 60_000 } }));
    await chat.ready;
    await chat.choose('go');
    await until(() => chat.getState().stalled !== null);
    await chat.send('are you still there?');
    await chat.idle();
    onlineManager.setOnline(false);
    onlineManager.setOnline(true);
    await until(() => chat.getState().state !== 'First');
    expect(chat.getState().state).toBe('Between');
    expect(relay.toolRuns).toHaveLength(1);
    const sent = (relay.toolBodies.at(-1) as { proof: SentProof }).proof;
    expect(sent.entries.at(-1)?.event).toMatchObject({ type: 'user.text', text: 'are you still there?' });
  });

  it('a call the relay cannot verify (403) takes the flow\'s error route, and nothing runs', async () => {
    relay.failNext('/v1/tools/Job', 1, relayError(403, 'conversation_unverified'));
    const { chat } = track(openChat({ flow: twoJobsFlow(), relay: RELAY }, { retry: fastRetry }));
    await chat.ready;
    await chat.choose('go');
    await until(() => chat.getState().state === 'Failed');
    expect(chat.getState().messages.at(-1)?.text).toBe('Failed: conversation_unverified');
    expect(relay.toolRuns).toHaveLength(0);
  });
});
