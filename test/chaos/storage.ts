/**
 * The real IndexedDB store (`IdbStore` over fake-indexeddb, one database per
 * simulated browser) behind a seam that fails writes on purpose: an aborted
 * transaction or a full disk, decided by the schedule. A failed write changes
 * nothing, as an aborted transaction does. A page killed by the simulation
 * never hears back from its store again.
 */
import type { ChatStore } from '../../widget/store/chat-store.ts';
import { IdbStore } from '../../widget/store/idb-store.ts';
import type { OpenedStore, OpenStoreOptions } from '../../widget/store/open-store.ts';
import { storageErrorOf } from '../../widget/store/chat-store.ts';
import type { FlowRecord, JournalRecord, StoreChange, StoredConversation } from '../../widget/store/records.ts';

export type StorageFaultKind = 'abort' | 'quota' | 'read';

export class StorageFaults {
  private queued: ('abort' | 'quota')[] = [];
  private reads = 0;
  injected = { abort: 0, quota: 0, read: 0 };

  /** `drop-journal` / `drop-user-messages`: a planted defect, for the tests of the invariants. */
  constructor(readonly sabotage: 'drop-journal' | 'drop-user-messages' | null = null) {}

  /** The next `count` writes (commits and clears) fail with `kind`, or the next `count` reads (`read`). */
  failNext(kind: StorageFaultKind, count: number): void {
    if (kind === 'read') this.reads += count;
    else for (let index = 0; index < count; index += 1) this.queued.push(kind);
  }

  clear(): void {
    this.queued = [];
    this.reads = 0;
  }

  take(): 'abort' | 'quota' | undefined {
    const kind = this.queued.shift();
    if (kind) this.injected[kind] += 1;
    return kind;
  }

  /** Whether this read fails (an aborted read-only transaction). */
  takeRead(): boolean {
    if (this.reads === 0) return false;
    this.reads -= 1;
    this.injected.read += 1;
    return true;
  }
}

function faultError(kind: 'abort' | 'quota'): DOMException {
  return kind === 'quota'
    ? new DOMException('The quota has been exceeded.', 'QuotaExceededError')
    : new DOMException('The transaction was aborted, so the request cannot be fulfilled.', 'AbortError');
}

const never = <T>(): Promise<T> => new Promise<T>(() => undefined);

class FaultyStore implements ChatStore {
  readonly kind = 'indexeddb';

  constructor(
    private readonly inner: IdbStore,
    private readonly faults: StorageFaults,
    private readonly alive: () => boolean,
  ) {}

  private guard<T>(run: () => Promise<T>): Promise<T> {
    if (!this.alive()) return never();
    return run().then(
      (value) => (this.alive() ? value : never<T>()),
      (error: unknown) => (this.alive() ? Promise.reject(error) : never<T>()),
    );
  }

  private read<T>(doing: string, run: () => Promise<T>): Promise<T> {
    return this.guard(() => (this.faults.takeRead() ? Promise.reject(storageErrorOf(faultError('abort'), doing)) : run()));
  }

  load(namespace: string): Promise<StoredConversation | null> {
    return this.read('loading the conversation', () => this.inner.load(namespace));
  }

  journal(namespace: string): Promise<JournalRecord[]> {
    return this.read('reading the journal', () => this.inner.journal(namespace));
  }

  commit(namespace: string, change: StoreChange): Promise<void> {
    return this.guard(() => {
      const fault = this.faults.take();
      if (fault) return Promise.reject(storageErrorOf(faultError(fault), 'saving the conversation'));
      if (this.faults.sabotage === 'drop-journal') return this.inner.commit(namespace, { ...change, journal: [] });
      if (this.faults.sabotage === 'drop-user-messages') return this.inner.commit(namespace, { ...change, messages: (change.messages ?? []).filter((message) => message.role !== 'user') });
      return this.inner.commit(namespace, change);
    });
  }

  clear(namespace: string): Promise<void> {
    return this.guard(() => {
      const fault = this.faults.take();
      if (fault) return Promise.reject(storageErrorOf(faultError(fault), 'clearing the conversation'));
      return this.inner.clear(namespace);
    });
  }

  readFlow(key: string): Promise<FlowRecord | undefined> {
    return this.read('reading a flow', () => this.inner.readFlow(key));
  }

  close(): void {
    this.inner.close();
  }
}

/** `ChatEnvironment.openStore` for one page: the real IndexedDB store with injected faults. */
export function faultyOpenStore(faults: StorageFaults, alive: () => boolean): (options: OpenStoreOptions) => Promise<OpenedStore> {
  return async (options) => {
    const inner = new IdbStore({
      ...(options.databaseName === undefined ? {} : { name: options.databaseName }),
      ...(options.onDatabaseEvent === undefined ? {} : { onEvent: options.onDatabaseEvent }),
    });
    await inner.open();
    return { store: new FaultyStore(inner, faults, alive), fallback: null };
  };
}
