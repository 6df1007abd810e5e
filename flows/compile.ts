/**
 * Compiling a flow that is already known to be valid: expressions and
 * templates parsed, slots and tools normalised, the intents of each state
 * listed. This is what the engine runs on.
 *
 * The browser uses it directly (`compileRuntimeFlow`) for flows the relay
 * has validated, so the JSON Schema validator, the lint and the tool schema
 * normaliser stay out of the widget's bundle; `loadFlow` (validation, then
 * `compileFlow` from `compile-flow.ts`) is for flows from anywhere else.
 */
import { ExpressionError, parseExpression, type Expression } from './expression.ts';
import { FlowLoadError, pointer } from './issues.ts';
import { hasHoles, parseTemplate, type Template } from './template.ts';
import { BUILT_IN_INTENTS, NO_INTENT, SMALL_TALK_INTENTS, smallTalkTransitions, YES_INTENT } from './small-talk.ts';
import type { Flow, IntentConfirmation, JsonSchemaObject, SlotDefinition, SlotSpec, Tool } from './types.ts';

export const DEFAULT_THRESHOLD = 0.5;
export const DEFAULT_TOOL_TIMEOUT_MS = 8000;
export const RETURN_TARGET = '$return';

/** What the engine and the browser need of a tool; its schemas are the relay's business. */
export interface RuntimeTool {
  name: string;
  domain: string | undefined;
  timeoutMs: number;
  retries: number;
  pii: string[];
}

export interface LoadedTool extends RuntimeTool {
  /** Full JSON Schema 2020-12 for the arguments: closed objects, bounded strings. */
  args: JsonSchemaObject;
  result: JsonSchemaObject | undefined;
}

/** A flow ready to run, with everything the engine and relay need precomputed. */
export interface LoadedFlow<Tool extends RuntimeTool = LoadedTool> {
  definition: Flow;
  id: string;
  version: string;
  language: string;
  domains: string[];
  threshold: number;
  slots: Record<string, SlotDefinition>;
  piiSlots: string[];
  tools: Record<string, Tool>;
  /** Every `when` / `validate` expression of the flow, parsed, by source text. */
  expressions: Map<string, Expression>;
  /** Every message, assign value and tool argument with `{{holes}}`, parsed, by source text. */
  templates: Map<string, Template>;
  /** Intents each state reacts to (its own transitions, its choices, those carrying a slot it collects), without the global ones. */
  stateIntents: Record<string, string[]>;
  globalIntents: string[];
  /** The IANA time zone of `today()` / `timeNow()` (the flow's, else UTC). */
  timeZone: string;
  /** Intents that ask before they are taken (`confirm`), by name. */
  confirmations: Record<string, IntentConfirmation>;
}

/**
 * A flow as the engine and the widget run it: its tools without their
 * schemas, which only the relay checks (so the schema normaliser stays out of
 * the widget's bundle). Every `LoadedFlow` is one.
 */
export type RuntimeFlow = LoadedFlow<RuntimeTool>;

type Path = (string | number)[];

function isRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

export function slotDefinition(spec: SlotSpec): SlotDefinition {
  return typeof spec === 'string' ? { type: spec } : spec;
}

/**
 * Every slot of the flow: flow-wide definitions first, then those intents
 * declare. A fuller definition wins (it carries the constraints); the lint
 * reports conflicting types.
 */
export function collectSlots(flow: Flow): Record<string, SlotDefinition> {
  const slots: Record<string, SlotDefinition> = {};
  const declare = (name: string, spec: SlotSpec): void => {
    const definition = slotDefinition(spec);
    const existing = slots[name];
    if (!existing || (existing.type === definition.type && Object.keys(definition).length > Object.keys(existing).length)) {
      slots[name] = { ...existing, ...definition };
    }
  };
  for (const [name, spec] of Object.entries(flow.slots ?? {})) declare(name, spec);
  for (const intent of Object.values(flow.intents)) for (const [name, spec] of Object.entries(intent.slots ?? {})) declare(name, spec);
  const region = flow.meta.region;
  if (region !== undefined) for (const [name, slot] of Object.entries(slots)) if (slot.type === 'phone' && slot.region === undefined) slots[name] = { ...slot, region };
  return slots;
}

/** The intents each state reacts to, and the global ones. */
export function intentsByState(flow: Flow): { stateIntents: Record<string, string[]>; globalIntents: string[] } {
  const choiceIntents = (node: unknown, into: Set<string>): void => {
    if (Array.isArray(node)) for (const item of node) choiceIntents(item, into);
    else if (isRecord(node)) {
      for (const [key, value] of Object.entries(node)) {
        if (key === 'choices' && Array.isArray(value)) {
          for (const choice of value) if (isRecord(choice) && typeof choice.intent === 'string') into.add(choice.intent);
        } else choiceIntents(value, into);
      }
    }
  };
  const stateIntents: Record<string, string[]> = {};
  for (const [name, state] of Object.entries(flow.states)) {
    const intents = new Set<string>();
    for (const transition of state.transitions ?? []) for (const intent of transition.onIntent ?? []) intents.add(intent);
    choiceIntents(state, intents);
    // Intents that carry a slot this state collects are answers here ("we are 4" while asked the party size).
    for (const item of state.collect ?? []) {
      for (const [intent, definition] of Object.entries(flow.intents)) if (Object.hasOwn(definition.slots ?? {}, item.slot)) intents.add(intent);
    }
    stateIntents[name] = [...intents];
  }
  // After the end the visitor may start again: what the first state understands, and yes / no to the offer.
  for (const [name, state] of Object.entries(flow.states)) {
    if (state.final !== true) continue;
    const intents = new Set(stateIntents[name]);
    for (const intent of stateIntents[flow.start] ?? []) intents.add(intent);
    for (const intent of [YES_INTENT, NO_INTENT]) if (Object.hasOwn(flow.intents, intent)) intents.add(intent);
    stateIntents[name] = [...intents];
  }
  const globalIntents = [...new Set((flow.global ?? []).flatMap((transition) => transition.onIntent ?? []))];
  // A confirmation can be asked in any state, so its answers are understood in every state.
  if (Object.values(flow.intents).some((intent) => intent.confirm !== undefined)) {
    for (const intent of [YES_INTENT, NO_INTENT]) if (Object.hasOwn(flow.intents, intent) && !globalIntents.includes(intent)) globalIntents.push(intent);
  }
  return { stateIntents, globalIntents };
}

function slugify(name: string): string {
  const slug = name
    .toLowerCase()
    .normalize('NFKD')
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 64);
  return slug === '' ? 'flow' : slug;
}

/** 32-bit FNV-1a over UTF-16 code units: a stable content version when the flow names none. */
function contentHash(text: string): string {
  let hash = 0x811c9dc5;
  for (let index = 0; index < text.length; index += 1) {
    hash ^= text.charCodeAt(index);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash.toString(16).padStart(8, '0');
}

/** Keys whose strings are expressions, and keys whose whole subtree is data with `{{holes}}`. */
const EXPRESSION_KEYS = new Set(['when', 'validate']);
const VALUE_KEYS = new Set(['assign', 'args', 'data']);

/** Parses every expression and template under `node`; throws a FlowLoadError naming the first bad one. */
function compileStrings(node: unknown, path: Path, values: boolean, expressions: Map<string, Expression>, templates: Map<string, Template>): void {
  const fail = (error: unknown, source: string): never => {
    if (!(error instanceof ExpressionError)) throw error;
    throw new FlowLoadError([{ path: pointer(path), severity: 'error', code: 'expression', message: `${error.message} in "${source}"` }]);
  };
  if (typeof node === 'string') {
    if (!hasHoles(node) || templates.has(node)) return;
    try {
      templates.set(node, parseTemplate(node));
    } catch (error) {
      fail(error, node);
    }
    return;
  }
  if (Array.isArray(node)) {
    node.forEach((item, index) => compileStrings(item, [...path, index], values, expressions, templates));
    return;
  }
  if (!isRecord(node)) return;
  for (const [key, value] of Object.entries(node)) {
    if (!values && EXPRESSION_KEYS.has(key) && typeof value === 'string') {
      if (value.trim() === 'else' || expressions.has(value)) continue;
      try {
        expressions.set(value, parseExpression(value));
      } catch (error) {
        fail(error, value);
      }
    } else {
      compileStrings(value, [...path, key], values || VALUE_KEYS.has(key), expressions, templates);
    }
  }
}

/**
 * Prepares a flow the relay has validated, as the engine runs it, without
 * the tools' schemas (`compileFlow` in `compile-flow.ts` adds them, for the
 * relay). Throws `FlowLoadError` if an expression does not parse.
 */
export function compileRuntimeFlow(written: Flow): RuntimeFlow {
  return compileFlowWith(written, runtimeTool);
}

export function runtimeTool(tool: Tool, name: string): RuntimeTool {
  return { name, domain: tool.domain, timeoutMs: tool.timeout_ms ?? DEFAULT_TOOL_TIMEOUT_MS, retries: tool.retries ?? 0, pii: tool.pii ?? [] };
}

/** The compilation both share; `compileTool` prepares each tool. */
export function compileFlowWith<CompiledTool extends RuntimeTool>(written: Flow, compileTool: (tool: Tool, name: string) => CompiledTool): LoadedFlow<CompiledTool> {
  const definition = withBuiltIns(written);
  const expressions = new Map<string, Expression>();
  const templates = new Map<string, Template>();
  compileStrings(definition.states, ['states'], false, expressions, templates);
  compileStrings(definition.global, ['global'], false, expressions, templates);
  compileStrings(definition.fallback, ['fallback'], false, expressions, templates);
  const slots = collectSlots(definition);
  const tools: Record<string, CompiledTool> = {};
  for (const [name, tool] of Object.entries(definition.tools ?? {})) tools[name] = compileTool(tool, name);
  return {
    definition,
    id: definition.meta.id ?? slugify(definition.meta.name),
    version: written.meta.version ?? contentHash(JSON.stringify(written)),
    language: definition.meta.language ?? 'en',
    domains: definition.meta.domains ?? [],
    threshold: definition.meta.nlu?.threshold ?? DEFAULT_THRESHOLD,
    slots,
    piiSlots: Object.entries(slots)
      .filter(([, slot]) => slot.pii === true)
      .map(([name]) => name),
    tools,
    expressions,
    templates,
    ...intentsByState(definition),
    timeZone: definition.meta.timeZone ?? 'UTC',
    confirmations: Object.fromEntries(
      Object.entries(definition.intents).flatMap(([name, intent]) => (intent.confirm ? [[name, intent.confirm] as const] : [])),
    ),
  };
}

/**
 * The flow as the engine runs it: the built-in small-talk intents and yes/no
 * added where the flow has none of that name, and the built-in small-talk
 * answers after the flow's own global transitions (so the flow's win).
 */
export function withBuiltIns(flow: Flow): Flow {
  const smallTalk = flow.smallTalk !== false;
  const intents = { ...flow.intents };
  for (const [name, intent] of Object.entries(BUILT_IN_INTENTS)) {
    const isSmallTalk = (SMALL_TALK_INTENTS as readonly string[]).includes(name);
    if (Object.hasOwn(intents, name) || (isSmallTalk && !smallTalk)) continue;
    intents[name] = intent;
  }
  const global = [...(flow.global ?? [])];
  if (smallTalk) {
    const handled = new Set(global.flatMap((transition) => transition.onIntent ?? []));
    for (const transition of smallTalkTransitions()) if (!handled.has(transition.onIntent?.[0] ?? '')) global.push(transition);
  }
  return { ...flow, intents, global };
}

/** The intents a state accepts plus the global ones; `null` for an unknown state. */
export function allowedIntents(flow: RuntimeFlow, state: string): string[] | null {
  const own = flow.stateIntents[state];
  if (own === undefined) return null;
  return [...new Set([...own, ...flow.globalIntents])];
}
