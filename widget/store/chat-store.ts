import type { FlowRecord, JournalRecord, StoreChange, StoredConversation } from './records.ts';

/**
 * Where a conversation lives: IndexedDB, or memory when IndexedDB cannot be
 * used. Every method may reject (quota, a closed database); the runtime then
 * moves the conversation to memory and says so.
 */
export interface ChatStore {
  readonly kind: 'indexeddb' | 'memory';
  load(namespace: string): Promise<StoredConversation | null>;
  /** The journal since the session's base snapshot, in order. */
  journal(namespace: string): Promise<JournalRecord[]>;
  /** Applies one change atomically (one transaction). */
  commit(namespace: string, change: StoreChange): Promise<void>;
  /** Forgets the conversation (session, transcript, journal, outbox). */
  clear(namespace: string): Promise<void>;
  readFlow(key: string): Promise<FlowRecord | undefined>;
  close(): void;
}

/** Raised when the store cannot do what was asked; `cause` is the browser's error. */
export class StorageError extends Error {
  override readonly name = 'StorageError';
  constructor(
    readonly code: 'unavailable' | 'quota' | 'failed' | 'closed',
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** Names a browser storage failure: a full disk and private browsing read differently to people. */
export function storageErrorOf(error: unknown, doing: string): StorageError {
  if (error instanceof StorageError) return error;
  const name = error instanceof Error || (typeof DOMException !== 'undefined' && error instanceof DOMException) ? (error as Error).name : '';
  if (name === 'QuotaExceededError') return new StorageError('quota', `storage is full (${doing})`, { cause: error });
  if (name === 'SecurityError' || name === 'InvalidStateError') {
    return new StorageError('unavailable', `IndexedDB cannot be used here (${doing}): ${String((error as Error).message)}`, { cause: error });
  }
  return new StorageError('failed', `IndexedDB failed (${doing}): ${error instanceof Error ? error.message : String(error)}`, { cause: error });
}
