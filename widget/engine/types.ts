/**
 * The engine's contract: `step(flow, snapshot, event, env) → { snapshot, effects }`.
 * Everything here is plain JSON, so snapshots and journals can be stored,
 * sent and replayed.
 */
import type { RenderedCard } from '../../flows/card.ts';
import type { Json, JsonObject } from '../../flows/types.ts';

export type { RenderedCard } from '../../flows/card.ts';

/** What the outside world tells the engine. */
export type EngineEvent =
  | { type: 'session.start'; sessionId: string; language?: string }
  /** Starts the conversation over; the runtime may give it a new session id. */
  | { type: 'session.reset'; sessionId?: string }
  /** Sent once after a snapshot is restored (a reload): re-arms timers and re-issues pending work. */
  | { type: 'session.resume' }
  | { type: 'user.text'; text: string }
  /** A quick reply, by its value. */
  | { type: 'user.choice'; value: string }
  | { type: 'nlu.result'; requestId: string; intent: string | null; confidence: number; slots?: JsonObject }
  | { type: 'tool.result'; callId: string; result: Json }
  | { type: 'tool.error'; callId: string; error: { code: string; message: string } }
  | { type: 'timer.fired'; timerId: string }
  | { type: 'host.event'; name: string; data?: Json };

export type EngineEventType = EngineEvent['type'];

/** Time and language come in from outside; the engine reads no clock. */
export interface Env {
  /** Milliseconds since the epoch. */
  now: number;
  /** The visitor's language, used when the session starts. */
  language?: string;
}

export interface RenderedChoice {
  label: string;
  value: string;
}

/** The names the public event API emits (`chat.on(name, …)`). */
export type PublicEventName =
  | 'session.started'
  | 'session.ended'
  | 'say'
  | 'ask'
  | 'tool.call'
  | 'tool.result'
  | 'fsm.transition'
  | 'state.updated'
  | 'intent.unhandled'
  | 'handoff';

/** What the engine asks the runtime to do. It performs none of it itself. */
export type Effect =
  /** A bot message; a `card` action's carries the card, and its `text` is the card as lines of text (`cardText`). */
  | { type: 'say'; id: string; text: string; card?: RenderedCard }
  | { type: 'ask'; id: string; text: string; choices: RenderedChoice[]; slot: string | null }
  | {
      type: 'classify';
      requestId: string;
      text: string;
      state: string;
      /** The intents that can do something here: the state's own plus the global ones. */
      allowed: string[];
      /** Slots worth extracting from this text. */
      slots: string[];
      /** The slot the current question asks for, if any: it decides between candidates ("2" in "2 at 8"). */
      asking?: string;
      threshold: number;
      language: string;
      /** What the text answers: the question being asked, the slots already filled (names only) and the bot's last message. */
      context: ClassifyContext;
    }
  | {
      type: 'callTool';
      callId: string;
      name: string;
      args: JsonObject;
      /** Derived from the session and journal position: a retried or replayed call never runs twice. */
      idempotencyKey: string;
      timeoutMs: number;
      retries: number;
    }
  | { type: 'startTimer'; timerId: string; deadline: number }
  | { type: 'cancelTimer'; timerId: string }
  | { type: 'handoff'; reason: string | null; queue: string | null; message: string | null }
  /** A public event (`session.started`, `say`, …) or a flow's own `emit` action. */
  | { type: 'emit'; name: string; data: JsonObject }
  /** Something could not be done; the snapshot is still valid. */
  | { type: 'error'; code: string; message: string }
  /** The event had no effect (a stale result, a timer already cancelled). */
  | { type: 'ignored'; reason: string };

/**
 * The conversation around a message, so a short answer ("the 8th", "6") can
 * be read in context. Slot values are never included, only names.
 */
export interface ClassifyContext {
  /** The slot the last question asks for. */
  slot: string | null;
  /** Names of the slots already filled. */
  filled: string[];
  /** The bot's last message. */
  lastBotMessage: string | null;
}

/** An ending or hand-over intent waiting for the visitor's yes or no. */
export interface PendingConfirmation {
  intent: string;
  slots: JsonObject;
  text: string;
  /** The question to ask again when the visitor says no. */
  prompt: Prompt | null;
}

/** What the engine resumes once a tool answers. */
export type Continuation =
  | { kind: 'actions'; pointer: string; index: number }
  | { kind: 'route'; pointer: string }
  | { kind: 'enter'; target: string }
  | { kind: 'ready' };

export type Pending =
  | { kind: 'classify'; requestId: string; text: string }
  | {
      kind: 'tool';
      callId: string;
      name: string;
      args: JsonObject;
      idempotencyKey: string;
      /** JSON Pointer of the `call` action, for its `onResult` / `onError`. */
      action: string;
      then: Continuation[];
    };

export interface Prompt {
  text: string;
  choices: RenderedChoice[];
  /** The slot a `collect` question asks for. */
  slot: string | null;
}

export interface TimerRecord {
  id: string;
  state: string;
  index: number;
  /** Absolute, in epoch milliseconds, so it survives persistence. */
  deadline: number;
  fired: number;
}

export interface Frame {
  state: string;
  prompt: Prompt | null;
}

export type QueuedInput = Extract<EngineEvent, { type: 'user.text' | 'user.choice' | 'host.event' }>;

export interface Snapshot {
  format: 1;
  flowId: string;
  flowVersion: string;
  sessionId: string | null;
  status: 'new' | 'active' | 'ended';
  state: string;
  language: string;
  ctx: JsonObject;
  /** Slot values filled so far; questions for these are skipped. */
  slots: JsonObject;
  /** Events applied so far: the journal position. */
  seq: number;
  prompt: Prompt | null;
  /** Where digressions return to. */
  stack: Frame[];
  pending: Pending | null;
  /** Input that arrived while the engine waited for the NLU or a tool. */
  queue: QueuedInput[];
  timers: TimerRecord[];
  /** Failed attempts: `fallback:<state>`, `collect:<state>:<slot>`. */
  attempts: { [key: string]: number };
  /** An ending or hand-over intent waiting for a yes or no (absent in older snapshots). */
  confirming?: PendingConfirmation | null;
  /** After the end: a new start has been offered and waits for a yes or no. */
  restartOffered?: boolean;
  /** The bot's last message, for the NLU's context. */
  lastBotMessage?: string | null;
}

export interface StepResult {
  snapshot: Snapshot;
  effects: Effect[];
}

export interface JournalEntry {
  event: EngineEvent;
  env: Env;
}

/**
 * One journal entry as the widget sends it to the relay (with a tool call, a
 * handoff's open, a checkpoint request): the event, its environment, and the
 * relay's signature when the relay produced it.
 */
export interface ProofEntry {
  seq: number;
  event: EngineEvent;
  env: Env;
  signature?: string;
}

/** The conversation a request carries to show it reached what it asks for: the journal since the relay's last checkpoint. */
export interface ConversationProof {
  /** The relay's last checkpoint for this session, with the snapshot it vouches for. */
  checkpoint?: string;
  snapshot?: Snapshot;
  /** The visitor's time zone, used by the widget's local date parsing when the flow names none. */
  timeZone?: string;
  /** The journal after the checkpoint (or from `session.start`). */
  entries: ProofEntry[];
}
