// @vitest-environment happy-dom
/** The tab leader's lock over BroadcastChannel, for pages without Web Locks. */
import 'fake-indexeddb/auto';
import { BroadcastChannel as NodeBroadcastChannel } from 'node:worker_threads';
import { afterEach, describe, expect, it } from 'vitest';
import { createChannelLocks } from '../../widget/runtime/channel-lock.ts';
import type { ChannelLike } from '../../widget/runtime/tabs.ts';
import { chatTracker, freshDatabase, openChat, reservationsFlow, sequentialIds, texts, until } from './helpers.ts';

const createChannel = (name: string): ChannelLike => new NodeBroadcastChannel(name) as unknown as ChannelLike;
const timing = { answerMs: 20, heartbeatMs: 40, staleMs: 200 };
let lockCounter = 0;
const freshName = () => `lock-test-${++lockCounter}-${Math.random().toString(36).slice(2)}`;

const { track, destroyAll } = chatTracker();
afterEach(async () => {
  await destroyAll();
});

describe('the channel lock', () => {
  it('is held by one tab; another gets null with ifAvailable, and the lock once it is released', async () => {
    const name = freshName();
    const first = createChannelLocks(createChannel, timing);
    const second = createChannelLocks(createChannel, timing);
    let releaseFirst: () => void = () => undefined;
    const firstLock = await new Promise<unknown>((resolve) => {
      void first.request(name, { ifAvailable: true }, (lock) => {
        resolve(lock);
        return new Promise<void>((done) => {
          releaseFirst = done;
        });
      });
    });
    expect(firstLock).not.toBeNull();
    expect(await second.request(name, { ifAvailable: true }, async (lock) => lock)).toBeNull();

    const order: string[] = [];
    const waiting = second.request(name, {}, async (lock) => {
      order.push('second granted');
      return lock;
    });
    await new Promise((resolve) => setTimeout(resolve, timing.staleMs * 2));
    expect(order).toEqual([]);
    order.push('first released');
    releaseFirst();
    expect(await waiting).not.toBeNull();
    expect(order).toEqual(['first released', 'second granted']);
  });

  it('gives the lock to exactly one of several tabs asking at the same moment', async () => {
    const name = freshName();
    const releases: (() => void)[] = [];
    const results = await Promise.all(
      Array.from({ length: 4 }, () =>
        new Promise<unknown>((resolve) => {
          void createChannelLocks(createChannel, timing).request(name, { ifAvailable: true }, (lock) => {
            resolve(lock);
            return new Promise<void>((done) => releases.push(done));
          });
        }),
      ),
    );
    expect(results.filter((lock) => lock !== null)).toHaveLength(1);
    for (const release of releases) release();
  });

  it('is taken over when the holder falls silent (its page was killed), and a wait can be aborted', async () => {
    const name = freshName();
    // A holder that answers two questions, then stops answering without saying "released" (a killed page).
    const ghost = createChannel(`${name}:lock`);
    let answers = 2;
    ghost.addEventListener('message', (event) => {
      if ((event.data as { type?: string }).type === 'query' && answers-- > 0) ghost.postMessage({ type: 'held', from: '0-ghost' });
    });
    const locks = createChannelLocks(createChannel, timing);
    expect(await locks.request(name, { ifAvailable: true }, async (lock) => lock)).toBeNull();
    const started = Date.now();
    expect(await locks.request(name, {}, async (lock) => lock)).not.toBeNull();
    expect(Date.now() - started).toBeGreaterThanOrEqual(timing.staleMs - 50);
    ghost.close();

    const holder = createChannelLocks(createChannel, timing);
    let releaseHolder: () => void = () => undefined;
    await new Promise<void>((resolve) => {
      void holder.request(name, { ifAvailable: true }, () => {
        resolve();
        return new Promise<void>((done) => {
          releaseHolder = done;
        });
      });
    });
    const abort = new AbortController();
    const aborted = locks.request(name, { signal: abort.signal }, async (lock) => lock);
    abort.abort();
    await expect(aborted).rejects.toMatchObject({ name: 'AbortError' });
    releaseHolder();
  });
});

describe('two tabs without Web Locks', () => {
  it('share one conversation: one writer, the other forwards and follows, then takes over', async () => {
    const database = freshDatabase();
    const clock = { now: Date.parse('2026-11-23T10:00:00Z') };
    const environment = { locks: createChannelLocks(createChannel, timing), createChannel, forwardIntervalMs: 20, databaseName: database };
    const first = openChat({ flow: reservationsFlow() }, environment, { clock });
    await first.chat.ready;
    await first.chat.idle();
    const second = track(openChat({ flow: reservationsFlow(), newId: sequentialIds('tab2') }, { ...environment, locks: createChannelLocks(createChannel, timing) }, { clock }));
    await second.chat.ready;
    expect([first.chat.getState().leader, second.chat.getState().leader]).toEqual([true, false]);

    await second.chat.send("I'd like to book");
    await until(() => first.chat.getState().state === 'CollectPartySize');
    await until(() => texts(second.chat.getState()).join('\n') === texts(first.chat.getState()).join('\n'));
    expect(first.chat.getState().messages.filter((message) => message.role === 'user')).toHaveLength(1);

    const before = texts(first.chat.getState());
    await first.chat.destroy();
    await until(() => second.chat.getState().leader, 3000);
    await second.chat.idle();
    expect(texts(second.chat.getState())).toEqual(before);
    await second.chat.send('4');
    await second.chat.idle();
    expect(second.chat.getState().state).toBe('CollectDateTime');
  });
});
