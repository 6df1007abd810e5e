// @vitest-environment happy-dom
import 'fake-indexeddb/auto';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { chatTracker, freshDatabase, openChat, reservationsFlow, sequentialIds, texts, until } from './helpers.ts';
import { createChannel, FakeLocks } from './tabs-fixture.ts';

// The follower's half is a chunk a second tab downloads; here it cannot be fetched (offline, never cached).
vi.mock('../../widget/runtime/tab-follower.ts', () => {
  throw new TypeError('Failed to fetch dynamically imported module');
});

const { track, destroyAll } = chatTracker();

afterEach(async () => {
  await destroyAll();
});

describe('a second tab whose follower chunk cannot load', () => {
  it('says the chat is unavailable instead of hanging, and recovers by taking over when the leader goes', async () => {
    const locks = new FakeLocks();
    const database = freshDatabase();
    const environment = { locks, createChannel, forwardIntervalMs: 20, databaseName: database };
    const first = openChat({ flow: reservationsFlow() }, environment);
    await first.chat.ready;
    await first.chat.send("I'd like to book");
    await first.chat.idle();
    const second = track(openChat({ flow: reservationsFlow(), newId: sequentialIds('tab2') }, environment));
    await second.chat.ready;
    expect(second.chat.getState()).toMatchObject({ leader: false, phase: 'error', ready: true, error: { code: 'follower_unavailable' } });
    expect(second.events.find((event) => event.name === 'error')?.data).toMatchObject({ code: 'follower_unavailable' });

    const before = texts(first.chat.getState());
    await first.chat.destroy();
    await until(() => second.chat.getState().leader && second.chat.getState().phase === 'active');
    await second.chat.idle();
    expect(second.chat.getState().error).toBeNull();
    expect(texts(second.chat.getState())).toEqual(before);
    await second.chat.send('4');
    await second.chat.idle();
    expect(second.chat.getState().state).toBe('CollectDateTime');
  });
});
