import { NotifyHub } from './notify-hub.ts';
import type { AppendOutcome, AppendRule, HandoffEvent, HandoffMessage, HandoffRecord, HandoffStore, NewHandoffEvent } from './types.ts';

interface Entry {
  record: HandoffRecord;
  events: HandoffEvent[];
  dedupe: Map<string, number>;
  expiresAt: number;
}

export interface MemoryHandoffStoreOptions {
  now?: () => number;
  /** Handoffs kept at most; past it the oldest closed ones go first, then the oldest. Default 10,000. */
  maxHandoffs?: number;
}

/**
 * Handoffs in this process's memory: right for one relay instance. They are
 * lost when the process stops; use the Redis store to keep them across
 * restarts and share them between relays.
 */
export class MemoryHandoffStore implements HandoffStore {
  readonly #entries = new Map<string, Entry>();
  readonly #openKeys = new Map<string, { id: string; expiresAt: number }>();
  readonly #hub = new NotifyHub();
  readonly #now: () => number;
  readonly #maxHandoffs: number;

  constructor(options: MemoryHandoffStoreOptions = {}) {
    this.#now = options.now ?? Date.now;
    this.#maxHandoffs = options.maxHandoffs ?? 10_000;
  }

  async create(openKey: string, record: HandoffRecord, transcript: readonly HandoffMessage[], retentionMs: number): Promise<{ created: boolean; record: HandoffRecord }> {
    const now = this.#now();
    const opened = this.#openKeys.get(openKey);
    const existing = opened && opened.expiresAt > now ? this.#live(opened.id) : undefined;
    if (existing) return { created: false, record: { ...existing.record } };
    const events: HandoffEvent[] = transcript.map((message, index) => ({ seq: index + 1, type: 'message', message: { ...message } }));
    this.#entries.set(record.id, { record: { ...record }, events, dedupe: new Map(), expiresAt: now + retentionMs });
    this.#openKeys.set(openKey, { id: record.id, expiresAt: now + retentionMs });
    this.#enforceCap(now);
    this.#hub.notify(record.id);
    return { created: true, record: { ...record } };
  }

  async get(id: string): Promise<HandoffRecord | null> {
    const entry = this.#live(id);
    return entry ? { ...entry.record } : null;
  }

  async listOpen(limit: number): Promise<HandoffRecord[]> {
    const open: HandoffRecord[] = [];
    for (const id of this.#entries.keys()) {
      const entry = this.#live(id);
      if (entry && entry.record.status !== 'closed') open.push({ ...entry.record });
    }
    return open.sort((first, second) => second.createdAt - first.createdAt || (first.id < second.id ? 1 : -1)).slice(0, limit);
  }

  async append(id: string, event: NewHandoffEvent, rule: AppendRule, retentionMs: number): Promise<AppendOutcome> {
    const entry = this.#live(id);
    if (!entry) return { kind: 'missing' };
    if (rule.dedupeKey !== undefined) {
      const seen = entry.dedupe.get(rule.dedupeKey);
      if (seen !== undefined) return { kind: 'duplicate', seq: seen, record: { ...entry.record } };
    }
    if (!rule.whileStatus.includes(entry.record.status)) return { kind: 'refused', record: { ...entry.record } };
    const numbered = { ...event, seq: entry.events.length + 1 } as HandoffEvent;
    entry.events.push(numbered);
    if (rule.dedupeKey !== undefined) entry.dedupe.set(rule.dedupeKey, numbered.seq);
    const now = this.#now();
    entry.record = {
      ...entry.record,
      ...(rule.setStatus ? { status: rule.setStatus } : {}),
      ...(rule.setAgent !== undefined ? { agent: rule.setAgent } : {}),
      updatedAt: now,
    };
    entry.expiresAt = now + retentionMs;
    // Map order follows the last change, so the cap drops the stalest first.
    this.#entries.delete(id);
    this.#entries.set(id, entry);
    this.#hub.notify(id);
    return { kind: 'appended', event: numbered, record: { ...entry.record } };
  }

  async eventsAfter(id: string, afterSeq: number, limit: number): Promise<HandoffEvent[]> {
    const entry = this.#live(id);
    if (!entry) return [];
    return entry.events.slice(Math.max(0, afterSeq), Math.max(0, afterSeq) + limit);
  }

  subscribe(id: string, listener: (id: string) => void): () => void {
    return this.#hub.subscribe(id, listener);
  }

  #live(id: string): Entry | undefined {
    const entry = this.#entries.get(id);
    if (!entry) return undefined;
    if (entry.expiresAt > this.#now()) return entry;
    this.#entries.delete(id);
    return undefined;
  }

  #enforceCap(now: number): void {
    if (this.#entries.size <= this.#maxHandoffs) return;
    for (const [id, entry] of this.#entries) if (entry.expiresAt <= now) this.#entries.delete(id);
    for (const [id, entry] of this.#entries) {
      if (this.#entries.size <= this.#maxHandoffs) break;
      if (entry.record.status === 'closed') this.#entries.delete(id);
    }
    for (const id of this.#entries.keys()) {
      if (this.#entries.size <= this.#maxHandoffs) break;
      this.#entries.delete(id);
    }
    for (const [key, opened] of this.#openKeys) if (opened.expiresAt <= now || !this.#entries.has(opened.id)) this.#openKeys.delete(key);
  }
}
