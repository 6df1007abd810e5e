/**
 * Conversation tests: a transcript of user turns and expectations, run against
 * a flow with scripted NLU results, scripted tool results and a simulated
 * clock. Pure: the CLI (`statechat test`) reads the files and prints.
 *
 * @example
 * ```yaml
 * flow: ../../flows/reservations.flow.json
 * now: "2026-11-23T10:00:00Z"
 * tools: { CheckAvailability: { ok: true } }
 * conversations:
 *   - name: books a table for four
 *     steps:
 *       - bot: "Welcome"
 *       - user: "I'd like to book"
 *         intent: BOOK
 *       - state: CollectPartySize
 * ```
 */
import { equals } from '../../flows/expression.ts';
import type { LoadedFlow } from '../../flows/compile.ts';
import type { Json, JsonObject } from '../../flows/types.ts';
import { initialSnapshot, step } from './step.ts';
import type { Effect, EngineEvent, JournalEntry, Snapshot } from './types.ts';

export interface TranscriptStep {
  bot?: string;
  user?: string;
  intent?: string | null;
  confidence?: number;
  slots?: JsonObject;
  choose?: string;
  state?: string;
  ctx?: JsonObject;
  filled?: JsonObject;
  tool?: string;
  args?: JsonObject;
  event?: { name: string; data?: Json };
  wait?: number;
  handoff?: boolean | string;
  ended?: boolean;
}

export interface TranscriptConversation {
  name: string;
  /** Overrides the file's clock for this conversation. */
  now?: string;
  /** Overrides (per tool) the file's scripted tool results. */
  tools?: { [tool: string]: Json };
  language?: string;
  steps: TranscriptStep[];
}

export interface Transcript {
  flow: string;
  now?: string;
  /**
   * A scripted result per tool. `{ "$error": "message" }` makes the call fail;
   * a `{ "$sequence": [r1, r2] }` answers successive calls in turn.
   */
  tools?: { [tool: string]: Json };
  conversations: TranscriptConversation[];
}

/** What the NLU says about a user turn that has no scripted intent. */
export type Understand = (request: Extract<Effect, { type: 'classify' }>, now: number) => {
  intent: string | null;
  confidence: number;
  slots: JsonObject;
};

export interface RunOptions {
  /** Answers user turns that have no scripted intent (the local classifier, say). */
  understand?: Understand;
  /** Also ask `understand` about scripted turns and record how it did; the scripted answer still drives the run. */
  evaluate?: boolean;
}

export interface StepFailure {
  step: number;
  expected: string;
  actual: string;
}

export interface ConversationResult {
  name: string;
  passed: boolean;
  failures: StepFailure[];
  journal: JournalEntry[];
  snapshot: Snapshot;
  /** User turns answered by `understand` (no scripted intent), and how many of those it recognised. */
  unscriptedTurns: number;
  unscriptedRecognised: number;
  /** With `evaluate`, what `understand` said on each scripted turn, next to the scripted intent. */
  evaluations: { text: string; scripted: string | null; predicted: string | null; confidence: number; threshold: number }[];
  visitedStates: string[];
  transitions: string[];
}

export interface Coverage {
  states: { covered: string[]; missing: string[] };
  transitions: { covered: string[]; missing: string[] };
}

const DEFAULT_NOW = '2026-01-01T12:00:00Z';

function isRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/** Every key of `expected` has an equal value in `actual` (nested objects compared the same way). */
export function isSubset(expected: Json | undefined, actual: Json | undefined): boolean {
  if (isRecord(expected)) {
    if (!isRecord(actual)) return false;
    return Object.entries(expected).every(([key, value]) => Object.hasOwn(actual, key) && isSubset(value as Json, actual[key] as Json));
  }
  return equals(expected, actual);
}

export function matchesText(pattern: string, text: string): boolean {
  const regex = /^\/(.*)\/([a-z]*)$/s.exec(pattern);
  if (regex) {
    try {
      return new RegExp(regex[1] as string, regex[2]).test(text);
    } catch {
      return false;
    }
  }
  return text.includes(pattern);
}

function show(value: unknown): string {
  return JSON.stringify(value);
}

/** Runs one conversation; never throws on a bad transcript (problems become failures). */
export function runConversation(
  flow: LoadedFlow,
  conversation: TranscriptConversation,
  defaults: { now?: string; tools?: { [tool: string]: Json } },
  options: RunOptions = {},
): ConversationResult {
  const { understand, evaluate = false } = options;
  const evaluations: ConversationResult['evaluations'] = [];
  let now = Date.parse(conversation.now ?? defaults.now ?? DEFAULT_NOW);
  if (Number.isNaN(now)) now = Date.parse(DEFAULT_NOW);
  const tools = { ...defaults.tools, ...conversation.tools };
  const toolCallCounts: Record<string, number> = {};
  const failures: StepFailure[] = [];
  const journal: JournalEntry[] = [];
  const botMessages: string[] = [];
  const toolCalls: { name: string; args: JsonObject }[] = [];
  const handoffs: (string | null)[] = [];
  const timers = new Map<string, number>();
  const visitedStates = new Set<string>();
  const transitions = new Set<string>();
  let snapshot = initialSnapshot(flow);
  let scripted: { intent: string | null; confidence: number; slots: JsonObject } | null = null;
  let unscriptedTurns = 0;
  let unscriptedRecognised = 0;

  const dispatch = (first: EngineEvent): void => {
    const queue: EngineEvent[] = [first];
    while (queue.length > 0) {
      const event = queue.shift() as EngineEvent;
      const env = { now, ...(conversation.language !== undefined ? { language: conversation.language } : {}) };
      journal.push({ event, env });
      const result = step(flow, snapshot, event, env);
      snapshot = result.snapshot;
      for (const effect of result.effects) {
        switch (effect.type) {
          case 'say':
          case 'ask':
            botMessages.push(effect.text);
            break;
          case 'classify': {
            let answer = scripted;
            if (answer !== null && evaluate && understand) {
              const predicted = understand(effect, now);
              evaluations.push({ text: effect.text, scripted: answer.intent, predicted: predicted.intent, confidence: predicted.confidence, threshold: effect.threshold });
            }
            if (answer === null) {
              unscriptedTurns += 1;
              answer = understand ? understand(effect, now) : { intent: null, confidence: 0, slots: {} };
              if (answer.intent !== null) unscriptedRecognised += 1;
            }
            scripted = null;
            queue.push({ type: 'nlu.result', requestId: effect.requestId, intent: answer.intent, confidence: answer.confidence, slots: answer.slots });
            break;
          }
          case 'callTool': {
            toolCalls.push({ name: effect.name, args: effect.args });
            const count = toolCallCounts[effect.name] ?? 0;
            toolCallCounts[effect.name] = count + 1;
            let answer: Json | undefined = tools[effect.name];
            if (isRecord(answer) && Array.isArray(answer.$sequence)) answer = answer.$sequence[Math.min(count, answer.$sequence.length - 1)] as Json;
            if (answer === undefined) {
              queue.push({ type: 'tool.error', callId: effect.callId, error: { code: 'not-scripted', message: `no scripted result for ${effect.name}` } });
            } else if (isRecord(answer) && typeof answer.$error === 'string') {
              queue.push({ type: 'tool.error', callId: effect.callId, error: { code: 'tool-failed', message: answer.$error } });
            } else {
              queue.push({ type: 'tool.result', callId: effect.callId, result: answer });
            }
            break;
          }
          case 'startTimer':
            timers.set(effect.timerId, effect.deadline);
            break;
          case 'cancelTimer':
            timers.delete(effect.timerId);
            break;
          case 'handoff':
            handoffs.push(effect.queue);
            break;
          case 'emit':
            if (effect.name === 'fsm.transition') {
              const to = String(effect.data.to);
              visitedStates.add(to);
              if (effect.data.from !== null) transitions.add(`${String(effect.data.from)} -> ${to}`);
            }
            break;
          case 'error':
            failures.push({ step: -1, expected: 'no engine error', actual: `${effect.code}: ${effect.message}` });
            break;
          case 'ignored':
            break;
        }
      }
    }
  };

  const advance = (milliseconds: number): void => {
    const until = now + milliseconds;
    for (;;) {
      const due = [...timers.entries()].filter(([, deadline]) => deadline <= until).sort((a, b) => a[1] - b[1])[0];
      if (!due) break;
      timers.delete(due[0]);
      now = Math.max(now, due[1]);
      dispatch({ type: 'timer.fired', timerId: due[0] });
    }
    now = until;
  };

  dispatch({ type: 'session.start', sessionId: `test-${conversation.name}`, ...(conversation.language ? { language: conversation.language } : {}) });

  for (const [index, item] of (Array.isArray(conversation.steps) ? conversation.steps : []).entries()) {
    const fail = (expected: string, actual: string): void => {
      failures.push({ step: index + 1, expected, actual });
    };
    const raw: unknown = item;
    if (!isRecord(raw)) {
      fail('a step object', show(raw));
      continue;
    }
    if (item.bot !== undefined) {
      const position = botMessages.findIndex((text) => matchesText(String(item.bot), text));
      if (position === -1) fail(`bot says ${show(item.bot)}`, botMessages.length === 0 ? 'no bot message' : `bot said ${botMessages.map((text) => show(text)).join(' | ')}`);
      else botMessages.splice(0, position + 1);
    }
    if (item.user !== undefined || item.choose !== undefined) {
      botMessages.length = 0;
      scripted =
        item.intent !== undefined || item.slots !== undefined
          ? { intent: item.intent ?? null, confidence: item.confidence ?? 1, slots: item.slots ?? {} }
          : null;
      if (item.choose !== undefined) {
        const choice = snapshot.prompt?.choices.find((candidate) => candidate.label === item.choose || candidate.value === item.choose);
        if (!choice) fail(`a quick reply ${show(item.choose)}`, `choices ${show(snapshot.prompt?.choices.map((candidate) => candidate.label) ?? [])}`);
        else dispatch({ type: 'user.choice', value: choice.value });
      } else {
        dispatch({ type: 'user.text', text: String(item.user) });
      }
      scripted = null;
    }
    if (item.event !== undefined) {
      botMessages.length = 0;
      const event: unknown = item.event;
      if (!isRecord(event) || typeof event.name !== 'string') fail('event: { name, data }', show(event));
      else dispatch({ type: 'host.event', name: event.name, ...(event.data !== undefined ? { data: event.data as Json } : {}) });
    }
    if (item.wait !== undefined) {
      if (typeof item.wait !== 'number' || item.wait < 0) fail('wait: a number of milliseconds', show(item.wait));
      else advance(item.wait);
    }
    if (item.state !== undefined && snapshot.state !== item.state) fail(`state ${item.state}`, `state ${snapshot.state}`);
    if (item.ctx !== undefined && !isSubset(item.ctx, snapshot.ctx)) fail(`ctx contains ${show(item.ctx)}`, `ctx ${show(snapshot.ctx)}`);
    if (item.filled !== undefined && !isSubset(item.filled, snapshot.slots)) fail(`slots contain ${show(item.filled)}`, `slots ${show(snapshot.slots)}`);
    if (item.tool !== undefined) {
      const position = toolCalls.findIndex((call) => call.name === item.tool && (item.args === undefined || isSubset(item.args, call.args)));
      if (position === -1) {
        fail(`a call to ${item.tool}${item.args ? ` with ${show(item.args)}` : ''}`, toolCalls.length === 0 ? 'no tool call' : `calls ${show(toolCalls)}`);
      } else toolCalls.splice(0, position + 1);
    }
    if (item.handoff !== undefined) {
      const ok = item.handoff === true ? handoffs.length > 0 : item.handoff === false ? handoffs.length === 0 : handoffs.includes(String(item.handoff));
      if (!ok) fail(`handoff ${show(item.handoff)}`, handoffs.length === 0 ? 'no handoff' : `handoff to ${show(handoffs)}`);
    }
    if (item.ended !== undefined && (snapshot.status === 'ended') !== item.ended) fail(item.ended ? 'the conversation ended' : 'the conversation still going', `status ${snapshot.status}`);
  }

  return {
    name: conversation.name,
    passed: failures.length === 0,
    failures,
    journal,
    snapshot,
    unscriptedTurns,
    unscriptedRecognised,
    evaluations,
    visitedStates: [...visitedStates],
    transitions: [...transitions],
  };
}

/** Every state-to-state edge the flow declares (its own `to`s; global ones apply from every state). */
export function declaredTransitions(flow: LoadedFlow): string[] {
  const edges = new Set<string>();
  const collectTargets = (node: unknown, into: Set<string>): void => {
    if (Array.isArray(node)) for (const item of node) collectTargets(item, into);
    else if (isRecord(node)) {
      for (const [key, value] of Object.entries(node)) {
        if (key === 'to' && typeof value === 'string' && value !== '$return') into.add(value);
        else collectTargets(value, into);
      }
    }
  };
  for (const [name, state] of Object.entries(flow.definition.states)) {
    const targets = new Set<string>();
    collectTargets(state, targets);
    for (const target of targets) edges.add(`${name} -> ${target}`);
  }
  return [...edges].sort();
}

export function coverage(flow: LoadedFlow, results: ConversationResult[]): Coverage {
  const visited = new Set(results.flatMap((result) => result.visitedStates));
  const taken = new Set(results.flatMap((result) => result.transitions));
  const states = Object.keys(flow.definition.states);
  const declared = declaredTransitions(flow);
  return {
    states: { covered: states.filter((state) => visited.has(state)), missing: states.filter((state) => !visited.has(state)) },
    transitions: { covered: declared.filter((edge) => taken.has(edge)), missing: declared.filter((edge) => !taken.has(edge)) },
  };
}

/** Checks a parsed transcript file's shape; returns a message per problem. */
export function transcriptProblems(value: unknown): string[] {
  if (!isRecord(value)) return ['a transcript is an object with "flow" and "conversations"'];
  const problems: string[] = [];
  if (typeof value.flow !== 'string') problems.push('"flow" must be the path of a flow file, relative to the transcript');
  if (value.now !== undefined && (typeof value.now !== 'string' || Number.isNaN(Date.parse(value.now)))) problems.push('"now" must be an ISO date-time');
  if (!Array.isArray(value.conversations) || value.conversations.length === 0) problems.push('"conversations" must be a non-empty list');
  else {
    value.conversations.forEach((conversation, index) => {
      if (!isRecord(conversation) || typeof conversation.name !== 'string') problems.push(`conversations[${index}] needs a "name"`);
      else if (!Array.isArray(conversation.steps)) problems.push(`conversations[${index}] ("${conversation.name}") needs "steps"`);
    });
  }
  return problems;
}
