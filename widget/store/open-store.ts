import { StorageError, storageErrorOf, type ChatStore } from './chat-store.ts';
import { IdbStore, type DatabaseEvent } from './idb-store.ts';
import { MemoryStore } from './memory-store.ts';

export interface OpenStoreOptions {
  storage: 'indexeddb' | 'memory';
  databaseName?: string;
  onDatabaseEvent?: (event: DatabaseEvent) => void;
}

export type OpenedStore = { store: ChatStore; fallback: StorageError | null };

/**
 * IndexedDB when asked for and usable; memory otherwise, with the reason, so
 * the conversation goes on (private browsing, storage disabled, quota).
 */
export async function openStore(options: OpenStoreOptions): Promise<OpenedStore> {
  if (options.storage === 'memory') return { store: new MemoryStore(), fallback: null };
  if (typeof indexedDB === 'undefined' || indexedDB === null) {
    return { store: new MemoryStore(), fallback: new StorageError('unavailable', 'IndexedDB is not available in this browser') };
  }
  const store = new IdbStore({
    ...(options.databaseName === undefined ? {} : { name: options.databaseName }),
    ...(options.onDatabaseEvent === undefined ? {} : { onEvent: options.onDatabaseEvent }),
  });
  try {
    await store.open();
    return { store, fallback: null };
  } catch (error) {
    store.close();
    return { store: new MemoryStore(), fallback: storageErrorOf(error, 'opening the database') };
  }
}
