export { StorageError, storageErrorOf } from './chat-store.ts';
export type { ChatStore } from './chat-store.ts';
export { IdbStore, DATABASE_NAME, DATABASE_VERSION } from './idb-store.ts';
export type { DatabaseEvent, IdbStoreOptions, StatechatSchema } from './idb-store.ts';
export { MemoryStore } from './memory-store.ts';
export { openStore } from './open-store.ts';
export type { OpenedStore, OpenStoreOptions } from './open-store.ts';
export type * from './records.ts';
export { pinnedFlowKey, relayFlowKey } from './records.ts';
