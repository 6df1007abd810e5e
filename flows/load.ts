/**
 * Loading a flow: JSON Schema first, then a semantic lint, then compilation
 * of every expression and template. All problems come back at once, each
 * with a JSON Pointer and, where one can be guessed, a hint.
 *
 * @example
 * ```ts
 * const loaded = loadFlow(JSON.parse(text));
 * if (!loaded.ok) for (const issue of loaded.errors) console.error(formatIssue(issue));
 * ```
 */
import { collectSlots, RETURN_TARGET, slotDefinition, type LoadedFlow } from './compile.ts';
import { compileFlow } from './compile-flow.ts';
import { ExpressionError, parseExpression, suggest, type Expression } from './expression.ts';
import { pathsOf } from './expression-paths.ts';
import { CARD_URL_SCHEMES, isCardUrl } from './card.ts';
import { FlowLoadError, pointer, type FlowIssue } from './issues.ts';
import { checkSchema } from './schema-check.ts';
import { BUILT_IN_INTENTS } from './small-talk.ts';
import { hasHoles, parseTemplate } from './template.ts';
import { normaliseToolSchema } from './tool-schema.ts';
import type {
  Action,
  CardAction,
  Choice,
  Flow,
  JsonSchemaObject,
  Message,
  Route,
  SlotDefinition,
  SlotSpec,
  State,
  Tool,
  Transition,
} from './types.ts';

export type LoadResult =
  | { ok: true; flow: LoadedFlow; warnings: FlowIssue[] }
  | { ok: false; errors: FlowIssue[]; warnings: FlowIssue[] };

type Path = (string | number)[];

function isRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/** Walks a flow that passed the schema check and reports what the schema cannot see. */
class Linter {
  readonly errors: FlowIssue[] = [];
  readonly warnings: FlowIssue[] = [];
  /** Every slot, merged as the engine will see it. */
  readonly slots: Record<string, SlotDefinition>;
  /** Where each slot's type was first declared, for conflict messages. */
  private readonly slotOrigins: Record<string, { type: string; path: Path }> = {};
  private readonly stateNames: string[];
  private readonly intentNames: string[];
  private readonly toolNames: string[];
  private readonly assignedContext = new Set<string>();
  private readonly readContext: { key: string; path: string }[] = [];
  private readonly readSlots: { key: string; path: string }[] = [];
  readonly edges = new Map<string, Set<string>>();

  constructor(private readonly flow: Flow) {
    this.slots = collectSlots(flow);
    this.stateNames = Object.keys(flow.states);
    this.intentNames = Object.keys(flow.intents);
    this.toolNames = Object.keys(flow.tools ?? {});
  }

  error(path: Path, code: string, message: string, hint?: string): void {
    this.errors.push({ path: pointer(path), message, severity: 'error', code, ...(hint !== undefined ? { hint } : {}) });
  }

  warn(path: Path, code: string, message: string, hint?: string): void {
    this.warnings.push({ path: pointer(path), message, severity: 'warning', code, ...(hint !== undefined ? { hint } : {}) });
  }

  run(): void {
    this.checkSlots();
    if (!Object.hasOwn(this.flow.states, this.flow.start)) {
      this.error(['start'], 'unknown-state', `unknown state "${this.flow.start}"`, suggest(this.flow.start, this.stateNames));
    }
    this.checkTools();
    const globals = this.flow.global ?? [];
    globals.forEach((transition, index) => this.transition(transition, ['global', index], undefined));
    if (this.flow.fallback) this.fallback(this.flow.fallback, ['fallback'], undefined);
    if (this.flow.restart?.to !== undefined) this.target(this.flow.restart.to, ['restart', 'to'], undefined);
    for (const [name, definition] of Object.entries(this.slots)) {
      if (!Array.isArray(definition.correctable)) continue;
      definition.correctable.forEach((state, index) => {
        if (!Object.hasOwn(this.flow.states, state)) this.error(['slots', name, 'correctable', index], 'unknown-state', `unknown state "${state}"`, suggest(state, this.stateNames));
      });
    }
    for (const [name, state] of Object.entries(this.flow.states)) this.state(name, state);
    this.checkReads();
    this.checkReachability();
  }

  private checkSlots(): void {
    const declare = (name: string, spec: SlotSpec, path: Path): void => {
      const definition = slotDefinition(spec);
      const origin = this.slotOrigins[name];
      if (origin && origin.type !== definition.type) {
        this.error(path, 'slot-type-conflict', `slot "${name}" is declared as ${definition.type} here but as ${origin.type} at ${pointer(origin.path)}`, 'give both the same type, or rename one');
        return;
      }
      this.slotOrigins[name] ??= { type: definition.type, path };
      if (definition.type !== 'enum' && definition.values !== undefined) {
        this.warn(path, 'values-ignored', `"values" only applies to enum slots, not ${definition.type}`);
      }
      if (definition.min !== undefined && definition.max !== undefined && definition.min > definition.max) {
        this.error(path, 'empty-range', `min ${definition.min} is above max ${definition.max}`);
      }
      if (definition.pattern !== undefined) {
        try {
          new RegExp(definition.pattern, 'u');
        } catch {
          this.error([...path, 'pattern'], 'bad-pattern', `"${definition.pattern}" is not a valid regular expression`);
        }
      }
    };
    for (const [name, spec] of Object.entries(this.flow.slots ?? {})) declare(name, spec, ['slots', name]);
    for (const [intent, definition] of Object.entries(this.flow.intents)) {
      for (const [name, spec] of Object.entries(definition.slots ?? {})) declare(name, spec, ['intents', intent, 'slots', name]);
      if ((Array.isArray(definition.examples) ? definition.examples : Object.values(definition.examples).flat()).length === 0) {
        this.warn(['intents', intent, 'examples'], 'no-examples', `intent "${intent}" has no examples, so only the LLM or quick replies can recognise it`);
      }
    }
    for (const [name, definition] of Object.entries(this.slots)) {
      if (definition.type === 'enum' && (definition.values ?? []).length === 0) {
        this.error(this.slotOrigins[name]?.path ?? ['slots', name], 'enum-without-values', `enum slot "${name}" lists no values`, 'add "values": ["a", "b"]');
      }
    }
  }

  private checkTools(): void {
    const domains = this.flow.meta.domains ?? [];
    for (const [name, tool] of Object.entries(this.flow.tools ?? {})) {
      const path: Path = ['tools', name];
      if (tool.domain === undefined) {
        this.warn(path, 'tool-without-domain', `tool "${name}" has no domain, so the relay will refuse to run it`, `add "domain": "${domains[0] ?? 'your-domain'}"`);
      } else if (!domains.includes(tool.domain)) {
        const hint = suggest(tool.domain, domains) ?? `add "${tool.domain}" to meta.domains`;
        this.error([...path, 'domain'], 'domain-not-allowed', `tool "${name}" is in domain "${tool.domain}", which is not in meta.domains`, hint);
      }
      for (const key of ['args', 'result'] as const) {
        const schema = tool[key];
        if (schema === undefined) continue;
        const normalised = normaliseToolSchema(schema);
        for (const problem of normalised.problems) this.error([...path, key, ...problem.path], 'tool-schema', problem.message, problem.hint);
      }
      for (const [index, argument] of (tool.pii ?? []).entries()) {
        const properties = this.toolProperties(tool, 'args');
        if (properties && !properties.includes(argument)) {
          this.error([...path, 'pii', index], 'unknown-argument', `"${argument}" is not an argument of ${name}`, suggest(argument, properties));
        }
      }
    }
  }

  private toolProperties(tool: Tool, key: 'args' | 'result'): string[] | undefined {
    const schema = tool[key];
    if (schema === undefined) return undefined;
    const normalised = normaliseToolSchema(schema).schema;
    return isRecord(normalised.properties) ? Object.keys(normalised.properties) : undefined;
  }

  private edge(from: string | undefined, to: string | undefined): void {
    if (to === undefined || to === RETURN_TARGET) return;
    const key = from ?? '*';
    if (!this.edges.has(key)) this.edges.set(key, new Set());
    this.edges.get(key)?.add(to);
  }

  private target(to: string | undefined, path: Path, from: string | undefined): void {
    if (to === undefined || to === RETURN_TARGET) return;
    if (!Object.hasOwn(this.flow.states, to)) {
      this.error(path, 'unknown-state', `unknown state "${to}"`, suggest(to, this.stateNames));
      return;
    }
    this.edge(from, to);
  }

  private intent(name: string, path: Path): void {
    if (Object.hasOwn(this.flow.intents, name) || Object.hasOwn(BUILT_IN_INTENTS, name)) return;
    this.error(path, 'unknown-intent', `unknown intent "${name}"`, suggest(name, [...this.intentNames, ...Object.keys(BUILT_IN_INTENTS)]));
  }

  expression(source: string, path: Path, resultTool?: string): void {
    if (source === 'else') return;
    try {
      this.recordReads(parseExpression(source), path, resultTool);
    } catch (error) {
      if (!(error instanceof ExpressionError)) throw error;
      this.error(path, 'expression', `${error.message} at character ${error.offset + 1} of "${source}"`, error.hint);
    }
  }

  template(source: string, path: Path, resultTool?: string): void {
    if (!hasHoles(source)) return;
    try {
      for (const part of parseTemplate(source).parts) if (typeof part !== 'string') this.recordReads(part, path, resultTool);
    } catch (error) {
      if (!(error instanceof ExpressionError)) throw error;
      this.error(path, 'template', `${error.message} at character ${error.offset + 1} of "${source}"`, error.hint);
    }
  }

  /** Templates anywhere inside a JSON value (assign values, tool arguments, emit data). */
  private value(value: unknown, path: Path, resultTool?: string): void {
    if (typeof value === 'string') this.template(value, path, resultTool);
    else if (Array.isArray(value)) value.forEach((item, index) => this.value(item, [...path, index], resultTool));
    else if (isRecord(value)) for (const [key, item] of Object.entries(value)) this.value(item, [...path, key], resultTool);
  }

  private message(message: Message, path: Path, resultTool?: string): void {
    if (typeof message === 'string') this.template(message, path, resultTool);
    else for (const [language, text] of Object.entries(message)) this.template(text, [...path, language], resultTool);
  }

  private card(card: CardAction['card'], path: Path, resultTool?: string): void {
    this.message(card.title, [...path, 'title'], resultTool);
    if (card.text !== undefined) this.message(card.text, [...path, 'text'], resultTool);
    for (const [index, field] of (card.fields ?? []).entries()) {
      this.message(field.label, [...path, 'fields', index, 'label'], resultTool);
      this.message(field.value, [...path, 'fields', index, 'value'], resultTool);
    }
    for (const [index, button] of (card.buttons ?? []).entries()) {
      const at: Path = [...path, 'buttons', index];
      this.message(button.label, [...at, 'label'], resultTool);
      this.template(button.url, [...at, 'url'], resultTool);
      // What a template fills in is checked when the card is shown; a scheme written here is checked now.
      const scheme = /^\s*([a-z][a-z0-9+.-]*):/i.exec(button.url)?.[1]?.toLowerCase();
      const literal = !hasHoles(button.url);
      if ((scheme !== undefined && !CARD_URL_SCHEMES.includes(`${scheme}:`)) || (literal && !isCardUrl(button.url))) {
        this.error([...at, 'url'], 'card-url', `"${button.url}" is not a link a card can open`, `write an absolute ${CARD_URL_SCHEMES.join(', ')} URL`);
      }
    }
  }

  private recordReads(expression: Expression, path: Path, resultTool?: string): void {
    for (const read of pathsOf(expression)) {
      const first = read.keys[0];
      if (typeof first !== 'string') continue;
      if (read.root === 'slot') this.readSlots.push({ key: first, path: pointer(path) });
      if (read.root === 'ctx') this.readContext.push({ key: first, path: pointer(path) });
      if (read.root === 'result' && resultTool !== undefined) {
        const tool = this.flow.tools?.[resultTool];
        const properties = tool ? this.toolProperties(tool, 'result') : undefined;
        if (properties && !properties.includes(first)) {
          this.warn(path, 'unknown-result-field', `${resultTool} returns no "${first}"`, suggest(first, properties) ?? `it returns ${properties.join(', ')}`);
        }
      }
    }
  }

  private assign(assign: Record<string, unknown> | undefined, path: Path, resultTool?: string): void {
    if (!assign) return;
    for (const [key, value] of Object.entries(assign)) {
      if (key === '__proto__' || key === 'constructor' || key === 'prototype') {
        this.error([...path, key], 'forbidden-key', `"${key}" cannot be assigned`);
        continue;
      }
      this.assignedContext.add(key);
      this.value(value, [...path, key], resultTool);
    }
  }

  private choices(choices: Choice[] | undefined, path: Path, state: string | undefined): void {
    for (const [index, choice] of (choices ?? []).entries()) {
      if (typeof choice === 'string') continue;
      this.message(choice.label, [...path, index, 'label']);
      if (choice.intent !== undefined) {
        this.intent(choice.intent, [...path, index, 'intent']);
      }
      for (const slot of Object.keys(choice.slots ?? {})) {
        if (!Object.hasOwn(this.slots, slot)) this.error([...path, index, 'slots', slot], 'unknown-slot', `unknown slot "${slot}"`, suggest(slot, Object.keys(this.slots)));
      }
    }
  }

  actions(actions: Action[] | undefined, path: Path, state: string | undefined, resultTool?: string): void {
    for (const [index, action] of (actions ?? []).entries()) {
      const at: Path = [...path, index];
      if ('say' in action) this.message(action.say, [...at, 'say'], resultTool);
      else if ('card' in action) this.card(action.card, [...at, 'card'], resultTool);
      else if ('ask' in action) {
        this.message(action.ask, [...at, 'ask'], resultTool);
        this.choices(action.choices, [...at, 'choices'], state);
      } else if ('assign' in action) this.assign(action.assign, [...at, 'assign'], resultTool);
      else if ('clear' in action) {
        for (const [slotIndex, slot] of action.clear.entries()) {
          if (!Object.hasOwn(this.slots, slot)) this.error([...at, 'clear', slotIndex], 'unknown-slot', `unknown slot "${slot}"`, suggest(slot, Object.keys(this.slots)));
        }
      } else if ('call' in action) {
        if (!this.toolNames.includes(action.call)) {
          this.error([...at, 'call'], 'unknown-tool', `unknown tool "${action.call}"`, suggest(action.call, this.toolNames));
        } else {
          const tool = (this.flow.tools ?? {})[action.call] as Tool;
          if (tool.domain === undefined) {
            this.error([...at, 'call'], 'tool-without-domain', `${action.call} has no domain, so this call would always be denied`, 'give the tool a "domain" listed in meta.domains');
          }
          const properties = this.toolProperties(tool, 'args');
          if (properties) {
            for (const argument of Object.keys(action.args ?? {})) {
              if (!properties.includes(argument)) {
                this.error([...at, 'args', argument], 'unknown-argument', `${action.call} takes no argument "${argument}"`, suggest(argument, properties));
              }
            }
            const required = normaliseToolSchema(tool.args ?? {}).schema.required;
            for (const argument of Array.isArray(required) ? required : []) {
              if (typeof argument === 'string' && !Object.hasOwn(action.args ?? {}, argument)) {
                this.error([...at, 'args'], 'missing-argument', `${action.call} needs the argument "${argument}"`);
              }
            }
          }
        }
        this.value(action.args, [...at, 'args'], resultTool);
        if (action.onResult) this.route(action.onResult, [...at, 'onResult'], state, action.call);
        if (action.onError) this.route(action.onError, [...at, 'onError'], state);
        if (index < (actions?.length ?? 0) - 1) {
          this.warn(at, 'actions-after-call', `the actions after this call run only once ${action.call} has answered and no route left the state`);
        }
      } else if ('handoff' in action) {
        if (action.handoff !== true) {
          if (action.handoff.reason !== undefined) this.message(action.handoff.reason, [...at, 'handoff', 'reason'], resultTool);
          if (action.handoff.message !== undefined) this.message(action.handoff.message, [...at, 'handoff', 'message'], resultTool);
        }
      } else if ('emit' in action) this.value(action.data, [...at, 'data'], resultTool);
    }
  }

  route(route: Route, path: Path, state: string | undefined, resultTool?: string): void {
    if (route.when !== undefined) this.expression(route.when, [...path, 'when'], resultTool);
    this.assign(route.assign, [...path, 'assign'], resultTool);
    this.actions(route.do, [...path, 'do'], state, resultTool);
    this.target(route.to, [...path, 'to'], state);
    if (route.branch) {
      if (route.to !== undefined) this.warn([...path, 'to'], 'to-with-branch', '"to" is ignored when "branch" is present', 'move it into an "else" arm');
      let sawElse = false;
      for (const [index, arm] of route.branch.entries()) {
        const at: Path = [...path, 'branch', index];
        if (sawElse) this.warn(at, 'after-else', 'this arm comes after "else" and can never be taken');
        if (arm.when.trim() === 'else') sawElse = true;
        else this.expression(arm.when, [...at, 'when'], resultTool);
        this.assign(arm.assign, [...at, 'assign'], resultTool);
        this.actions(arm.do, [...at, 'do'], state, resultTool);
        this.target(arm.to, [...at, 'to'], state);
      }
      if (!sawElse) {
        this.warn([...path, 'branch'], 'branch-without-else', 'no arm is "else": when none holds, the transition is not taken', 'add { "when": "else", "to": … }');
      }
    }
  }

  private transition(transition: Transition, path: Path, state: string | undefined): void {
    for (const [index, intent] of (transition.onIntent ?? []).entries()) this.intent(intent, [...path, 'onIntent', index]);
    if (transition.digress && state !== undefined) {
      this.warn([...path, 'digress'], 'digress-outside-global', '"digress" only applies to global transitions');
    }
    if (transition.to === RETURN_TARGET && state === undefined) {
      this.error([...path, 'to'], 'bad-return', '"$return" goes back after a digression; a global transition digresses with "digress": true instead');
    }
    this.route(transition, path, state);
  }

  private fallback(fallback: NonNullable<State['fallback']>, path: Path, state: string | undefined): void {
    if (fallback.say !== undefined) this.message(fallback.say, [...path, 'say']);
    if (fallback.onExhausted) this.route(fallback.onExhausted, [...path, 'onExhausted'], state);
  }

  private state(name: string, state: State): void {
    const path: Path = ['states', name];
    this.actions(state.onEnter, [...path, 'onEnter'], name);
    for (const [index, item] of (state.collect ?? []).entries()) {
      const at: Path = [...path, 'collect', index];
      if (!Object.hasOwn(this.slots, item.slot)) {
        this.error([...at, 'slot'], 'unknown-slot', `unknown slot "${item.slot}"`, suggest(item.slot, Object.keys(this.slots)) ?? 'declare it under "slots" or in an intent');
      }
      this.message(item.ask, [...at, 'ask']);
      this.choices(item.choices, [...at, 'choices'], name);
      if (item.validate !== undefined) this.expression(item.validate, [...at, 'validate']);
      if (item.invalid !== undefined) this.message(item.invalid, [...at, 'invalid']);
      if (item.onFail) this.route(item.onFail, [...at, 'onFail'], name);
    }
    for (const [index, transition] of (state.transitions ?? []).entries()) {
      this.transition(transition, [...path, 'transitions', index], name);
      if (transition.onIntent === undefined && transition.onEvent === undefined && transition.when === undefined && state.collect === undefined) {
        // An eventless, unguarded transition leaves as soon as the state is entered: legitimate, but the rest never run.
        const rest = (state.transitions ?? []).length - index - 1;
        if (rest > 0) this.warn([...path, 'transitions', index], 'shadowing', `this transition is always taken, so the ${rest} after it never are`);
      }
    }
    for (const [index, timer] of (state.after ?? []).entries()) this.route(timer, [...path, 'after', index], name);
    if (state.fallback) this.fallback(state.fallback, [...path, 'fallback'], name);
    if (state.final && ((state.transitions ?? []).length > 0 || state.collect || state.after)) {
      this.warn(path, 'final-with-exits', 'a final state ends the conversation: its transitions, collect and timers are never used');
    }
  }

  private checkReads(): void {
    const slotNames = Object.keys(this.slots);
    for (const read of this.readSlots) {
      if (!slotNames.includes(read.key)) {
        this.errors.push({ path: read.path, severity: 'error', code: 'unknown-slot', message: `unknown slot "${read.key}"`, ...optionalHint(suggest(read.key, slotNames)) });
      }
    }
    const contextNames = [...this.assignedContext];
    for (const read of this.readContext) {
      if (!this.assignedContext.has(read.key)) {
        this.warnings.push({ path: read.path, severity: 'warning', code: 'unassigned-context', message: `ctx.${read.key} is read but never assigned`, ...optionalHint(suggest(read.key, contextNames)) });
      }
    }
  }

  private checkReachability(): void {
    const reachable = new Set<string>();
    const queue: string[] = [];
    const visit = (name: string): void => {
      if (reachable.has(name) || !Object.hasOwn(this.flow.states, name)) return;
      reachable.add(name);
      queue.push(name);
    };
    visit(this.flow.start);
    for (const global of this.edges.get('*') ?? []) visit(global);
    while (queue.length > 0) {
      const name = queue.shift() as string;
      for (const next of this.edges.get(name) ?? []) visit(next);
    }
    for (const [name, state] of Object.entries(this.flow.states)) {
      if (!reachable.has(name)) this.warn(['states', name], 'unreachable', `state "${name}" can never be reached`);
      const exits = this.edges.get(name)?.size ?? 0;
      const returns = JSON.stringify(state).includes(`"${RETURN_TARGET}"`);
      if (!state.final && exits === 0 && !returns) {
        this.warn(['states', name], 'no-way-out', `state "${name}" is not final but has no way out`, 'add a transition, or mark it "final": true');
      }
    }
  }
}

function optionalHint(hint: string | undefined): { hint?: string } {
  return hint === undefined ? {} : { hint };
}

function parseText(input: string): { value?: unknown; issue?: FlowIssue } {
  try {
    return { value: JSON.parse(input) as unknown };
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    return { issue: { path: '', severity: 'error', code: 'json', message: `not valid JSON: ${message}` } };
  }
}

/**
 * Validates and prepares a flow. `input` is the parsed JSON (or its text).
 * Never throws on bad input: every problem is in `errors`.
 */
export function loadFlow(input: unknown): LoadResult {
  if (typeof input === 'string') {
    const parsed = parseText(input);
    if (parsed.issue) return { ok: false, errors: [parsed.issue], warnings: [] };
    input = parsed.value;
  }
  const schemaIssues = checkSchema(input);
  if (schemaIssues.length > 0) return { ok: false, errors: schemaIssues, warnings: [] };
  const definition = input as Flow;
  const linter = new Linter(definition);
  linter.run();
  if (linter.errors.length > 0) return { ok: false, errors: linter.errors, warnings: linter.warnings };

  return { ok: true, flow: compileFlow(definition), warnings: linter.warnings };
}

export function loadFlowOrThrow(input: unknown): LoadedFlow {
  const result = loadFlow(input);
  if (!result.ok) throw new FlowLoadError(result.errors);
  return result.flow;
}
