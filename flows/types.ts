/**
 * The flow language: what a site owner writes as JSON.
 *
 * The shapes here mirror `flow.schema.json` (the schema editors use for
 * completion); `validateFlow` checks both the schema and the semantic lint.
 *
 * @example
 * ```json
 * {
 *   "meta": { "name": "Restaurant Reservations", "language": "en-US" },
 *   "start": "InitialGreeting",
 *   "intents": { "BOOK": { "examples": ["I'd like to book"], "slots": {} } },
 *   "states": {
 *     "InitialGreeting": {
 *       "onEnter": [{ "say": "Welcome! How can I help?" }],
 *       "transitions": [{ "onIntent": ["BOOK"], "to": "Booked" }]
 *     },
 *     "Booked": { "onEnter": [{ "say": "Done." }], "final": true }
 *   }
 * }
 * ```
 */

/** Any JSON value. */
export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
export type JsonObject = { [key: string]: Json };

/** A message: plain text, or one text per language (`{ "en": "Hi", "fr": "Salut" }`). */
export type Message = string | { [language: string]: string };

export const SLOT_TYPES = [
  'number',
  'integer',
  'string',
  'boolean',
  'date',
  'time',
  'datetime',
  'email',
  'phone',
  'name',
  'enum',
] as const;
export type SlotType = (typeof SLOT_TYPES)[number];

/** One allowed value of an `enum` slot, with the other words that mean it. */
export type EnumValue = string | { value: string; synonyms?: string[] };

/**
 * A slot definition. The shorthand `"partySize": "number"` equals
 * `"partySize": { "type": "number" }`.
 */
export interface SlotDefinition {
  type: SlotType;
  /** The values of an `enum` slot. */
  values?: EnumValue[];
  /** Inclusive bounds for `number` / `integer`; for `string`, the length. */
  min?: number;
  max?: number;
  /** A regular expression (`string`) the value must match. */
  pattern?: string;
  /** The value is personal: masked in relay logs and before it reaches an LLM. */
  pii?: boolean;
  /**
   * Whether a later message may change the slot once it is filled ("actually
   * make it 6"): `true` (the default) from any state that allows corrections,
   * `false` never, or a list of the states where it may.
   */
  correctable?: boolean | string[];
  /**
   * `time` slots: the hours that make sense, two HH:MM times (noon to 10 pm:
   * 12:00 and 22:00); a bare hour ("at 8") is read in the half of the day
   * they allow (20:00). A start after the end wraps past midnight.
   */
  hours?: { from: string; to: string };
  /** `phone` slots: the region (ISO 3166, `GB`) of numbers written without a country code; default the flow's `meta.region`. */
  region?: string;
  description?: string;
}
export type SlotSpec = SlotType | SlotDefinition;

/** Example phrases: one list (in the flow's language), or one list per language. */
export type Examples = string[] | { [language: string]: string[] };

/**
 * An intent that ends or hands over the conversation asks first unless the
 * visitor was unambiguous.
 *
 * @example
 * ```json
 * "HUMAN": { "examples": ["talk to a human"], "confirm": { "ask": "Do you want to talk to a member of staff?" } }
 * ```
 */
export interface IntentConfirmation {
  ask: Message;
  /** Taken without asking at this confidence or above (default 0.9), or when chosen from a quick reply. */
  above?: number;
}

export interface Intent {
  /** Example phrases; the local classifier is trained on them. */
  examples: Examples;
  confirm?: IntentConfirmation;
  /** Slots this intent carries (`"partySize": "number"`). */
  slots?: { [slot: string]: SlotSpec };
  description?: string;
}

/**
 * A tool's argument or result schema: either the shorthand
 * `{ "date": "string", "partySize": "number" }` or a full JSON Schema
 * (recognised by a top-level `"type": "object"` or `"$schema"`).
 */
export type ToolSchema = { [property: string]: ToolFieldShorthand } | JsonSchemaObject;
export type ToolFieldShorthand =
  | 'string'
  | 'number'
  | 'integer'
  | 'boolean'
  | 'object'
  | 'array'
  | 'string?'
  | 'number?'
  | 'integer?'
  | 'boolean?'
  | 'object?'
  | 'array?';
/** A JSON Schema (2020-12) object, kept as data. */
export type JsonSchemaObject = { [keyword: string]: Json };

export interface Tool {
  /** The domain this tool belongs to; the flow must list it in `meta.domains`. */
  domain?: string;
  args?: ToolSchema;
  result?: ToolSchema;
  timeout_ms?: number;
  retries?: number;
  /** Argument names that carry personal data (masked in logs). */
  pii?: string[];
  description?: string;
}

/** A quick reply offered with an `ask`. A bare string is its own label and value. */
export type Choice =
  | string
  | {
      label: Message;
      /** Sent as the user's text when chosen (defaults to the label). */
      value?: string;
      /** Chosen replies with an intent skip classification. */
      intent?: string;
      slots?: JsonObject;
    };

export interface SayAction {
  say: Message;
}
export interface AskAction {
  ask: Message;
  choices?: Choice[];
}
export interface AssignAction {
  assign: { [ctxKey: string]: Json };
}
/** Call a tool; the state waits for its result, then `onResult` or `onError` routes. */
export interface CallAction {
  call: string;
  args?: { [arg: string]: Json };
  onResult?: Route;
  onError?: Route;
}
export interface HandoffAction {
  handoff: { reason?: Message; queue?: string; message?: Message } | true;
}
/** Forget filled slots, so their questions are asked again. */
export interface ClearAction {
  clear: string[];
}
/** Emit a named event to the host page (`widget.on(name, …)`). */
export interface EmitAction {
  emit: string;
  data?: { [key: string]: Json };
}
/** One labelled value of a card; a field whose value comes out empty is left out. */
export interface CardField {
  label: Message;
  /** May hold `{{expressions}}`. */
  value: Message;
  /** Offer a copy button (a booking reference); the value never wraps. */
  copy?: boolean;
}
/** A link under a card, opened in a new tab: `https:`, `http:`, `mailto:` or `tel:`. */
export interface CardButton {
  label: Message;
  /** May hold `{{expressions}}`; a URL of another scheme is not shown. */
  url: string;
}
/**
 * A bot message as a card: a title, an optional line of text, labelled
 * fields and link buttons. Channels without cards (the CLI, transcripts,
 * the `say` event's `text`) get it as lines of text: the title, the text,
 * then `Label: value` per field.
 *
 * @example
 * ```json
 * { "card": { "title": "You're booked!", "fields": [
 *   { "label": "Date", "value": "{{dateText(ctx.date)}}" },
 *   { "label": "Reference", "value": "{{ctx.bookingId}}", "copy": true } ] } }
 * ```
 */
export interface CardAction {
  card: { title: Message; text?: Message; fields?: CardField[]; buttons?: CardButton[] };
}
export type Action = SayAction | AskAction | AssignAction | ClearAction | CallAction | HandoffAction | EmitAction | CardAction;

/** One arm of a `branch`: the first arm whose `when` holds is taken; `"else"` always holds. */
export interface BranchArm {
  when: string;
  to?: string;
  assign?: { [ctxKey: string]: Json };
  do?: Action[];
}

/** Where to go next: shared by transitions, tool results and timers. */
export interface Route {
  /** A guard: the route applies only when this expression holds. */
  when?: string;
  assign?: { [ctxKey: string]: Json };
  do?: Action[];
  /** The next state, or `"$return"` to go back after a digression. */
  to?: string;
  branch?: BranchArm[];
}

export interface Transition extends Route {
  onIntent?: string[];
  /** A host-page event name (`chat.emit(name, data)`), or several. */
  onEvent?: string | string[];
  /**
   * For `global` transitions: answer in place (or visit `to`) and then
   * return to the state the user was in, re-asking its question.
   */
  digress?: boolean;
}

export interface AfterTimer extends Route {
  /** Milliseconds of user inactivity in this state before the timer fires. */
  ms: number;
  /** Fire again after each further `ms` of inactivity (up to `max` times). */
  repeat?: boolean;
  max?: number;
  /**
   * What to do when a restored session finds this timer's deadline already
   * past: `"fire"` (default) fires it once, late; `"skip"` drops it and
   * re-arms it from now.
   */
  missed?: 'fire' | 'skip';
}

/** A slot this state collects; questions whose slot is already filled are skipped. */
export interface CollectItem {
  slot: string;
  ask: Message;
  choices?: Choice[];
  /** An expression over `slot.*` / `ctx.*` that must hold for the value to be kept. */
  validate?: string;
  /** Said when the value is rejected (by type constraints or `validate`); then the question is asked again. */
  invalid?: Message;
  /** Failed attempts before `onFail` is taken (default 3). */
  maxAttempts?: number;
  onFail?: Route;
  /** When false the state may complete without it. */
  required?: boolean;
  /** Asked (with the question's choices) instead of the generic fallback when an answer to this question is not understood. */
  fallback?: Message;
}

/** What happens when the user says something the state cannot handle. */
export interface Fallback {
  say?: Message;
  /** Unhandled turns in a row before `onExhausted` routes (default 3). */
  maxAttempts?: number;
  onExhausted?: Route;
}

export interface State {
  description?: string;
  onEnter?: Action[];
  collect?: CollectItem[];
  transitions?: Transition[];
  after?: AfterTimer[];
  fallback?: Fallback;
  /** Whether filled slots may be corrected here (default: true, except in final states). */
  corrections?: boolean;
  /** A final state ends the conversation. */
  final?: boolean;
}

export interface FlowMeta {
  name: string;
  id?: string;
  version?: string;
  /** The default language, a BCP 47 tag (`en-US`). */
  language?: string;
  /** The IANA time zone dates and times are read in (defaults to the visitor's). */
  timeZone?: string;
  /** The phone region (ISO 3166, `GB`) of numbers written without a country code; phone slots may override it. */
  region?: string;
  /** The tool domains this flow may use; a flow without domains gets no tools. */
  domains?: string[];
  nlu?: {
    /** Below this confidence, a classification counts as not understood (default 0.5). */
    threshold?: number;
  };
}

export interface Flow {
  $schema?: string;
  meta: FlowMeta;
  start: string;
  intents: { [name: string]: Intent };
  /** Flow-wide slot definitions; intents may also declare slots. */
  slots?: { [name: string]: SlotSpec };
  tools?: { [name: string]: Tool };
  /** Transitions available from every state (help, cancel, talk to a human). */
  global?: Transition[];
  fallback?: Fallback;
  /** Built-in answers to greetings, thanks, goodbyes and "are you a bot?" (default true). */
  smallTalk?: boolean;
  /** After the end, when the visitor writes again: the offer to start over and the state a new start goes to (default `start`). */
  restart?: { ask?: Message; to?: string };
  states: { [name: string]: State };
}
