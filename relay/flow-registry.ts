import { allowedIntents, formatIssue, loadFlow, type FlowIssue, type LoadedFlow } from '../flows/index.ts';
import { trainClassifier, type Classifier } from '../widget/nlu/index.ts';
import { relevantSlots } from './classify/llm-schema.ts';

/** What classification needs about one state, worked out once. */
export interface StateInfo {
  /** The intents the state reacts to, its own and the global ones. */
  allowed: string[];
  /** The slots an LLM is asked for in this state: those of the allowed intents and those the state collects. */
  llmSlots: string[];
}

/** A flow as the relay serves it: validated, its JSON and ETag ready, its classifier trained. */
export interface RegisteredFlow {
  flow: LoadedFlow;
  json: string;
  etag: string;
  classifier: Classifier;
  /** Every state of the flow, by name. */
  states: Map<string, StateInfo>;
  /**
   * Every version the relay knows, this one included: sessions pinned to an
   * older version are verified against that version's own definition.
   */
  versions: Map<string, LoadedFlow>;
}

/** Thrown by `createRelay` when a flow does not load; `issues` lists every problem. */
export class RelayConfigError extends Error {
  override readonly name = 'RelayConfigError';
  constructor(
    message: string,
    readonly issues: readonly (FlowIssue & { flow: string })[] = [],
  ) {
    super(message);
  }
}

// cyrb53: a fast 53-bit string hash, enough to tell versions of a flow apart in an ETag.
function hash53(text: string): string {
  let first = 0xdeadbeef;
  let second = 0x41c6ce57;
  for (let index = 0; index < text.length; index++) {
    const code = text.charCodeAt(index);
    first = Math.imul(first ^ code, 2654435761);
    second = Math.imul(second ^ code, 1597334677);
  }
  first = Math.imul(first ^ (first >>> 16), 2246822507) ^ Math.imul(second ^ (second >>> 13), 3266489909);
  second = Math.imul(second ^ (second >>> 16), 2246822507) ^ Math.imul(first ^ (first >>> 13), 3266489909);
  return (4294967296 * (2097151 & second) + (first >>> 0)).toString(36);
}

function nameOf(input: unknown, index: number): string {
  if (input !== null && typeof input === 'object') {
    const meta = (input as { meta?: { id?: unknown; name?: unknown } }).meta;
    if (typeof meta?.id === 'string') return meta.id;
    if (typeof meta?.name === 'string') return meta.name;
  }
  return `flows[${index}]`;
}

function stateInfos(flow: LoadedFlow): Map<string, StateInfo> {
  const states = new Map<string, StateInfo>();
  for (const state of Object.keys(flow.stateIntents)) {
    const allowed = allowedIntents(flow, state) ?? [];
    states.set(state, { allowed, llmSlots: relevantSlots(flow, state, allowed) });
  }
  return states;
}

/**
 * Loads every flow and refuses to go on if one is invalid, listing each issue
 * with its JSON Pointer, so a relay never starts with a flow it cannot serve.
 */
export function registerFlows(inputs: readonly unknown[], previousVersions: readonly unknown[] = []): Map<string, RegisteredFlow> {
  const registered = new Map<string, RegisteredFlow>();
  const problems: (FlowIssue & { flow: string })[] = [];
  inputs.forEach((input, index) => {
    const result = loadFlow(input);
    const label = nameOf(input, index);
    if (!result.ok) {
      problems.push(...result.errors.map((issue) => ({ ...issue, flow: label })));
      return;
    }
    const { flow } = result;
    if (registered.has(flow.id)) {
      problems.push({ flow: label, path: '/meta/id', message: `another flow already has the id "${flow.id}"`, severity: 'error', code: 'duplicate-flow-id' });
      return;
    }
    const json = JSON.stringify(flow.definition);
    registered.set(flow.id, {
      flow,
      json,
      etag: `"${flow.version.replace(/[^\w.-]/g, '_')}-${hash53(json)}"`,
      classifier: trainClassifier(flow.definition.intents, { language: flow.language }),
      states: stateInfos(flow),
      versions: new Map([[flow.version, flow]]),
    });
  });
  previousVersions.forEach((input, index) => {
    const result = loadFlow(input);
    const label = `previous ${nameOf(input, index)}`;
    if (!result.ok) {
      problems.push(...result.errors.map((issue) => ({ ...issue, flow: label })));
      return;
    }
    const current = registered.get(result.flow.id);
    if (!current) {
      problems.push({ flow: label, path: '/meta/id', message: `no current flow has the id "${result.flow.id}"`, severity: 'error', code: 'unknown-flow-id' });
      return;
    }
    if (current.versions.has(result.flow.version)) {
      problems.push({ flow: label, path: '/meta/version', message: `version "${result.flow.version}" is listed twice`, severity: 'error', code: 'duplicate-flow-version' });
      return;
    }
    current.versions.set(result.flow.version, result.flow);
  });
  if (problems.length > 0) {
    const lines = problems.map((issue) => `  ${issue.flow}: ${formatIssue(issue)}`);
    throw new RelayConfigError(`The relay cannot start: ${problems.length} problem(s) in its flows:\n${lines.join('\n')}`, problems);
  }
  return registered;
}
