/**
 * What the widget keeps per conversation. Plain JSON values, so the same
 * records live in IndexedDB, in memory, and cross tabs over BroadcastChannel.
 */
import type { Flow } from '../../flows/types.ts';
import type { ChatMessage } from '../chat-types.ts';
import type { Effect, EngineEvent, Env, Snapshot } from '../engine/types.ts';

/** The conversation's head: its snapshot (the cache of the journal's fold) and what the UI needs beside it. */
export interface SessionRecord {
  namespace: string;
  sessionId: string;
  /** The flow version this session runs; its definition is pinned in the `flows` store under `pinnedFlowKey`. */
  /** `language` is the flow's default language (absent in sessions stored before it was kept). */
  flow: { id: string; version: string; name: string; language?: string };
  /**
   * Where the journal starts: the initial snapshot, or the snapshot a flow
   * upgrade or a storage fallback carried over. `replay(flow, journal, base)`
   * gives `snapshot`.
   */
  base: Snapshot;
  snapshot: Snapshot;
  /**
   * The relay's last checkpoint of this conversation and the snapshot it
   * vouches for: tool calls send the journal after it, not all of it.
   */
  checkpoint?: { token: string; snapshot: Snapshot };
    /** The flow's last handoff; `live` when the relay puts a person on the other end. */
  handoff: { reason: string | null; queue: string | null; live?: LiveHandoffRecord } | null;
  /** The next message's position in the transcript. */
  nextOrder: number;
  updatedAt: number;
}

/**
 * A live handoff as the widget keeps it. `opening` until the relay has it;
 * `waiting` for a person; `active` once one joined; `leaving` when the flow
 * moved on without one (a timeout) until the relay is told; `closed`;
 * `unavailable` when the relay has no live handoff (the notice stays).
 */
export interface LiveHandoffRecord {
  status: 'opening' | 'waiting' | 'active' | 'leaving' | 'closed' | 'unavailable';
  /** The open request's key: a retried open gets the same handoff. */
  key: string;
  /** The secret this browser reads and writes the handoff with. */
  visitorKey: string;
  /** The relay's id, once opened. */
  id: string | null;
  agent: string | null;
  /** The last event applied: the stream resumes after it (`Last-Event-ID`). */
  lastEventId: number;
  /** The flow state the handoff belongs to; moving on without a `handoff.*` event withdraws it. */
  state: string;
}

export interface MessageRecord extends ChatMessage {
  namespace: string;
  order: number;
  /** User messages: the journal position of their `user.text` / `user.choice` event. */
  seq?: number;
  /** User messages: the engine's classification request for them, once there is one. */
  requestId?: string;
  /** User messages written to the person of a live handoff (its key) rather than the flow. */
  toAgent?: string;
  /** User messages: the engine event, kept so a dropped message can be sent again. */
  input?: Extract<EngineEvent, { type: 'user.text' | 'user.choice' }>;
}

export interface JournalRecord {
  namespace: string;
  seq: number;
  event: EngineEvent;
  env: Env;
  /** The relay's signature of a classification or tool result it produced (sent back with tool calls). */
  signature?: string;
}

/** Work for the relay, kept until it is answered, so it resumes after a reload. */
export type OutboxRecord =
  | {
      namespace: string;
      id: string;
      kind: 'classify';
      createdAt: number;
      effect: Extract<Effect, { type: 'classify' }>;
      /** A permanent failure waiting for `retry`. */
      failed?: { code: string; message: string };
    }
  | {
      namespace: string;
      id: string;
      kind: 'tool';
      createdAt: number;
      effect: Extract<Effect, { type: 'callTool' }>;
    };

/** A flow definition: pinned to a session (`v:<id>@<version>`) or the relay's latest (`relay:<url>#<id>`, with its ETag). */
export interface FlowRecord {
  key: string;
  definition: Flow;
  etag?: string;
  savedAt: number;
}

export function pinnedFlowKey(id: string, version: string): string {
  return `v:${id}@${version}`;
}

export function relayFlowKey(relay: string, id: string): string {
  return `relay:${relay}#${id}`;
}

/** One atomic change: everything a turn writes, in one transaction. */
export interface StoreChange {
  session?: SessionRecord;
  /** Forget the journal first (a new session or a new base snapshot). */
  clearJournal?: boolean;
  journal?: JournalRecord[];
  clearMessages?: boolean;
  messages?: MessageRecord[];
  clearOutbox?: boolean;
  outboxPut?: OutboxRecord[];
  outboxDelete?: string[];
  flows?: FlowRecord[];
}

export interface StoredConversation {
  session: SessionRecord;
  messages: MessageRecord[];
  outbox: OutboxRecord[];
}
