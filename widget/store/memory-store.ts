import type { ChatStore } from './chat-store.ts';
import type { FlowRecord, JournalRecord, MessageRecord, OutboxRecord, SessionRecord, StoreChange, StoredConversation } from './records.ts';

interface Conversation {
  session: SessionRecord | null;
  messages: Map<string, MessageRecord>;
  journal: JournalRecord[];
  outbox: Map<string, OutboxRecord>;
}

/**
 * The fallback: the same records in this page's memory. Values are cloned in
 * and out, so callers cannot change what is stored by holding a reference.
 */
export class MemoryStore implements ChatStore {
  readonly kind = 'memory';
  readonly #conversations = new Map<string, Conversation>();
  readonly #flows = new Map<string, FlowRecord>();

  #conversation(namespace: string): Conversation {
    let conversation = this.#conversations.get(namespace);
    if (!conversation) {
      conversation = { session: null, messages: new Map(), journal: [], outbox: new Map() };
      this.#conversations.set(namespace, conversation);
    }
    return conversation;
  }

  load(namespace: string): Promise<StoredConversation | null> {
    const conversation = this.#conversations.get(namespace);
    if (!conversation?.session) return Promise.resolve(null);
    const messages = [...conversation.messages.values()].sort((a, b) => a.order - b.order);
    return Promise.resolve(structuredClone({ session: conversation.session, messages, outbox: [...conversation.outbox.values()] }));
  }

  journal(namespace: string): Promise<JournalRecord[]> {
    return Promise.resolve(structuredClone(this.#conversations.get(namespace)?.journal ?? []));
  }

  commit(namespace: string, change: StoreChange): Promise<void> {
    const conversation = this.#conversation(namespace);
    const copy = structuredClone(change);
    if (copy.session) conversation.session = copy.session;
    if (copy.clearJournal) conversation.journal = [];
    if (copy.journal) conversation.journal.push(...copy.journal);
    if (copy.clearMessages) conversation.messages.clear();
    for (const message of copy.messages ?? []) conversation.messages.set(message.id, message);
    if (copy.clearOutbox) conversation.outbox.clear();
    for (const id of copy.outboxDelete ?? []) conversation.outbox.delete(id);
    for (const record of copy.outboxPut ?? []) conversation.outbox.set(record.id, record);
    for (const flow of copy.flows ?? []) this.#flows.set(flow.key, flow);
    return Promise.resolve();
  }

  clear(namespace: string): Promise<void> {
    this.#conversations.delete(namespace);
    return Promise.resolve();
  }

  readFlow(key: string): Promise<FlowRecord | undefined> {
    const flow = this.#flows.get(key);
    return Promise.resolve(flow ? structuredClone(flow) : undefined);
  }

  close(): void {}
}
