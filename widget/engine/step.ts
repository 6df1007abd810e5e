/**
 * The interpreter: a pure function from (flow, snapshot, event, env) to the
 * next snapshot and the effects the runtime should perform. It reads no
 * clock, draws no random number, touches no DOM and does no I/O; time comes in
 * through `env`, and ids are derived from the journal position.
 */
import { evaluate, truthy, type Scope } from '../../flows/expression.ts';
import { allowedIntents, RETURN_TARGET, type RuntimeFlow } from '../../flows/compile.ts';
import { parseExpression } from '../../flows/expression.ts';
import { parseTemplate, renderTemplate, templateValue } from '../../flows/template.ts';
import type {
  Action,
  CardAction,
  Choice,
  CollectItem,
  Fallback,
  Json,
  JsonObject,
  Message,
  Route,
  State,
  Transition,
} from '../../flows/types.ts';
import { BUILT_IN_TEXT, NO_INTENT, YES_INTENT } from '../../flows/small-talk.ts';
import { correctableSlots, ownerState } from '../../flows/corrections.ts';
import { cardText, isCardUrl, type RenderedCard } from '../../flows/card.ts';
import { checkSlotValue } from './slot-values.ts';
import type {
  Continuation,
  EngineEvent,
  Effect,
  Env,
  Frame,
  Prompt,
  PublicEventName,
  QueuedInput,
  RenderedChoice,
  Snapshot,
  StepResult,
} from './types.ts';

const DEFAULT_FALLBACK_ATTEMPTS = 3;
/** An intent with `confirm` is taken without asking from this confidence up. */
const DEFAULT_CONFIRM_ABOVE = 0.9;
const DEFAULT_COLLECT_ATTEMPTS = 3;
/** State entries allowed in one step before the engine assumes an eventless loop. */
const MAX_ENTRIES_PER_STEP = 50;
const MAX_STACK = 10;
const MAX_QUEUE = 20;
const MAX_TEXT = 2000;

const DEFAULT_TEXT = {
  fallback: "Sorry, I didn't understand that.",
  toolError: 'Sorry, something went wrong on our side. Please try again.',
  invalid: "That doesn't look right.",
};

/** What running a piece of the flow did to the control flow. */
type Status = 'done' | 'moved' | 'suspended';

export function initialSnapshot(flow: RuntimeFlow): Snapshot {
  return {
    format: 1,
    flowId: flow.id,
    flowVersion: flow.version,
    sessionId: null,
    status: 'new',
    state: flow.definition.start,
    language: flow.language,
    ctx: {},
    slots: {},
    seq: 0,
    prompt: null,
    stack: [],
    pending: null,
    queue: [],
    timers: [],
    attempts: {},
    confirming: null,
    restartOffered: false,
    lastBotMessage: null,
  };
}

/** A private copy to work on. Field by field: one object shape is far faster than a spread here. */
function copy(snapshot: Snapshot): Snapshot {
  return {
    format: 1,
    flowId: snapshot.flowId,
    flowVersion: snapshot.flowVersion,
    sessionId: snapshot.sessionId,
    status: snapshot.status,
    state: snapshot.state,
    language: snapshot.language,
    ctx: { ...snapshot.ctx },
    slots: { ...snapshot.slots },
    seq: snapshot.seq,
    prompt: snapshot.prompt,
    stack: snapshot.stack.slice(),
    pending: snapshot.pending,
    queue: snapshot.queue.slice(),
    // Timer records are replaced, never changed in place, so sharing them is safe.
    timers: snapshot.timers.slice(),
    attempts: { ...snapshot.attempts },
    confirming: snapshot.confirming ?? null,
    restartOffered: snapshot.restartOffered ?? false,
    lastBotMessage: snapshot.lastBotMessage ?? null,
  };
}

const resolved = new WeakMap<RuntimeFlow, Map<string, unknown>>();
const pointerCache = new WeakMap<RuntimeFlow, Map<string, Map<string | number, string>>>();

/** Reads a JSON Pointer in the flow definition (cached: the engine resumes work by pointer). */
function resolve(flow: RuntimeFlow, pointer: string): unknown {
  let cache = resolved.get(flow);
  if (!cache) {
    cache = new Map();
    resolved.set(flow, cache);
  }
  if (cache.has(pointer)) return cache.get(pointer);
  let node: unknown = flow.definition;
  for (const raw of pointer.split('/').slice(1)) {
    const key = raw.replaceAll('~1', '/').replaceAll('~0', '~');
    if (node === null || typeof node !== 'object' || !Object.hasOwn(node, key)) {
      node = undefined;
      break;
    }
    node = (node as Record<string, unknown>)[key];
  }
  cache.set(pointer, node);
  return node;
}

function escapeKey(key: string): string {
  return key.includes('~') || key.includes('/') ? key.replaceAll('~', '~0').replaceAll('/', '~1') : key;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

function isTrigger(transition: Transition): boolean {
  return transition.onIntent !== undefined || transition.onEvent !== undefined;
}

function eventNames(transition: Transition): string[] {
  const names = transition.onEvent;
  return names === undefined ? [] : typeof names === 'string' ? [names] : names;
}

const allowedCache = new WeakMap<RuntimeFlow, Map<string, string[]>>();

function cachedAllowedIntents(flow: RuntimeFlow, state: string): string[] {
  let cache = allowedCache.get(flow);
  if (!cache) {
    cache = new Map();
    allowedCache.set(flow, cache);
  }
  let allowed = cache.get(state);
  if (!allowed) {
    allowed = allowedIntents(flow, state) ?? [];
    cache.set(state, allowed);
  }
  return allowed.slice();
}

/** One step's working state: a private copy of the snapshot plus the effects produced so far. */
class Machine {
  readonly #effects: Effect[] = [];
  #entries = 0;
  #counter = 0;
  /** Values of the event being handled (`event.*`, `result.*`, `error.*`). */
  #eventScope: { event?: Json; result?: Json; error?: Json } = {};

  readonly #flow: RuntimeFlow;
  readonly #env: Env;

  readonly #snapshot: Snapshot;

  constructor(flow: RuntimeFlow, snapshot: Snapshot, env: Env) {
    this.#snapshot = snapshot;
    this.#flow = flow;
    this.#env = env;
  }

  // ---- helpers -------------------------------------------------------------------------------

  /**
   * `parent/key` as a JSON Pointer, built once per flow: the engine resumes work by
   * pointer, and reusing one string per pointer keeps the cache lookups cheap.
   */
  #child(parent: string, key: string | number): string {
    let byParent = pointerCache.get(this.#flow);
    if (!byParent) {
      byParent = new Map();
      pointerCache.set(this.#flow, byParent);
    }
    let children = byParent.get(parent);
    if (!children) {
      children = new Map();
      byParent.set(parent, children);
    }
    let pointer = children.get(key);
    if (pointer === undefined) {
      pointer = `${parent}/${typeof key === 'number' ? key : escapeKey(key)}`;
      children.set(key, pointer);
    }
    return pointer;
  }

  #statePointer(state: string): string {
    return this.#child('/states', state);
  }

  #id(prefix: string): string {
    this.#counter += 1;
    return `${prefix}${this.#snapshot.seq}.${this.#counter}`;
  }

  #emit(name: PublicEventName | string, data: JsonObject): void {
    this.#effects.push({ type: 'emit', name, data });
  }

  #error(code: string, message: string): void {
    this.#effects.push({ type: 'error', code, message });
  }

  #ignore(reason: string): void {
    this.#effects.push({ type: 'ignored', reason });
  }

  #scope(): Scope {
    return {
      ctx: this.#snapshot.ctx,
      slot: this.#snapshot.slots,
      ...this.#eventScope,
      language: this.#snapshot.language,
      now: this.#env.now,
      timeZone: this.#flow.timeZone,
    };
  }

  #holds(source: string | undefined): boolean {
    if (source === undefined || source.trim() === 'else') return true;
    const expression = this.#flow.expressions.get(source) ?? parseExpression(source);
    return truthy(evaluate(expression, this.#scope()));
  }

  #text(message: Message): string {
    let source: string;
    if (typeof message === 'string') source = message;
    else {
      const language = this.#snapshot.language;
      const base = language.split('-')[0] as string;
      source =
        message[language] ??
        message[base] ??
        Object.entries(message).find(([tag]) => tag.split('-')[0] === base)?.[1] ??
        message[this.#flow.language] ??
        Object.values(message)[0] ??
        '';
    }
    if (!source.includes('{{')) return source;
    return renderTemplate(this.#flow.templates.get(source) ?? parseTemplate(source), this.#scope());
  }

  #value(value: Json): Json {
    if (typeof value === 'string') {
      if (!value.includes('{{')) return value;
      return templateValue(this.#flow.templates.get(value) ?? parseTemplate(value), this.#scope());
    }
    if (Array.isArray(value)) return value.map((item) => this.#value(item));
    if (isRecord(value)) {
      const out: JsonObject = {};
      for (const [key, item] of Object.entries(value)) out[key] = this.#value(item as Json);
      return out;
    }
    return value;
  }

  #choices(choices: Choice[] | undefined): RenderedChoice[] {
    return (choices ?? []).map((choice) => {
      if (typeof choice === 'string') return { label: choice, value: choice };
      const label = this.#text(choice.label);
      return { label, value: choice.value ?? label };
    });
  }

  get #state(): State | undefined {
    return this.#flow.definition.states[this.#snapshot.state];
  }

  // ---- actions ---------------------------------------------------------------------------------

  #say(message: Message): void {
    const text = this.#text(message);
    const id = this.#id('m');
    this.#remember(text);
    this.#effects.push({ type: 'say', id, text });
    this.#emit('say', { id, text, state: this.#snapshot.state });
  }

  /** A `card` action: a `say` whose text is the card as lines, with the card itself for channels that draw it. */
  #card(definition: CardAction['card']): void {
    const card: RenderedCard = { title: this.#text(definition.title), fields: [], buttons: [] };
    const text = definition.text === undefined ? '' : this.#text(definition.text);
    if (text !== '') card.text = text;
    for (const field of definition.fields ?? []) {
      const value = this.#text(field.value);
      if (value.trim() !== '') card.fields.push({ label: this.#text(field.label), value, ...(field.copy === true ? { copy: true as const } : {}) });
    }
    for (const button of definition.buttons ?? []) {
      const url = this.#text(button.url).trim();
      if (isCardUrl(url)) card.buttons.push({ label: this.#text(button.label), url });
    }
    const id = this.#id('m');
    const lines = cardText(card);
    this.#remember(lines);
    this.#effects.push({ type: 'say', id, text: lines, card });
    const data: JsonObject = { title: card.title, fields: card.fields.map((field) => ({ ...field })), buttons: card.buttons.map((button) => ({ ...button })) };
    if (card.text !== undefined) data.text = card.text;
    this.#emit('say', { id, text: lines, card: data, state: this.#snapshot.state });
  }

  /**
   * The bot's last message, kept for the NLU's context with the values of
   * personal slots replaced by the slot's name.
   */
  #remember(text: string): void {
    let masked = text;
    for (const slot of this.#flow.piiSlots) {
      const value = this.#snapshot.slots[slot];
      if (typeof value === 'string' && value.trim() !== '') masked = masked.replaceAll(value, `<${slot}>`);
    }
    this.#snapshot.lastBotMessage = masked.slice(0, MAX_TEXT);
  }

  /** Asks a question; `remember: false` shows it without making it the question that is asked again. */
  #ask(prompt: Prompt, remember = true): void {
    if (remember) this.#snapshot.prompt = prompt;
    this.#remember(prompt.text);
    const id = this.#id('m');
    this.#effects.push({ type: 'ask', id, text: prompt.text, choices: prompt.choices, slot: prompt.slot });
    this.#emit('ask', { id, text: prompt.text, choices: prompt.choices.map((choice) => ({ ...choice })), slot: prompt.slot, state: this.#snapshot.state });
  }

  #reask(): void {
    if (this.#snapshot.prompt) this.#ask(this.#snapshot.prompt);
  }

  /**
   * After answering a digression in place: ask the question again, unless the
   * same message already answered it ("we are 4 — what can you do?"); then
   * carry on collecting.
   */
  #resumeQuestion(): void {
    const slot = this.#snapshot.prompt?.slot;
    const collect = this.#state?.collect;
    if (slot && collect && Object.hasOwn(this.#snapshot.slots, slot)) this.#afterFill(collect, [slot], []);
    else this.#reask();
  }

  #assign(assign: { [key: string]: Json } | undefined): void {
    if (!assign) return;
    for (const [key, value] of Object.entries(assign)) {
      if (key === '__proto__' || key === 'constructor' || key === 'prototype') continue;
      this.#snapshot.ctx[key] = this.#value(value);
    }
  }

  /** Runs `actions[index…]` of the list at `pointer`; on a tool call, saves `rest` to resume after it. */
  #runActions(pointer: string, index: number, rest: Continuation[]): Status {
    const actions = resolve(this.#flow, pointer);
    if (!Array.isArray(actions)) return 'done';
    for (let position = index; position < actions.length; position += 1) {
      const action = actions[position] as Action;
      if ('say' in action) this.#say(action.say);
      else if ('card' in action) this.#card(action.card);
      else if ('ask' in action) this.#ask({ text: this.#text(action.ask), choices: this.#choices(action.choices), slot: null });
      else if ('assign' in action) this.#assign(action.assign);
      else if ('clear' in action) for (const slot of action.clear) delete this.#snapshot.slots[slot];
      else if ('emit' in action) this.#emit(action.emit, isRecord(action.data) ? (this.#value(action.data as Json) as JsonObject) : {});
      else if ('handoff' in action) {
        const handoff = action.handoff === true ? {} : action.handoff;
        const effect: Effect = {
          type: 'handoff',
          reason: handoff.reason === undefined ? null : this.#text(handoff.reason),
          queue: handoff.queue ?? null,
          message: handoff.message === undefined ? null : this.#text(handoff.message),
        };
        this.#effects.push(effect);
        this.#emit('handoff', { reason: effect.reason, queue: effect.queue, state: this.#snapshot.state });
        if (effect.message !== null) this.#say(effect.message);
      } else if ('call' in action) {
        this.#call(action.call, action.args, this.#child(pointer, position), [{ kind: 'actions', pointer, index: position + 1 }, ...rest]);
        return 'suspended';
      }
    }
    return 'done';
  }

  #call(name: string, argTemplates: { [key: string]: Json } | undefined, action: string, then: Continuation[]): void {
    const tool = this.#flow.tools[name];
    const args = (isRecord(argTemplates) ? this.#value(argTemplates as Json) : {}) as JsonObject;
    const callId = this.#id('c');
    const idempotencyKey = `${this.#snapshot.sessionId ?? 'anonymous'}:${this.#snapshot.seq}:${this.#counter}`;
    this.#snapshot.pending = { kind: 'tool', callId, name, args, idempotencyKey, action, then };
    this.#effects.push({
      type: 'callTool',
      callId,
      name,
      args,
      idempotencyKey,
      timeoutMs: tool?.timeoutMs ?? 8000,
      retries: tool?.retries ?? 0,
    });
    this.#emit('tool.call', { callId, name, args, state: this.#snapshot.state });
  }

  #runContinuations(continuations: Continuation[]): Status {
    for (let index = 0; index < continuations.length; index += 1) {
      const continuation = continuations[index] as Continuation;
      const rest = continuations.slice(index + 1);
      let status: Status;
      switch (continuation.kind) {
        case 'actions':
          status = this.#runActions(continuation.pointer, continuation.index, rest);
          break;
        case 'route':
          status = this.#finishRoute(continuation.pointer, rest);
          break;
        case 'enter':
          return this.#enter(continuation.target, 'route');
        case 'ready':
          status = this.#ready();
          break;
      }
      if (status !== 'done') return status;
    }
    return 'done';
  }

  // ---- routes and transitions -----------------------------------------------------------------

  /**
   * Applies a route at `pointer`: guard, assign, actions, then branch or target.
   * Returns null when its guard does not hold (the route is not taken).
   */
  #takeRoute(pointer: string, rest: Continuation[]): Status | null {
    const route = resolve(this.#flow, pointer) as Route | undefined;
    if (!route || !this.#holds(route.when)) return null;
    const before = { ...this.#snapshot.ctx };
    this.#assign(route.assign);
    // Arms are judged after the route's assign (`assign: {size: …}, branch: [{when: "{{ctx.size}} > 8"}]`).
    if (route.branch && !route.branch.some((arm) => this.#holds(arm.when))) {
      this.#snapshot.ctx = before;
      return null;
    }
    const status = this.#runActions(this.#child(pointer, 'do'), 0, [{ kind: 'route', pointer }, ...rest]);
    if (status !== 'done') return status;
    return this.#finishRoute(pointer, rest);
  }

  /** The part of a route after its actions: pick the branch arm, run it, go to the target. */
  #finishRoute(pointer: string, rest: Continuation[]): Status {
    const route = resolve(this.#flow, pointer) as Route | undefined;
    if (!route) return this.#runContinuations(rest);
    let target = route.to;
    if (route.branch) {
      target = undefined;
      const index = route.branch.findIndex((arm) => this.#holds(arm.when));
      if (index >= 0) {
        const arm = route.branch[index] as NonNullable<Route['branch']>[number];
        this.#assign(arm.assign);
        const armPointer = this.#child(this.#child(pointer, 'branch'), index);
        const next: Continuation[] = arm.to === undefined ? rest : [{ kind: 'enter', target: arm.to }];
        const status = this.#runActions(this.#child(armPointer, 'do'), 0, next);
        if (status !== 'done') return status;
        target = arm.to;
      }
    }
    if (target !== undefined) return this.#enter(target, 'route');
    return this.#runContinuations(rest);
  }

  #exitTimers(): void {
    for (const timer of this.#snapshot.timers) this.#effects.push({ type: 'cancelTimer', timerId: timer.id });
    this.#snapshot.timers = [];
  }

  #armTimers(): void {
    const timers = this.#state?.after ?? [];
    timers.forEach((timer, index) => this.#arm(index, this.#env.now + timer.ms, 0));
  }

  #arm(index: number, deadline: number, fired: number): void {
    const id = this.#id('t');
    this.#snapshot.timers.push({ id, state: this.#snapshot.state, index, deadline, fired });
    this.#effects.push({ type: 'startTimer', timerId: id, deadline });
  }

  /** Idle timers restart whenever the visitor does something in the state. */
  #restartTimers(): void {
    if (this.#snapshot.timers.length === 0) return;
    this.#exitTimers();
    this.#armTimers();
  }

  #enter(target: string, trigger: string): Status {
    if (target === RETURN_TARGET) return this.#returnFromDigression();
    this.#entries += 1;
    if (this.#entries > MAX_ENTRIES_PER_STEP) {
      this.#error('loop', `stopped after ${MAX_ENTRIES_PER_STEP} state changes in one step; check the eventless transitions of "${this.#snapshot.state}"`);
      return 'suspended';
    }
    if (!Object.hasOwn(this.#flow.definition.states, target)) {
      this.#error('unknown-state', `unknown state "${target}"`);
      return 'done';
    }
    const from = this.#snapshot.state;
    this.#exitTimers();
    this.#snapshot.state = target;
    this.#snapshot.prompt = null;
    for (const key of Object.keys(this.#snapshot.attempts)) {
      if (key === `fallback:${target}` || key.startsWith(`collect:${target}:`)) delete this.#snapshot.attempts[key];
    }
    this.#emit('fsm.transition', { from, to: target, trigger });
    const status = this.#runActions(this.#child(this.#statePointer(target), 'onEnter'), 0, [{ kind: 'ready' }]);
    if (status === 'suspended') return 'suspended';
    this.#ready();
    return 'moved';
  }

  /** The state's entry actions are done: collect what is missing, then try its eventless transitions. */
  #ready(): Status {
    const state = this.#state;
    if (!state) return 'done';
    if (state.final) {
      this.#snapshot.status = 'ended';
      this.#snapshot.stack = [];
      this.#snapshot.prompt = null;
      this.#snapshot.confirming = null;
      this.#exitTimers();
      this.#emit('session.ended', { state: this.#snapshot.state });
      return 'done';
    }
    if (this.#snapshot.timers.length === 0) this.#armTimers();
    if (state.collect) {
      const asked = this.#askNextSlot(state.collect);
      if (asked) return 'done';
    }
    return this.#eventless(state);
  }

  /** Asks for the first required slot that is missing; skips (and re-checks) slots already filled. */
  #askNextSlot(collect: CollectItem[]): boolean {
    for (const item of collect) {
      if (Object.hasOwn(this.#snapshot.slots, item.slot)) {
        if (this.#acceptable(item)) continue;
        delete this.#snapshot.slots[item.slot];
        this.#say(item.invalid ?? DEFAULT_TEXT.invalid);
      }
      if (item.required === false) continue;
      this.#ask({ text: this.#text(item.ask), choices: this.#choices(item.choices), slot: item.slot });
      return true;
    }
    return false;
  }

  #acceptable(item: CollectItem): boolean {
    const definition = this.#flow.slots[item.slot];
    if (!definition) return false;
    const check = checkSlotValue(definition, this.#snapshot.slots[item.slot]);
    return check.ok && this.#holds(item.validate);
  }

  #eventless(state: State): Status {
    const transitions = state.transitions ?? [];
    for (const [index, transition] of transitions.entries()) {
      if (isTrigger(transition)) continue;
      const status = this.#takeRoute(this.#child(this.#child(this.#statePointer(this.#snapshot.state), 'transitions'), index), []);
      if (status !== null) return status;
    }
    return 'done';
  }

  #returnFromDigression(): Status {
    const frame = this.#snapshot.stack.pop();
    if (!frame) {
      this.#error('nothing-to-return-to', `"${RETURN_TARGET}" was reached in "${this.#snapshot.state}" with no digression to return from`);
      return 'done';
    }
    const from = this.#snapshot.state;
    this.#exitTimers();
    this.#snapshot.state = frame.state;
    this.#snapshot.prompt = frame.prompt;
    this.#emit('fsm.transition', { from, to: frame.state, trigger: 'return' });
    this.#armTimers();
    this.#reask();
    return 'moved';
  }

  // ---- input ---------------------------------------------------------------------------------------

  #start(sessionId: string, language: string | undefined): void {
    this.#snapshot.sessionId = sessionId;
    this.#snapshot.status = 'active';
    this.#snapshot.language = language ?? this.#env.language ?? this.#flow.language;
    this.#emit('session.started', { sessionId, flowId: this.#flow.id, flowVersion: this.#flow.version, state: this.#flow.definition.start });
    this.#snapshot.state = this.#flow.definition.start;
    this.#emit('fsm.transition', { from: null, to: this.#snapshot.state, trigger: 'start' });
    const status = this.#runActions(this.#child(this.#statePointer(this.#snapshot.state), 'onEnter'), 0, [{ kind: 'ready' }]);
    if (status === 'done') this.#ready();
  }

  /** User input and host events: handled now, or queued while the engine waits for the NLU or a tool. */
  #input(event: QueuedInput): void {
    if (this.#snapshot.status === 'new') {
      this.#error('not-started', 'the session has not started');
      return;
    }
    if (this.#snapshot.pending !== null) {
      if (this.#snapshot.queue.length >= MAX_QUEUE) {
        this.#error('queue-full', 'too many messages are waiting; this one was dropped');
        return;
      }
      this.#snapshot.queue.push(event);
      return;
    }
    this.#handleInput(event);
  }

  #handleInput(event: QueuedInput): void {
    if (event.type === 'host.event') {
      this.#hostEvent(event.name, event.data);
      return;
    }
    if (this.#snapshot.status !== 'ended') this.#restartTimers();
    if (event.type === 'user.choice') {
      const answer = this.#yesOrNo(event.value);
      if (answer !== null) {
        this.#understood(answer, 1, {}, event.value);
        return;
      }
      const choice = this.#findChoice(event.value);
      if (choice && typeof choice !== 'string' && (choice.intent !== undefined || choice.slots !== undefined)) {
        this.#understood(choice.intent ?? null, 1, isRecord(choice.slots) ? (choice.slots as JsonObject) : {}, event.value);
        return;
      }
      this.#classify(event.value);
      return;
    }
    this.#classify(event.text);
  }

  #findChoice(value: string): Choice | undefined {
    const state = this.#state;
    const lists: (Choice[] | undefined)[] = [];
    for (const action of state?.onEnter ?? []) if ('ask' in action) lists.push(action.choices);
    for (const item of state?.collect ?? []) lists.push(item.choices);
    for (const list of lists) {
      const match = (list ?? []).find((choice) =>
        typeof choice === 'string' ? choice === value : (choice.value ?? this.#text(choice.label)) === value,
      );
      if (match !== undefined) return match;
    }
    return undefined;
  }

  #classify(text: string): void {
    const trimmed = text.slice(0, MAX_TEXT);
    const requestId = this.#id('r');
    const allowed = cachedAllowedIntents(this.#flow, this.#snapshot.state);
    this.#snapshot.pending = { kind: 'classify', requestId, text: trimmed };
    this.#effects.push({
      type: 'classify',
      requestId,
      text: trimmed,
      state: this.#snapshot.state,
      allowed,
      slots: this.#wantedSlots(allowed),
      ...(this.#snapshot.prompt?.slot ? { asking: this.#snapshot.prompt.slot } : {}),
      threshold: this.#flow.threshold,
      language: this.#snapshot.language,
      context: {
        slot: this.#snapshot.prompt?.slot ?? null,
        filled: Object.keys(this.#snapshot.slots).sort(),
        lastBotMessage: this.#snapshot.lastBotMessage ?? null,
      },
    });
  }

  /** The slots this state collects, then those of the intents it accepts. */
  #wantedSlots(allowed: string[]): string[] {
    const wanted = new Set<string>();
    for (const item of this.#state?.collect ?? []) wanted.add(item.slot);
    if (this.#snapshot.prompt?.slot) wanted.add(this.#snapshot.prompt.slot);
    for (const intent of allowed) for (const slot of Object.keys(this.#flow.definition.intents[intent]?.slots ?? {})) wanted.add(slot);
    // Filled slots that may be corrected here ("actually make it 6").
    for (const slot of correctableSlots(this.#flow, this.#snapshot.state, this.#snapshot.slots)) wanted.add(slot);
    return [...wanted];
  }

  #nluResult(requestId: string, intent: string | null, confidence: number, slots: JsonObject): void {
    const pending = this.#snapshot.pending;
    if (pending?.kind !== 'classify' || pending.requestId !== requestId) {
      this.#ignore(`no classification ${requestId} is waiting`);
      return;
    }
    this.#snapshot.pending = null;
    const known = intent !== null && Object.hasOwn(this.#flow.definition.intents, intent);
    const sure = Number.isFinite(confidence) && confidence >= this.#flow.threshold;
    this.#understood(known && sure ? intent : null, confidence, slots, pending.text);
  }

  /** The visitor's meaning is known (or known to be unclear): route it. */
  #understood(intent: string | null, confidence: number, rawSlots: JsonObject, text: string): void {
    const stateName = this.#snapshot.state;
    const collect = this.#state?.collect ?? [];
    const collecting = new Set(collect.map((item) => item.slot));
    const fresh: JsonObject = {};
    const refused: string[] = [];
    for (const [name, raw] of Object.entries(rawSlots)) {
      const definition = this.#flow.slots[name];
      if (!definition || !Object.hasOwn(this.#flow.slots, name)) continue;
      const check = checkSlotValue(definition, raw);
      if (check.ok) fresh[name] = check.value;
      else if (collecting.has(name)) refused.push(name);
    }
    if (this.#snapshot.status === 'ended') {
      this.#afterEnd(intent, fresh);
      return;
    }
    const confirming = this.#snapshot.confirming;
    if (confirming) {
      this.#snapshot.confirming = null;
      this.#snapshot.prompt = confirming.prompt;
      if (intent === YES_INTENT && Object.keys(fresh).length === 0) {
        Object.assign(this.#snapshot.slots, confirming.slots);
        if (!this.#routeIntent(confirming.intent)) this.#unhandled(confirming.intent, 1, confirming.text);
        return;
      }
      if (intent === NO_INTENT && Object.keys(fresh).length === 0) {
        this.#say(BUILT_IN_TEXT.notConfirmed);
        this.#resumeQuestion();
        return;
      }
    }
    const answered = Object.keys(fresh).filter((name) => collecting.has(name));
    const corrected = this.#corrections(fresh, answered);
    // A filled slot changes only as an answer here or as a correction; otherwise its value stays.
    for (const name of Object.keys(fresh)) {
      if (Object.hasOwn(this.#snapshot.slots, name) && !collecting.has(name) && !corrected.includes(name)) delete fresh[name];
    }
    Object.assign(this.#snapshot.slots, fresh);

    const handled = (): void => {
      if (this.#snapshot.state === stateName) delete this.#snapshot.attempts[`fallback:${stateName}`];
    };
    if (corrected.length > 0) {
      handled();
      this.#correct(corrected);
      return;
    }
    if (intent !== null) {
      const confirmation = this.#flow.confirmations[intent];
      if (confirmation && confidence < (confirmation.above ?? DEFAULT_CONFIRM_ABOVE) && this.#routes(intent)) {
        handled();
        this.#snapshot.confirming = { intent, slots: fresh, text, prompt: this.#snapshot.prompt };
        this.#ask({ text: this.#text(confirmation.ask), choices: this.#yesNoChoices(), slot: null }, false);
        return;
      }
      if (this.#routeIntent(intent)) return handled();
    }
    if (answered.length > 0 || refused.length > 0) {
      handled();
      this.#afterFill(collect, answered, refused);
      return;
    }
    this.#unhandled(intent, confidence, text);
  }

  /** Routes an intent through the state's transitions, then the global ones; false when none takes it. */
  #routeIntent(intent: string): boolean {
    const stateName = this.#snapshot.state;
    const transitions = this.#state?.transitions ?? [];
    for (const [index, transition] of transitions.entries()) {
      if (!transition.onIntent?.includes(intent)) continue;
      if (this.#takeRoute(this.#child(this.#child(this.#statePointer(stateName), 'transitions'), index), []) !== null) return true;
    }
    return this.#global((transition) => transition.onIntent?.includes(intent) === true);
  }

  /** Whether some transition of the state, or a global one, listens for the intent. */
  #routes(intent: string): boolean {
    const listens = (transition: Transition): boolean => transition.onIntent?.includes(intent) === true;
    return (this.#state?.transitions ?? []).some(listens) || (this.#flow.definition.global ?? []).some(listens);
  }

  /**
   * The slots a message changes that were filled before and are asked for
   * elsewhere. A message that answers a name or phone question is not read
   * for corrections: a number in it is part of the answer.
   */
  #corrections(fresh: JsonObject, answered: string[]): string[] {
    const personal = answered.some((slot) => ['name', 'phone', 'email', 'string'].includes(this.#flow.slots[slot]?.type ?? ''));
    if (personal) return [];
    const allowed = new Set(correctableSlots(this.#flow, this.#snapshot.state, this.#snapshot.slots));
    return Object.keys(fresh).filter((slot) => allowed.has(slot) && !equalJson(this.#snapshot.slots[slot], fresh[slot]));
  }

  /** Goes back to the first state that asks for a corrected slot: its checks and routes run again on the new value. */
  #correct(slots: string[]): void {
    const order = Object.keys(this.#flow.definition.states);
    const owners = slots.map((slot) => ownerState(this.#flow, slot)).filter((owner): owner is string => owner !== null);
    owners.sort((left, right) => order.indexOf(left) - order.indexOf(right));
    const owner = owners[0];
    if (owner === undefined) return;
    this.#snapshot.stack = [];
    this.#emit('slots.corrected', { slots: slots.slice(), state: this.#snapshot.state });
    this.#enter(owner, 'correction');
  }

  #yesNoChoices(): RenderedChoice[] {
    const yes = this.#text(BUILT_IN_TEXT.yes);
    const no = this.#text(BUILT_IN_TEXT.no);
    return [
      { label: yes, value: yes },
      { label: no, value: no },
    ];
  }

  /** A quick reply to a confirmation or to the offer to start again. */
  #yesOrNo(value: string): string | null {
    if (!this.#snapshot.confirming && !this.#snapshot.restartOffered) return null;
    if (value === this.#text(BUILT_IN_TEXT.yes)) return YES_INTENT;
    if (value === this.#text(BUILT_IN_TEXT.no)) return NO_INTENT;
    return null;
  }

  /**
   * A message after the end: small talk and questions answered in place, an
   * intent the first state understands starts again with it, anything else
   * offers to start again.
   */
  #afterEnd(intent: string | null, fresh: JsonObject): void {
    const restart = this.#flow.definition.restart;
    if (this.#snapshot.restartOffered) {
      this.#snapshot.restartOffered = false;
      if (intent === YES_INTENT) {
        this.#startAgain(restart?.to ?? this.#flow.definition.start, fresh, null);
        return;
      }
      if (intent === NO_INTENT) {
        this.#say(BUILT_IN_TEXT.ended);
        return;
      }
    }
    if (intent !== null) {
      const globals = this.#flow.definition.global ?? [];
      const inPlace = globals.findIndex(
        (transition) => transition.digress === true && transition.to === undefined && transition.branch === undefined && transition.onIntent?.includes(intent) === true && this.#holds(transition.when),
      );
      if (inPlace >= 0) {
        this.#takeRoute(this.#child('/global', inPlace), []);
        return;
      }
      const start = this.#flow.definition.states[this.#flow.definition.start];
      if ((start?.transitions ?? []).some((transition) => transition.onIntent?.includes(intent) === true)) {
        this.#startAgain(this.#flow.definition.start, fresh, intent);
        return;
      }
    }
    this.#snapshot.restartOffered = true;
    this.#ask({ text: this.#text(restart?.ask ?? BUILT_IN_TEXT.restart), choices: this.#yesNoChoices(), slot: null });
  }

  /** A new conversation in the same session: `ctx` and slots forgotten (but for `slots`), then `target`, or `intent` routed from the first state. */
  #startAgain(target: string, slots: JsonObject, intent: string | null): void {
    const from = this.#snapshot.state;
    this.#snapshot.status = 'active';
    this.#snapshot.ctx = {};
    this.#snapshot.slots = { ...slots };
    this.#snapshot.attempts = {};
    this.#snapshot.stack = [];
    this.#snapshot.prompt = null;
    this.#snapshot.restartOffered = false;
    if (intent !== null) {
      this.#snapshot.state = this.#flow.definition.start;
      this.#emit('fsm.transition', { from, to: this.#snapshot.state, trigger: 'restart' });
      if (this.#routeIntent(intent)) return;
    }
    this.#enter(target, 'restart');
  }

  /** New values arrived for collected slots: check them, then ask for what is still missing. */
  #afterFill(collect: CollectItem[], answered: string[], refused: string[]): void {
    for (const item of collect) {
      if (refused.includes(item.slot) && !answered.includes(item.slot)) {
        if (this.#rejectSlot(item.slot) !== 'done') return;
        continue;
      }
      if (!answered.includes(item.slot)) continue;
      if (this.#acceptable(item)) {
        delete this.#snapshot.attempts[`collect:${this.#snapshot.state}:${item.slot}`];
        continue;
      }
      delete this.#snapshot.slots[item.slot];
      if (this.#rejectSlot(item.slot) !== 'done') return;
    }
    this.#ready();
  }

  /** A value for a collected slot was refused: say why, or give up after too many tries. */
  #rejectSlot(slot: string): Status {
    const stateName = this.#snapshot.state;
    const index = (this.#state?.collect ?? []).findIndex((item) => item.slot === slot);
    const item = this.#state?.collect?.[index];
    if (!item) return 'done';
    const key = `collect:${stateName}:${slot}`;
    const attempts = (this.#snapshot.attempts[key] ?? 0) + 1;
    this.#snapshot.attempts[key] = attempts;
    if (attempts >= (item.maxAttempts ?? DEFAULT_COLLECT_ATTEMPTS) && item.onFail) {
      delete this.#snapshot.attempts[key];
      return this.#takeRoute(this.#child(this.#child(this.#child(this.#statePointer(stateName), 'collect'), index), 'onFail'), []) ?? 'done';
    }
    this.#say(item.invalid ?? DEFAULT_TEXT.invalid);
    return 'done';
  }

  /** Tries the global transitions; a digression remembers where to come back to. */
  #global(matches: (transition: Transition) => boolean): boolean {
    const globals = this.#flow.definition.global ?? [];
    for (const [index, transition] of globals.entries()) {
      if (!matches(transition) || !this.#holds(transition.when)) continue;
      const pointer = this.#child('/global', index);
      if (transition.digress) {
        const frame: Frame = { state: this.#snapshot.state, prompt: this.#snapshot.prompt };
        if (transition.to === undefined && transition.branch === undefined) {
          const status = this.#takeRoute(pointer, []);
          if (status === 'done') this.#resumeQuestion();
          return status !== null;
        }
        this.#snapshot.stack.push(frame);
        if (this.#snapshot.stack.length > MAX_STACK) this.#snapshot.stack.shift();
      }
      const stack = this.#snapshot.stack;
      if (!transition.digress) this.#snapshot.stack = [];
      if (this.#takeRoute(pointer, []) !== null) return true;
      this.#snapshot.stack = stack;
      if (transition.digress) this.#snapshot.stack.pop();
    }
    return false;
  }

  #unhandled(intent: string | null, confidence: number, text: string): void {
    const stateName = this.#snapshot.state;
    this.#emit('intent.unhandled', { text, intent, confidence, state: stateName });
    const fallback: Fallback = { ...this.#flow.definition.fallback, ...this.#state?.fallback };
    const key = `fallback:${stateName}`;
    const attempts = (this.#snapshot.attempts[key] ?? 0) + 1;
    this.#snapshot.attempts[key] = attempts;
    if (attempts >= (fallback.maxAttempts ?? DEFAULT_FALLBACK_ATTEMPTS) && fallback.onExhausted) {
      delete this.#snapshot.attempts[key];
      const owner = this.#state?.fallback?.onExhausted ? this.#child(this.#statePointer(stateName), 'fallback') : '/fallback';
      if (this.#takeRoute(this.#child(owner, 'onExhausted'), []) !== null) return;
    }
    const prompt = this.#snapshot.prompt;
    const item = prompt?.slot ? this.#state?.collect?.find((candidate) => candidate.slot === prompt.slot) : undefined;
    if (item?.fallback !== undefined && prompt) {
      this.#ask({ text: this.#text(item.fallback), choices: prompt.choices, slot: prompt.slot }, false);
      return;
    }
    this.#say(fallback.say ?? DEFAULT_TEXT.fallback);
    this.#reask();
  }

  #hostEvent(name: string, data: Json | undefined): void {
    if (this.#snapshot.status !== 'active') {
      this.#ignore(`host event "${name}" arrived while the session is ${this.#snapshot.status}`);
      return;
    }
    this.#eventScope = { event: data ?? null };
    const stateName = this.#snapshot.state;
    const transitions = this.#state?.transitions ?? [];
    for (const [index, transition] of transitions.entries()) {
      if (!eventNames(transition).includes(name)) continue;
      if (this.#takeRoute(this.#child(this.#child(this.#statePointer(stateName), 'transitions'), index), []) !== null) return;
    }
    if (this.#global((transition) => eventNames(transition).includes(name))) return;
    this.#ignore(`no transition of "${stateName}" handles the host event "${name}"`);
  }

  #toolAnswer(callId: string, outcome: { result: Json } | { error: { code: string; message: string } }): void {
    const pending = this.#snapshot.pending;
    if (pending?.kind !== 'tool' || pending.callId !== callId) {
      this.#ignore(`no tool call ${callId} is waiting`);
      return;
    }
    this.#snapshot.pending = null;
    const ok = 'result' in outcome;
    this.#eventScope = ok ? { result: outcome.result } : { error: outcome.error as unknown as Json };
    this.#emit('tool.result', { callId, name: pending.name, ok, ...(ok ? { result: outcome.result } : { error: outcome.error as unknown as Json }) });
    const routeKey = ok ? 'onResult' : 'onError';
    const status = this.#takeRoute(this.#child(pending.action, routeKey), []);
    if (status === 'moved' || status === 'suspended') return;
    if (status === null && !ok) {
      this.#say(DEFAULT_TEXT.toolError);
      this.#reask();
      return;
    }
    this.#runContinuations(pending.then);
  }

  #timerFired(timerId: string, late: boolean): void {
    const index = this.#snapshot.timers.findIndex((timer) => timer.id === timerId);
    const record = this.#snapshot.timers[index];
    if (!record) {
      this.#ignore(`timer ${timerId} is no longer armed`);
      return;
    }
    if (this.#env.now < record.deadline) {
      this.#ignore(`timer ${timerId} fired before its deadline`);
      return;
    }
    const timer = this.#state?.after?.[record.index];
    this.#snapshot.timers.splice(index, 1);
    if (!timer) return;
    if (this.#snapshot.pending !== null) {
      // The bot is busy, not the visitor idle: try again later.
      this.#arm(record.index, this.#env.now + timer.ms, record.fired);
      return;
    }
    const fired = record.fired + 1;
    if (timer.repeat && (timer.max === undefined || fired < timer.max)) this.#arm(record.index, this.#env.now + timer.ms, fired);
    this.#eventScope = { event: { late, lateByMs: Math.max(0, this.#env.now - record.deadline), fired } };
    this.#takeRoute(this.#child(this.#child(this.#statePointer(this.#snapshot.state), 'after'), record.index), []);
  }

  /** A restored session: re-arm timers by their absolute deadlines and re-issue pending work. */
  #resume(): void {
    // An ended session may still wait for what the visitor typed after the end (issue #16's chaos run).
    if (this.#snapshot.status !== 'active' && this.#snapshot.pending === null) {
      this.#ignore(`nothing to resume in a ${this.#snapshot.status} session`);
      return;
    }
    const timers = this.#snapshot.timers.slice().sort((a, b) => a.deadline - b.deadline);
    this.#snapshot.timers = [];
    const overdue: typeof timers = [];
    for (const record of timers) {
      const timer = this.#state?.after?.[record.index];
      if (!timer || record.state !== this.#snapshot.state) continue;
      if (record.deadline > this.#env.now) {
        this.#snapshot.timers.push(record);
        this.#effects.push({ type: 'startTimer', timerId: record.id, deadline: record.deadline });
      } else if ((timer.missed ?? 'fire') === 'skip') {
        this.#arm(record.index, this.#env.now + timer.ms, record.fired);
      } else {
        this.#snapshot.timers.push(record);
        overdue.push(record);
      }
    }
    const pending = this.#snapshot.pending;
    if (pending?.kind === 'classify') {
      this.#snapshot.pending = null;
      this.#classify(pending.text);
    } else if (pending?.kind === 'tool') {
      const tool = this.#flow.tools[pending.name];
      this.#effects.push({
        type: 'callTool',
        callId: pending.callId,
        name: pending.name,
        args: pending.args,
        idempotencyKey: pending.idempotencyKey,
        timeoutMs: tool?.timeoutMs ?? 8000,
        retries: tool?.retries ?? 0,
      });
    }
    for (const record of overdue) {
      if (this.#snapshot.timers.some((timer) => timer.id === record.id)) this.#timerFired(record.id, true);
    }
  }

  /** After a result or answer, take the next queued input, if the engine is free for it. */
  #drain(): void {
    while (this.#snapshot.pending === null && this.#snapshot.queue.length > 0) {
      const next = this.#snapshot.queue.shift() as QueuedInput;
      this.#eventScope = {};
      this.#handleInput(next);
    }
  }

  #finish(): void {
    this.#emit('state.updated', {
      state: this.#snapshot.state,
      status: this.#snapshot.status,
      seq: this.#snapshot.seq,
      ctx: this.#snapshot.ctx,
      slots: this.#snapshot.slots,
    });
  }

  /** The body of `step`: a static method, so that it reaches the private members. */
  static step(flow: RuntimeFlow, snapshot: Snapshot, event: EngineEvent, env: Env): StepResult {
    const machine = new Machine(flow, copy(snapshot), env);
    machine.#snapshot.seq += 1;
    const problem = eventProblem(event);
    if (problem !== null) {
      machine.#error('bad-event', problem);
      machine.#finish();
      return { snapshot: machine.#snapshot, effects: machine.#effects };
    }
    switch (event.type) {
      case 'session.start':
        if (machine.#snapshot.status !== 'new') machine.#error('already-started', 'the session has already started');
        else machine.#start(event.sessionId, event.language);
        break;
      case 'session.reset': {
        const sessionId = event.sessionId ?? machine.#snapshot.sessionId ?? 'session';
        const fresh = initialSnapshot(flow);
        for (const timer of machine.#snapshot.timers) machine.#effects.push({ type: 'cancelTimer', timerId: timer.id });
        Object.assign(machine.#snapshot, fresh, { seq: machine.#snapshot.seq, language: machine.#snapshot.language });
        machine.#start(sessionId, machine.#snapshot.language);
        break;
      }
      case 'session.resume':
        machine.#resume();
        break;
      case 'user.text':
      case 'user.choice':
      case 'host.event':
        machine.#input(event);
        break;
      case 'nlu.result':
        machine.#nluResult(event.requestId, event.intent, event.confidence, event.slots ?? {});
        break;
      case 'tool.result':
        machine.#toolAnswer(event.callId, { result: event.result });
        break;
      case 'tool.error':
        machine.#toolAnswer(event.callId, { error: event.error });
        break;
      case 'timer.fired':
        machine.#timerFired(event.timerId, false);
        break;
    }
    machine.#drain();
    machine.#finish();
    return { snapshot: machine.#snapshot, effects: machine.#effects };
  }
}

function equalJson(left: Json | undefined, right: Json | undefined): boolean {
  return JSON.stringify(left) === JSON.stringify(right);
}

function isString(value: unknown): value is string {
  return typeof value === 'string';
}

/** Checks an event's shape: events may come from storage or another tab, so nothing is assumed. */
function eventProblem(event: unknown): string | null {
  if (!isRecord(event) || !isString(event.type)) return 'an event is an object with a "type"';
  switch (event.type) {
    case 'session.start':
      return isString(event.sessionId) && event.sessionId !== '' ? null : 'session.start needs a sessionId';
    case 'session.reset':
      return event.sessionId === undefined || isString(event.sessionId) ? null : 'sessionId must be a string';
    case 'session.resume':
      return null;
    case 'user.text':
      return isString(event.text) && event.text.trim() !== '' ? null : 'user.text needs non-empty text';
    case 'user.choice':
      return isString(event.value) && event.value !== '' ? null : 'user.choice needs a value';
    case 'nlu.result':
      return isString(event.requestId) &&
        (event.intent === null || isString(event.intent)) &&
        typeof event.confidence === 'number' &&
        (event.slots === undefined || isRecord(event.slots))
        ? null
        : 'nlu.result needs requestId, intent (string or null), confidence and optional slots';
    case 'tool.result':
      return isString(event.callId) && 'result' in event ? null : 'tool.result needs callId and result';
    case 'tool.error':
      return isString(event.callId) && isRecord(event.error) && isString(event.error.code) && isString(event.error.message)
        ? null
        : 'tool.error needs callId and error { code, message }';
    case 'timer.fired':
      return isString(event.timerId) ? null : 'timer.fired needs a timerId';
    case 'host.event':
      return isString(event.name) && event.name !== '' ? null : 'host.event needs a name';
    default:
      return `unknown event type "${event.type}"`;
  }
}

/**
 * Applies one event. Pure and total: the same inputs give the same outputs,
 * and no event makes it throw — a bad or ill-timed event gives an `error` or
 * `ignored` effect and a valid snapshot.
 */
export function step(flow: RuntimeFlow, snapshot: Snapshot, event: EngineEvent, env: Env): StepResult {
  return Machine.step(flow, snapshot, event, env);
}
