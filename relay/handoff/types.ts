/**
 * Live handoff: the one conversation state the relay holds. A handoff is a
 * record (who, why, which queue, its status) and an append-only list of
 * events numbered from 1 — the transcript handed over, then the messages of
 * the visitor and the agent, the agent joining, the close. The event number
 * is the Server-Sent Events id, so a client resumes with `Last-Event-ID`.
 */
import type { Json } from '../../flows/index.ts';

export type HandoffStatus = 'waiting' | 'active' | 'closed';
export type HandoffRole = 'visitor' | 'bot' | 'agent';

/** One message of a handoff's transcript, as agents read it. */
export interface HandoffMessage {
  role: HandoffRole;
  text: string;
  /** Epoch milliseconds. */
  at: number;
  /** Agent messages: who wrote it. */
  agent?: string;
}

/** What happened in a handoff, in order; `seq` is its number (1, 2, …). */
export type HandoffEvent =
  | { seq: number; type: 'message'; message: HandoffMessage }
  | { seq: number; type: 'joined'; agent: string; at: number }
  | {
      seq: number;
      type: 'closed';
      at: number;
      /** Who ended it: an agent, the visitor (the flow moved on), or retention. */
      by: 'agent' | 'visitor';
      /** The flow event the widget fires (default `handoff.closed`), and its data. */
      event?: string;
      data?: Json;
    };

/** An event before the store numbers it. */
export type NewHandoffEvent = HandoffEvent extends infer Event ? (Event extends { seq: number } ? Omit<Event, 'seq'> : never) : never;

export interface HandoffRecord {
  id: string;
  flowId: string;
  sessionId: string;
  reason: string | null;
  queue: string | null;
  status: HandoffStatus;
  /** The agent who joined, once one has. */
  agent: string | null;
  createdAt: number;
  updatedAt: number;
  /** SHA-256 (hex) of the visitor's secret: only the browser that opened the handoff reads and writes it. */
  visitorKeyHash: string;
}

/** What `append` may change besides adding the event, checked and done atomically. */
export interface AppendRule {
  /** The event is added only while the handoff's status is one of these. */
  whileStatus: readonly HandoffStatus[];
  /** The status after it. */
  setStatus?: HandoffStatus;
  /** The agent after it (a join). */
  setAgent?: string;
  /** Added at most once per key: a retried visitor message is not repeated. */
  dedupeKey?: string;
}

export type AppendOutcome =
  | { kind: 'appended'; event: HandoffEvent; record: HandoffRecord }
  /** The same `dedupeKey` was appended before: that event's number. */
  | { kind: 'duplicate'; seq: number; record: HandoffRecord }
  | { kind: 'refused'; record: HandoffRecord }
  | { kind: 'missing' };

/**
 * Where handoffs live: this process's memory (one relay), or Redis (several
 * relays behind a load balancer; a message posted on one reaches a visitor
 * connected to another). Every change happens atomically, and every record
 * expires `retentionMs` after its last change.
 */
export interface HandoffStore {
  /**
   * Creates the handoff with its transcript, unless `openKey` opened one
   * before (a retried open): then that one is returned with `created: false`.
   */
  create(openKey: string, record: HandoffRecord, transcript: readonly HandoffMessage[], retentionMs: number): Promise<{ created: boolean; record: HandoffRecord }>;
  get(id: string): Promise<HandoffRecord | null>;
  /** Handoffs not closed, newest first. */
  listOpen(limit: number): Promise<HandoffRecord[]>;
  append(id: string, event: NewHandoffEvent, rule: AppendRule, retentionMs: number): Promise<AppendOutcome>;
  /** Events numbered above `afterSeq`, in order, at most `limit`. */
  eventsAfter(id: string, afterSeq: number, limit: number): Promise<HandoffEvent[]>;
  /**
   * Calls `listener` after each change to handoff `id` (with `'*'`: to any
   * handoff, including new ones). The listener re-reads what it needs, so a
   * notice that arrives twice or late does no harm. Returns the unsubscribe.
   */
  subscribe(id: string, listener: (id: string) => void): () => void;
}

/** Handoffs are kept a day after their last change unless told otherwise. */
export const DEFAULT_HANDOFF_RETENTION_MS = 24 * 60 * 60 * 1000;
export const MAX_EVENTS_PER_READ = 500;
