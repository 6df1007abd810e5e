/**
 * The headless chat controller's public contract (`createChat` in
 * `statechat/widget`). The Preact UI renders a `ChatState` and calls `Chat`;
 * a single-page app can do the same with its own UI.
 */
import type { Flow, Json, JsonObject } from '../flows/types.ts';
import type { PublicEventName, RenderedCard, RenderedChoice } from './engine/types.ts';

/**
 * A visitor message's life: written to storage → `pending` (waiting its turn
 * to be understood) → `sent` (the relay or the local NLU has it) → `answered`
 * (the bot replied), or `failed` with a reason and a way to retry. `queued`:
 * its classification, or the tool call its answer started, waits for the
 * network (offline, or the relay cannot be reached and it is tried again).
 */
export type MessageStatus = 'pending' | 'queued' | 'sent' | 'answered' | 'failed';

export interface ChatMessage {
  id: string;
  /** `agent`: a person answering in a live handoff. */
  role: 'user' | 'bot' | 'agent' | 'notice';
  text: string;
  /** Epoch milliseconds. */
  at: number;
  /** User messages only. */
  status?: MessageStatus;
  /** Why a user message failed; `retryable` says whether `retry(id)` can help. */
  error?: { code: string; message: string; retryable: boolean };
  /** Bot questions: the quick replies offered with it. */
  choices?: RenderedChoice[];
  /** Bot cards (the `card` action): `text` holds the same card as lines of text. */
  card?: RenderedCard;
  /** Notices: what happened (`handoff`, `handoff-joined`, `handoff-ended`, `restarted`, `storage`, `flow-updated`). */
  notice?: string;
  /** Agent messages and handoff notices: the person's name. */
  author?: string;
}

export interface ChatState {
  /** False until the stored conversation (or a new one) is loaded and renderable. */
  ready: boolean;
  phase: 'loading' | 'active' | 'ended' | 'error';
  sessionId: string | null;
  /** The flow the session runs; `language` is the flow's default language (BCP 47). */
  flow: { id: string; version: string; name: string; language?: string } | null;
  /** The flow state the conversation is in. */
  state: string | null;
  messages: ChatMessage[];
  /** The quick replies of the current question (empty when none). */
  choices: RenderedChoice[];
  /** Classifying or running a tool: show a typing indicator. False once that work has failed for good. */
  busy: boolean;
  /**
   * A tool call the flow waits for keeps failing for a reason that may pass
   * (the relay is unreachable, a timeout): it stays queued and is tried
   * again, and the conversation goes on afterwards. Null otherwise.
   */
  stalled: { kind: 'tool'; name: string; since: number } | null;
  online: boolean;
  /** Work waiting for the network: classifications and tool calls in the outbox (not those failed for good). */
  queued: number;
  /**
   * The flow's last handoff. With a relay, `status` follows the live
   * handoff: `opening` (asking the relay), `waiting` for a person, `active`
   * (one joined: `agent`), `leaving` (the flow moved on; telling the relay),
   * `closed`, or `unavailable` (the relay has no live handoff). While it is
   * `opening`, `waiting` or `active`, the visitor's messages go to the person.
   */
  handoff: {
    reason: string | null;
    queue: string | null;
    status?: 'opening' | 'waiting' | 'active' | 'leaving' | 'closed' | 'unavailable';
    agent?: string | null;
  } | null;
  storage: 'indexeddb' | 'memory';
  /** True in the tab that owns the conversation (one writer at a time); others follow it. */
  leader: boolean;
  /** A problem that stops the chat (the flow could not be loaded), with a message for people. */
  error: { code: string; message: string } | null;
}

export type NluMode = 'local' | 'relay' | 'hybrid';

export interface CreateChatOptions {
  /** The relay's base URL (`https://example.com/statechat`); needed for flow ids, the relay NLU and tools. */
  relay?: string;
  /** A flow id served by the relay, or an inline flow. */
  flow: string | Flow;
  /**
   * `local`: the in-page classifier only. `relay`: always ask the relay.
   * `hybrid` (default): local first; the relay when local confidence is low
   * or a slot needs the relay's parsers; local again when the relay cannot
   * be reached.
   */
  nlu?: NluMode;
  /** `indexeddb` (default) or `memory`. */
  storage?: 'indexeddb' | 'memory';
  /** Separates conversations of several widgets on one site (default: the flow id). */
  namespace?: string;
  /** The visitor's language (default: the page's `lang`, then `navigator.language`). */
  language?: string;
  /** The visitor's IANA time zone (default: the browser's). */
  timeZone?: string;
  /** For tests: the clock and the id generator. */
  now?: () => number;
  newId?: () => string;
}

/** The engine's public events, a flow's own `emit`s, and the controller's `warning` / `error`. */
export type ChatEventName = PublicEventName | 'warning' | 'error' | (string & {});

export interface Chat {
  /** Resolves when the conversation is restored (or started) and renderable. */
  readonly ready: Promise<void>;
  /** Writes the message to storage first, then has it understood; never throws for network trouble. */
  send(text: string): Promise<void>;
  /** Answers the current question with one of its quick replies (by value or the choice itself). */
  choose(choice: RenderedChoice | string): Promise<void>;
  /** Sends a failed message again. */
  retry(messageId: string): Promise<void>;
  /** A host-page event for the flow's `onEvent` transitions. */
  emit(name: string, data?: Json): void;
  getState(): ChatState;
  /** Called with every new state; returns the unsubscribe function. */
  subscribe(listener: (state: ChatState) => void): () => void;
  /**
   * Public events: the engine's (`say`, `ask`, `tool.call`, …), a flow's own `emit`s, and `warning`/`error`.
   * `'*'` receives every event as `{ name, data }` (a debug panel, an analytics bridge).
   */
  on(event: ChatEventName, callback: (data: JsonObject) => void): () => void;
  /** Starts a new conversation (the old one is forgotten). */
  reset(): Promise<void>;
  /** Stops timers, listeners and network work; the stored conversation stays. */
  destroy(): Promise<void>;
}
