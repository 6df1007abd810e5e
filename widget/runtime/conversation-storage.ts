/**
 * Where the conversation is kept: IndexedDB when it is asked for and works,
 * memory otherwise (private browsing, storage disabled, quota). A failure
 * when opening or in the middle of a conversation moves to memory, with a
 * warning, and the conversation goes on from what the page holds.
 */
import type { ChatState } from '../chat-types.ts';
import { storageErrorOf, type ChatStore, type StorageError } from '../store/chat-store.ts';
import { MemoryStore } from '../store/memory-store.ts';
import { openStore, type OpenedStore, type OpenStoreOptions } from '../store/open-store.ts';
import type { StoreChange } from '../store/records.ts';

export interface StorageHooks {
  /** Storage fell back to memory (when opening, or later): tell the page. */
  warn(error: StorageError): void;
  /** Later, mid-conversation: what the page holds, to write into the memory store (null when there is nothing yet). */
  carryOver(): StoreChange | null;
  /** The conversation is in memory now. */
  moved(): void;
}

export class ConversationStorage {
  /** A memory store until `open` has opened the one asked for. */
  store: ChatStore = new MemoryStore();
  /** What was asked for until `open`, then what is in use. */
  kind: ChatState['storage'];
  /** Whether this page fell back to memory (the transcript says so once). */
  fellBack = false;

  readonly #namespace: string;
  readonly #hooks: StorageHooks;

  constructor(namespace: string, asked: ChatState['storage'], hooks: StorageHooks) {
    this.#namespace = namespace;
    this.#hooks = hooks;
    this.kind = asked;
  }

  /** Opens the storage asked for (`open`: the default `openStore`, or a test's). False when `stillWanted()` turned false meanwhile. */
  async open(options: Omit<OpenStoreOptions, 'storage'>, stillWanted: () => boolean, open: (options: OpenStoreOptions) => Promise<OpenedStore> = openStore): Promise<boolean> {
    const opened = await open({ ...options, storage: this.kind });
    if (!stillWanted()) {
      opened.store.close();
      return false;
    }
    this.store = opened.store;
    this.kind = opened.store.kind;
    if (opened.fallback) this.#warn(opened.fallback);
    return true;
  }

  /** Writes a turn; a storage failure moves the conversation to memory instead of losing it. */
  async commit(change: StoreChange): Promise<void> {
    try {
      await this.store.commit(this.#namespace, change);
    } catch (error) {
      await this.fallBack(storageErrorOf(error, 'saving'));
    }
  }

  /** Forgets the conversation (a reset). */
  async clear(): Promise<void> {
    await this.store.clear(this.#namespace).catch((error: unknown) => this.fallBack(storageErrorOf(error, 'clearing')));
  }

  /** IndexedDB failed mid-conversation (quota, closed): carry on in memory, from what the page holds. */
  async fallBack(error: StorageError): Promise<void> {
    if (this.store.kind === 'memory') return;
    this.store.close();
    const memory = new MemoryStore();
    this.store = memory;
    this.kind = 'memory';
    this.#warn(error);
    const held = this.#hooks.carryOver();
    if (!held) return;
    await memory.commit(this.#namespace, held);
    this.#hooks.moved();
  }

  close(): void {
    this.store.close();
  }

  #warn(error: StorageError): void {
    this.fellBack = true;
    this.#hooks.warn(error);
  }
}
