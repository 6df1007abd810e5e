// @vitest-environment happy-dom
import 'fake-indexeddb/auto';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { storageErrorOf } from '../../widget/store/chat-store.ts';
import { IdbStore } from '../../widget/store/idb-store.ts';
import { MemoryStore } from '../../widget/store/memory-store.ts';
import type { StoreChange } from '../../widget/store/records.ts';
import { chatTracker, lastUser, openChat, reservationsFlow } from './helpers.ts';

const { track, destroyAll } = chatTracker();

afterEach(async () => {
  vi.unstubAllGlobals();
  await destroyAll();
});

/** IndexedDB that works for `okCommits` commits, then reports a full disk. */
class FillingStore extends IdbStore {
  constructor(
    name: string,
    private okCommits: number,
  ) {
    super({ name });
  }

  override async commit(namespace: string, change: StoreChange): Promise<void> {
    if (this.okCommits <= 0) throw new DOMException('The quota has been exceeded.', 'QuotaExceededError');
    this.okCommits -= 1;
    return super.commit(namespace, change);
  }
}

/** IndexedDB whose first `failing` reads of the conversation are aborted transactions. */
class AbortingReads extends IdbStore {
  constructor(
    name: string,
    private failing: number,
  ) {
    super({ name });
  }

  override async load(namespace: string): ReturnType<IdbStore['load']> {
    if (this.failing > 0) {
      this.failing -= 1;
      // As IdbStore reports it (every store method rejects with a StorageError).
      throw storageErrorOf(new DOMException('The transaction was aborted.', 'AbortError'), 'loading the conversation');
    }
    return super.load(namespace);
  }
}

describe('storage fallback', () => {
  it('reads again after an aborted read instead of starting an empty conversation in memory (chaos seed 147)', async () => {
    const name = `aborting-${Math.random()}`;
    const first = openChat({ flow: reservationsFlow() }, { openStore: async () => ({ store: new IdbStore({ name }), fallback: null }) });
    await first.chat.ready;
    await first.chat.send("I'd like to book");
    await first.chat.idle();
    await first.chat.destroy();

    const { chat, events } = track(openChat({ flow: reservationsFlow() }, { openStore: async () => ({ store: new AbortingReads(name, 2), fallback: null }) }, { database: name }));
    await chat.ready;
    await chat.idle();
    expect(chat.getState().storage).toBe('indexeddb');
    expect(events.some((event) => event.name === 'warning')).toBe(false);
    expect(lastUser(chat.getState())).toMatchObject({ text: "I'd like to book", status: 'answered' });
    expect(chat.getState().state).toBe('CollectPartySize');
  });


  it('falls back to memory with a warning and a notice when IndexedDB cannot be opened', async () => {
    vi.stubGlobal('indexedDB', {
      open: () => {
        throw new DOMException('The operation is insecure.', 'SecurityError');
      },
    });
    const { chat, events } = track(openChat({ flow: reservationsFlow() }));
    await chat.ready;
    await chat.idle();
    expect(chat.getState().storage).toBe('memory');
    expect(events.find((event) => event.name === 'warning')?.data).toMatchObject({ code: 'storage_unavailable' });
    expect(chat.getState().messages[0]).toMatchObject({ role: 'notice', notice: 'storage' });
    await chat.send("I'd like to book");
    await chat.idle();
    expect(lastUser(chat.getState())?.status).toBe('answered');
    expect(chat.getState().state).toBe('CollectPartySize');
  });

  it('moves to memory when the disk fills mid-conversation, and the conversation goes on', async () => {
    const { chat, events } = track(
      openChat({ flow: reservationsFlow() }, { openStore: async () => ({ store: new FillingStore(`filling-${Math.random()}`, 2), fallback: null }) }),
    );
    await chat.ready;
    await chat.send("I'd like to book");
    await chat.idle();
    await chat.choose('4');
    await chat.idle();
    const state = chat.getState();
    expect(state.storage).toBe('memory');
    expect(events.filter((event) => event.name === 'warning').map((event) => (event.data as { code: string }).code)).toEqual(['storage_quota']);
    expect(state.messages.some((message) => message.notice === 'storage')).toBe(true);
    expect(state.state).toBe('CollectDateTime');
  });

  it('gives way to a newer database version opened by another tab (blocking), then carries on in memory', async () => {
    const { chat, database, events } = track(openChat({ flow: reservationsFlow() }));
    await chat.ready;
    await chat.idle();
    await new Promise<void>((resolve, reject) => {
      const request = indexedDB.open(database, 2);
      request.onsuccess = () => {
        request.result.close();
        resolve();
      };
      request.onerror = () => reject(request.error);
    });
    await chat.send("I'd like to book");
    await chat.idle();
    expect(chat.getState().storage).toBe('memory');
    expect(events.some((event) => event.name === 'warning')).toBe(true);
    expect(chat.getState().state).toBe('CollectPartySize');
  });

  it('storage: "memory" keeps the conversation in memory without a warning', async () => {
    const { chat, events } = track(openChat({ flow: reservationsFlow(), storage: 'memory' }));
    await chat.ready;
    await chat.idle();
    expect(chat.getState().storage).toBe('memory');
    expect(events.filter((event) => event.name === 'warning')).toEqual([]);
    expect(chat.getState().messages.some((message) => message.role === 'notice')).toBe(false);
  });

  it('journal, snapshot and transcript round-trip through JSON', async () => {
    const store = new MemoryStore();
    const { chat } = track(openChat({ flow: reservationsFlow() }, { openStore: async () => ({ store, fallback: null }) }));
    await chat.ready;
    await chat.send("I'd like to book");
    await chat.idle();
    const stored = await store.load('reservations');
    const journal = await store.journal('reservations');
    expect(JSON.parse(JSON.stringify(stored))).toEqual(stored);
    expect(JSON.parse(JSON.stringify(journal))).toEqual(journal);
  });
});

describe('timers across a reload', () => {
  const timerFlow = () => ({
    meta: { name: 'Timer test', id: 'timers' },
    start: 'Wait',
    intents: {},
    states: { Wait: { onEnter: [{ say: 'Hi' }], after: [{ ms: 60_000, do: [{ say: 'Still there? {{event.late}}' }] }] } },
  });

  it('re-arms a timer for its absolute deadline, and fires an overdue one once, late', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'setInterval', 'clearInterval'] });
    try {
      const store = new MemoryStore();
      const clock = { now: Date.parse('2026-11-23T10:00:00Z') };
      const environment = { openStore: async () => ({ store, fallback: null }) };
      const first = openChat({ flow: timerFlow() as never }, environment, { clock });
      await first.chat.ready;
      await first.chat.idle();
      clock.now += 30_000;
      await first.chat.destroy();

      clock.now += 10_000;
      const second = openChat({ flow: timerFlow() as never }, environment, { clock });
      await second.chat.ready;
      await second.chat.idle();
      clock.now += 19_000;
      await vi.advanceTimersByTimeAsync(19_000);
      await second.chat.idle();
      expect(second.chat.getState().messages.map((message) => message.text)).toEqual(['Hi']);
      clock.now += 1_500;
      await vi.advanceTimersByTimeAsync(1_500);
      await second.chat.idle();
      expect(second.chat.getState().messages.map((message) => message.text)).toEqual(['Hi', 'Still there? false']);
      await second.chat.destroy();

      const third = track(openChat({ flow: timerFlow() as never }, environment, { clock }));
      await third.chat.ready;
      await third.chat.idle();
      expect(third.chat.getState().messages.map((message) => message.text)).toEqual(['Hi', 'Still there? false']);
      await third.chat.destroy();

      const fresh = new MemoryStore();
      const late = openChat({ flow: timerFlow() as never }, { openStore: async () => ({ store: fresh, fallback: null }) }, { clock });
      await late.chat.ready;
      await late.chat.idle();
      await late.chat.destroy();
      clock.now += 5 * 60_000;
      const reopened = track(openChat({ flow: timerFlow() as never }, { openStore: async () => ({ store: fresh, fallback: null }) }, { clock }));
      await reopened.chat.ready;
      await reopened.chat.idle();
      await vi.advanceTimersByTimeAsync(1);
      await reopened.chat.idle();
      expect(reopened.chat.getState().messages.map((message) => message.text)).toEqual(['Hi', 'Still there? true']);
    } finally {
      vi.useRealTimers();
    }
  });
});
