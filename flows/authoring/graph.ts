/**
 * A flow as a graph for people to look at: every state, and every way out of
 * it labelled with what takes it (an intent, a host event, an idle timer, a
 * tool's result or error, a refused slot, the fallback, a guard). Global
 * transitions and digressions are drawn once, from an "any state" node, not
 * copied onto every state.
 *
 * Pure data, no I/O and no layout: `toMermaid`, `toDot` and `layoutSvg` draw it.
 *
 * @example
 * ```ts
 * const graph = flowGraph(loadFlowOrThrow(json).definition);
 * graph.nodes.filter((node) => node.unreachable); // states nothing leads to
 * ```
 */
import { RETURN_TARGET } from '../compile.ts';
import type { Action, AfterTimer, BranchArm, Flow, Route, State, Transition } from '../types.ts';

/** The node global transitions and the flow's fallback start from. */
export const ANY_STATE = '*';
/** The node a digression's `$return` goes to: back where the visitor was. */
export const RETURN_NODE = RETURN_TARGET;
/** The node before the start state. */
export const START_NODE = '^';

export type NodeKind = 'state' | 'start' | 'any' | 'return';

export interface GraphNode {
  /** The state name, or one of `START_NODE`, `ANY_STATE`, `RETURN_NODE`. */
  id: string;
  kind: NodeKind;
  /** What a diagram writes in the node. */
  label: string;
  /** `final: true`: the conversation ends here. */
  final: boolean;
  /** Entering the state hands the conversation to a person. */
  handoff: boolean;
  /** No path from the start state leads here. */
  unreachable: boolean;
}

export type TriggerKind =
  | 'start'
  | 'intent'
  | 'event'
  /** Taken as soon as the state is ready (after `onEnter`, once its slots are filled). */
  | 'ready'
  | 'timer'
  | 'tool-result'
  | 'tool-error'
  | 'slot-refused'
  | 'not-understood'
  /** A `to` found under a key this version of the graph does not know. */
  | 'other';

export interface GraphEdge {
  /** Unique within the graph: the JSON Pointer of the route in the flow (`/states/A/transitions/0/branch/1`). */
  id: string;
  from: string;
  /** A state name; `from` itself for a route that stays; `RETURN_NODE` for `$return`. */
  to: string;
  kind: TriggerKind;
  /** The trigger in words: `intent BOOK`, `event booking.requested`, `after 2 min idle`, `CheckAvailability result`. */
  trigger: string;
  /** The guard, `{{ }}` removed (`ctx.partySize > 8`, `else`), or null. */
  guard: string | null;
  /** Declared in the flow's `global` (or its `fallback`): applies in every state. */
  global: boolean;
  /** A digression: answered, then back to where the visitor was. */
  digression: boolean;
  /** Trigger, guard and digression in one line, as diagrams write it. */
  label: string;
}

export interface FlowGraph {
  name: string;
  start: string;
  nodes: GraphNode[];
  edges: GraphEdge[];
}

interface Origin {
  from: string;
  kind: TriggerKind;
  trigger: string;
  guard: string | null;
  global: boolean;
  digression: boolean;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

function pointer(segments: (string | number)[]): string {
  return segments.map((segment) => `/${String(segment).replace(/~/g, '~0').replace(/\//g, '~1')}`).join('');
}

/** `{{ctx.partySize}} > 8` → `ctx.partySize > 8`. */
export function readableExpression(expression: string): string {
  return expression.replace(/\{\{\s*(.*?)\s*\}\}/g, '$1').trim();
}

function duration(ms: number): string {
  if (ms % 3_600_000 === 0) return `${ms / 3_600_000} h`;
  if (ms % 60_000 === 0) return `${ms / 60_000} min`;
  if (ms % 1000 === 0) return `${ms / 1000} s`;
  return `${ms} ms`;
}

function joinGuards(first: string | null, second: string | undefined): string | null {
  const parts = [first, second === undefined ? null : readableExpression(second)].filter((part): part is string => part !== null && part !== '');
  return parts.length === 0 ? null : parts.join(' && ');
}

function edgeLabel(origin: Origin): string {
  let label = origin.trigger;
  if (origin.guard !== null) label += ` [${origin.guard}]`;
  if (origin.digression) label += ' · digression';
  return label;
}

function handsOff(actions: Action[] | undefined): boolean {
  return (actions ?? []).some((action) => 'handoff' in action);
}

class GraphBuilder {
  readonly edges: GraphEdge[] = [];
  /** Pointers of every `to` drawn, so the sweep for unknown keys skips them. */
  readonly drawn = new Set<string>();

  constructor(private readonly flow: Flow) {}

  private add(origin: Origin, to: string, path: (string | number)[]): void {
    const id = pointer(path);
    this.drawn.add(`${id}/to`);
    this.edges.push({ id, to, label: edgeLabel(origin), ...origin });
  }

  /** A route: its own `to`, its branch arms, and the calls in its actions. Without a target it stays. */
  route(route: Route | BranchArm, origin: Origin, path: (string | number)[]): void {
    const guarded = { ...origin, guard: joinGuards(origin.guard, route.when) };
    this.actions(route.do, origin.from, origin.global, [...path, 'do']);
    const branch = 'branch' in route ? route.branch : undefined;
    if (branch && branch.length > 0) {
      // A branch decides where the route goes; the route's own `to` (if any) is never used past it.
      this.drawn.add(pointer([...path, 'to']));
      branch.forEach((arm, index) => this.route(arm, guarded, [...path, 'branch', index]));
      return;
    }
    this.add(guarded, route.to ?? origin.from, path);
  }

  /** Tool calls inside actions route on their result and error, from the state that runs them. */
  actions(actions: Action[] | undefined, from: string, global: boolean, path: (string | number)[]): void {
    (actions ?? []).forEach((action, index) => {
      if (!('call' in action)) return;
      const base = { from, global, guard: null, digression: false };
      if (action.onResult) this.route(action.onResult, { ...base, kind: 'tool-result', trigger: `${action.call} result` }, [...path, index, 'onResult']);
      if (action.onError) this.route(action.onError, { ...base, kind: 'tool-error', trigger: `${action.call} error` }, [...path, index, 'onError']);
    });
  }

  /** `readyText` names when a transition without a trigger is taken: "at once", or "slots filled" in a state that collects. */
  transition(transition: Transition, from: string, global: boolean, path: (string | number)[], readyText = 'at once'): void {
    const triggers: { kind: TriggerKind; trigger: string }[] = [];
    if (transition.onIntent && transition.onIntent.length > 0) triggers.push({ kind: 'intent', trigger: `intent ${transition.onIntent.join(' | ')}` });
    if (transition.onEvent !== undefined) {
      const events = typeof transition.onEvent === 'string' ? [transition.onEvent] : transition.onEvent;
      triggers.push({ kind: 'event', trigger: `event ${events.join(' | ')}` });
    }
    if (triggers.length === 0) triggers.push({ kind: 'ready', trigger: readyText });
    const digression = global && transition.digress === true;
    const first = triggers[0] as { kind: TriggerKind; trigger: string };
    const trigger = triggers.map((item) => item.trigger).join(' or ');
    const origin: Origin = { from, kind: first.kind, trigger, guard: null, global, digression };
    if (digression && transition.to === undefined && !transition.branch) {
      // Answered in place, then back where the visitor was.
      this.actions(transition.do, from, global, [...path, 'do']);
      this.add({ ...origin, guard: joinGuards(null, transition.when) }, RETURN_NODE, path);
      return;
    }
    this.route(transition, origin, path);
  }

  timer(timer: AfterTimer, from: string, path: (string | number)[]): void {
    const repeat = timer.repeat ? `, repeating${timer.max !== undefined ? ` ×${timer.max}` : ''}` : '';
    this.route(timer, { from, kind: 'timer', trigger: `after ${duration(timer.ms)} idle${repeat}`, guard: null, global: false, digression: false }, path);
  }

  state(name: string, state: State): void {
    const base = ['states', name];
    this.actions(state.onEnter, name, false, [...base, 'onEnter']);
    (state.collect ?? []).forEach((item, index) => {
      if (!item.onFail) return;
      const times = item.maxAttempts ?? 3;
      this.route(item.onFail, { from: name, kind: 'slot-refused', trigger: `${item.slot} refused ×${times}`, guard: null, global: false, digression: false }, [...base, 'collect', index, 'onFail']);
    });
    const readyText = state.collect && state.collect.length > 0 ? 'slots filled' : 'at once';
    (state.transitions ?? []).forEach((transition, index) => this.transition(transition, name, false, [...base, 'transitions', index], readyText));
    (state.after ?? []).forEach((timer, index) => this.timer(timer, name, [...base, 'after', index]));
    if (state.fallback?.onExhausted) {
      const times = state.fallback.maxAttempts ?? 3;
      this.route(state.fallback.onExhausted, { from: name, kind: 'not-understood', trigger: `not understood ×${times}`, guard: null, global: false, digression: false }, [...base, 'fallback', 'onExhausted']);
    }
  }

  /**
   * Any `to` the walk above did not draw sits under a key this version does
   * not know (the language grows); it is drawn anyway, labelled with its key,
   * so no way out of a state is ever missing from the picture.
   */
  sweep(node: unknown, from: string, global: boolean, path: (string | number)[]): void {
    if (Array.isArray(node)) {
      node.forEach((item, index) => this.sweep(item, from, global, [...path, index]));
      return;
    }
    if (!isRecord(node)) return;
    for (const [key, value] of Object.entries(node)) {
      const here = [...path, key];
      if (key === 'to' && typeof value === 'string' && !this.drawn.has(pointer(here))) {
        const trigger = path.filter((segment): segment is string => typeof segment === 'string').at(-1) ?? 'route';
        this.add({ from, kind: 'other', trigger, guard: typeof node.when === 'string' ? readableExpression(node.when) : null, global, digression: false }, value, path);
      } else if (key !== 'to') this.sweep(value, from, global, here);
    }
  }

  build(): void {
    const flow = this.flow;
    for (const [name, state] of Object.entries(flow.states)) this.state(name, state);
    (flow.global ?? []).forEach((transition, index) => this.transition(transition, ANY_STATE, true, ['global', index]));
    if (flow.fallback?.onExhausted) {
      const times = flow.fallback.maxAttempts ?? 3;
      this.route(flow.fallback.onExhausted, { from: ANY_STATE, kind: 'not-understood', trigger: `not understood ×${times}`, guard: null, global: true, digression: false }, ['fallback', 'onExhausted']);
    }
    for (const [name, state] of Object.entries(flow.states)) this.sweep(state, name, false, ['states', name]);
    this.sweep(flow.global, ANY_STATE, true, ['global']);
    this.sweep(flow.fallback, ANY_STATE, true, ['fallback']);
  }
}

/** The states reachable from the start: along state edges, and along global ones from any reachable state. */
function reachableStates(flow: Flow, edges: GraphEdge[]): Set<string> {
  const reached = new Set<string>([flow.start]);
  const queue = [flow.start];
  const globalTargets = edges.filter((edge) => edge.from === ANY_STATE).map((edge) => edge.to);
  for (const target of globalTargets) {
    if (!Object.hasOwn(flow.states, target) || reached.has(target)) continue;
    reached.add(target);
    queue.push(target);
  }
  while (queue.length > 0) {
    const current = queue.shift() as string;
    for (const edge of edges) {
      if (edge.from !== current || reached.has(edge.to) || !Object.hasOwn(flow.states, edge.to)) continue;
      reached.add(edge.to);
      queue.push(edge.to);
    }
  }
  return reached;
}

/** The graph of a flow (one that `loadFlow` accepted; a broken one gives a partial graph, never an exception). */
export function flowGraph(flow: Flow): FlowGraph {
  const builder = new GraphBuilder(flow);
  builder.build();
  const edges = builder.edges;
  const reached = reachableStates(flow, edges);
  const nodes: GraphNode[] = [{ id: START_NODE, kind: 'start', label: 'start', final: false, handoff: false, unreachable: false }];
  for (const [name, state] of Object.entries(flow.states)) {
    nodes.push({ id: name, kind: 'state', label: name, final: state.final === true, handoff: handsOff(state.onEnter), unreachable: !reached.has(name) });
  }
  if (edges.some((edge) => edge.from === ANY_STATE)) nodes.push({ id: ANY_STATE, kind: 'any', label: 'any state', final: false, handoff: false, unreachable: false });
  if (edges.some((edge) => edge.to === RETURN_NODE)) nodes.push({ id: RETURN_NODE, kind: 'return', label: 'back where the visitor was', final: false, handoff: false, unreachable: false });
  const startEdge: GraphEdge = { id: '/start', from: START_NODE, to: flow.start, kind: 'start', trigger: 'session start', guard: null, global: false, digression: false, label: 'session start' };
  return { name: flow.meta.name, start: flow.start, nodes, edges: [startEdge, ...edges] };
}
