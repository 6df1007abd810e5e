import { describe, expect, it } from 'vitest';
import { initialSnapshot } from '../../widget/engine/index.ts';
import { ConversationStorage, type StorageHooks } from '../../widget/runtime/conversation-storage.ts';
import { StorageError, type ChatStore } from '../../widget/store/chat-store.ts';
import { MemoryStore } from '../../widget/store/index.ts';
import type { SessionRecord, StoreChange } from '../../widget/store/records.ts';
import { loadFlowOrThrow } from '../../flows/index.ts';

const flow = loadFlowOrThrow({ meta: { name: 'T', id: 't', version: '1' }, start: 'A', intents: {}, states: { A: { onEnter: [{ say: 'Hi' }], final: true } } });
const session: SessionRecord = {
  namespace: 'n',
  sessionId: 's1',
  flow: { id: 't', version: '1', name: 'T' },
  base: initialSnapshot(flow),
  snapshot: initialSnapshot(flow),
  handoff: null,
  nextOrder: 1,
  updatedAt: 0,
};

/** An IndexedDB-like store whose every write fails the way a full disk does. */
function fullDisk(): ChatStore & { closed: boolean } {
  const quota = () => Promise.reject(Object.assign(new Error('the quota has been exceeded'), { name: 'QuotaExceededError' }));
  return {
    kind: 'indexeddb',
    closed: false,
    load: async () => null,
    journal: async () => [],
    commit: quota,
    clear: quota,
    readFlow: async () => undefined,
    close() {
      this.closed = true;
    },
  };
}

function hooks(carried: StoreChange | null) {
  const log: string[] = [];
  const value: StorageHooks = {
    warn: (error) => log.push(`warn ${error.code}`),
    carryOver: () => {
      log.push('carry over');
      return carried;
    },
    moved: () => log.push('moved'),
  };
  return { value, log };
}

describe('the conversation’s storage', () => {
  it('uses the store it opened, and says so once when opening fell back to memory', async () => {
    const { value, log } = hooks(null);
    const storage = new ConversationStorage('n', 'indexeddb', value);
    expect(storage.kind).toBe('indexeddb');
    const opened = await storage.open({}, () => true, async () => ({ store: new MemoryStore(), fallback: new StorageError('unavailable', 'IndexedDB is not available in this browser') }));
    expect(opened).toBe(true);
    expect(storage.kind).toBe('memory');
    expect(storage.fellBack).toBe(true);
    expect(log).toEqual(['warn unavailable']);
  });

  it('closes what it opened when the chat went away meanwhile', async () => {
    const store = fullDisk();
    const storage = new ConversationStorage('n', 'indexeddb', hooks(null).value);
    expect(await storage.open({}, () => false, async () => ({ store, fallback: null }))).toBe(false);
    expect(store.closed).toBe(true);
    expect(storage.store).not.toBe(store);
  });

  it('moves a conversation to memory when a write fails, with what the page holds, and writes there after', async () => {
    const disk = fullDisk();
    const { value, log } = hooks({ session, messages: [{ namespace: 'n', id: 'm1', role: 'bot', text: 'Hi', at: 0, order: 0 }] });
    const storage = new ConversationStorage('n', 'indexeddb', value);
    await storage.open({}, () => true, async () => ({ store: disk, fallback: null }));
    expect(storage.kind).toBe('indexeddb');

    await storage.commit({ session: { ...session, nextOrder: 2 } });
    expect(log).toEqual(['warn quota', 'carry over', 'moved']);
    expect(disk.closed).toBe(true);
    expect(storage.kind).toBe('memory');
    expect((await storage.store.load('n'))?.messages.map((message) => message.text)).toEqual(['Hi']);

    await storage.commit({ messages: [{ namespace: 'n', id: 'm2', role: 'bot', text: 'Still here', at: 1, order: 1 }] });
    expect((await storage.store.load('n'))?.messages.map((message) => message.text)).toEqual(['Hi', 'Still here']);
    expect(log).toHaveLength(3);
  });

  it('falls back on a failed reset too, and carries nothing over before a session exists', async () => {
    const { value, log } = hooks(null);
    const storage = new ConversationStorage('n', 'indexeddb', value);
    await storage.open({}, () => true, async () => ({ store: fullDisk(), fallback: null }));
    await storage.clear();
    expect(log).toEqual(['warn quota', 'carry over']);
    expect(storage.kind).toBe('memory');
  });
});
