import { openDB, type DBSchema, type IDBPDatabase } from 'idb';
import { StorageError, storageErrorOf, type ChatStore } from './chat-store.ts';
import type { FlowRecord, JournalRecord, MessageRecord, OutboxRecord, SessionRecord, StoreChange, StoredConversation } from './records.ts';

/** The IndexedDB layout. Conversation records are keyed by namespace first, so one namespace is one key range. */
export interface StatechatSchema extends DBSchema {
  sessions: { key: string; value: SessionRecord };
  messages: { key: [string, string]; value: MessageRecord; indexes: { byOrder: [string, number] } };
  journal: { key: [string, number]; value: JournalRecord };
  outbox: { key: [string, string]; value: OutboxRecord };
  flows: { key: string; value: FlowRecord };
}

export const DATABASE_NAME = 'statechat';
/** Bump with a new `if (oldVersion < N)` block in `upgrade`; never edit an old block. */
export const DATABASE_VERSION = 1;

export type DatabaseEvent =
  /** Another tab keeps an older version open; opening waits until it lets go. */
  | { type: 'blocked' }
  /** Another tab wants a newer version: this connection closed itself and reopens on next use. */
  | { type: 'blocking' }
  /** The browser closed the connection (storage cleared, disk error); it reopens on next use. */
  | { type: 'terminated' };

export interface IdbStoreOptions {
  name?: string;
  onEvent?: (event: DatabaseEvent) => void;
}

type Database = IDBPDatabase<StatechatSchema>;

function upgrade(database: Database, oldVersion: number): void {
  if (oldVersion < 1) {
    database.createObjectStore('sessions', { keyPath: 'namespace' });
    const messages = database.createObjectStore('messages', { keyPath: ['namespace', 'id'] });
    messages.createIndex('byOrder', ['namespace', 'order']);
    database.createObjectStore('journal', { keyPath: ['namespace', 'seq'] });
    database.createObjectStore('outbox', { keyPath: ['namespace', 'id'] });
    database.createObjectStore('flows', { keyPath: 'key' });
  }
}

/** Every key of a namespace in a `[namespace, …]`-keyed store: arrays sort after numbers and strings. */
function namespaceRange(namespace: string): IDBKeyRange {
  return IDBKeyRange.bound([namespace], [namespace, []]);
}

const CONVERSATION_STORES = ['sessions', 'messages', 'journal', 'outbox', 'flows'] as const;

export class IdbStore implements ChatStore {
  readonly kind = 'indexeddb';
  #database: Promise<Database> | null = null;
  #closed = false;

  constructor(private readonly options: IdbStoreOptions = {}) {}

  /** Opens (or reopens after `blocking`/`terminated`) the database. */
  open(): Promise<Database> {
    if (this.#closed) return Promise.reject(new StorageError('closed', 'the store is closed'));
    if (this.#database) return this.#database;
    const onEvent = this.options.onEvent;
    const opening = openDB<StatechatSchema>(this.options.name ?? DATABASE_NAME, DATABASE_VERSION, {
      upgrade: (database, oldVersion) => upgrade(database, oldVersion),
      blocked: () => onEvent?.({ type: 'blocked' }),
      blocking: () => {
        // Let the newer code upgrade; our next call reopens against the new version.
        void opening.then((database) => database.close());
        this.#database = null;
        onEvent?.({ type: 'blocking' });
      },
      terminated: () => {
        this.#database = null;
        onEvent?.({ type: 'terminated' });
      },
    });
    this.#database = opening;
    opening.catch(() => {
      if (this.#database === opening) this.#database = null;
    });
    return opening.catch((error: unknown) => {
      throw storageErrorOf(error, 'opening the database');
    });
  }

  async load(namespace: string): Promise<StoredConversation | null> {
    try {
      const database = await this.open();
      const transaction = database.transaction(['sessions', 'messages', 'outbox'], 'readonly');
      const [session, messages, outbox] = await Promise.all([
        transaction.objectStore('sessions').get(namespace),
        transaction.objectStore('messages').index('byOrder').getAll(IDBKeyRange.bound([namespace, -Infinity], [namespace, Infinity])),
        transaction.objectStore('outbox').getAll(namespaceRange(namespace)),
        transaction.done,
      ]);
      if (!session) return null;
      return { session, messages, outbox };
    } catch (error) {
      throw storageErrorOf(error, 'loading the conversation');
    }
  }

  async journal(namespace: string): Promise<JournalRecord[]> {
    try {
      const database = await this.open();
      return await database.getAll('journal', namespaceRange(namespace));
    } catch (error) {
      throw storageErrorOf(error, 'reading the journal');
    }
  }

  async commit(namespace: string, change: StoreChange): Promise<void> {
    try {
      const database = await this.open();
      const transaction = database.transaction(CONVERSATION_STORES, 'readwrite');
      // Requests are queued synchronously and awaited together: awaiting
      // anything else inside an IndexedDB transaction lets it auto-commit.
      const requests: Promise<unknown>[] = [];
      const range = namespaceRange(namespace);
      if (change.clearJournal) requests.push(transaction.objectStore('journal').delete(range));
      if (change.clearMessages) requests.push(transaction.objectStore('messages').delete(range));
      if (change.clearOutbox) requests.push(transaction.objectStore('outbox').delete(range));
      for (const entry of change.journal ?? []) requests.push(transaction.objectStore('journal').put(entry));
      for (const message of change.messages ?? []) requests.push(transaction.objectStore('messages').put(message));
      for (const id of change.outboxDelete ?? []) requests.push(transaction.objectStore('outbox').delete([namespace, id]));
      for (const record of change.outboxPut ?? []) requests.push(transaction.objectStore('outbox').put(record));
      for (const flow of change.flows ?? []) requests.push(transaction.objectStore('flows').put(flow));
      if (change.session) requests.push(transaction.objectStore('sessions').put(change.session));
      await Promise.all([...requests, transaction.done]);
    } catch (error) {
      throw storageErrorOf(error, 'saving the conversation');
    }
  }

  async clear(namespace: string): Promise<void> {
    try {
      const database = await this.open();
      const transaction = database.transaction(['sessions', 'messages', 'journal', 'outbox'], 'readwrite');
      const range = namespaceRange(namespace);
      await Promise.all([
        transaction.objectStore('sessions').delete(namespace),
        transaction.objectStore('messages').delete(range),
        transaction.objectStore('journal').delete(range),
        transaction.objectStore('outbox').delete(range),
        transaction.done,
      ]);
    } catch (error) {
      throw storageErrorOf(error, 'clearing the conversation');
    }
  }

  async readFlow(key: string): Promise<FlowRecord | undefined> {
    try {
      const database = await this.open();
      return await database.get('flows', key);
    } catch (error) {
      throw storageErrorOf(error, 'reading a flow');
    }
  }

  close(): void {
    this.#closed = true;
    const database = this.#database;
    this.#database = null;
    void database?.then((opened) => opened.close(), () => undefined);
  }
}
