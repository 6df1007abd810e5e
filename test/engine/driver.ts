import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { loadFlowOrThrow, type Flow, type LoadedFlow } from '../../flows/index.ts';
import { initialSnapshot, step } from '../../widget/engine/index.ts';
import type { Effect, EngineEvent, JournalEntry, Snapshot } from '../../widget/engine/index.ts';

export function readFlow(relativePath: string): Flow {
  return JSON.parse(readFileSync(fileURLToPath(new URL(relativePath, import.meta.url)), 'utf8')) as Flow;
}

/** Drives the engine by hand: each call applies one event and keeps the journal. */
export class Driver {
  snapshot: Snapshot;
  now = Date.parse('2026-11-23T10:00:00Z');
  readonly journal: JournalEntry[] = [];
  effects: Effect[] = [];
  readonly flow: LoadedFlow;

  constructor(flow: Flow | LoadedFlow) {
    this.flow = 'definition' in flow ? flow : loadFlowOrThrow(flow);
    this.snapshot = initialSnapshot(this.flow);
  }

  send(event: EngineEvent): Effect[] {
    const env = { now: this.now };
    this.journal.push({ event, env });
    const result = step(this.flow, this.snapshot, event, env);
    this.snapshot = result.snapshot;
    this.effects = result.effects;
    return result.effects;
  }

  start(language?: string): Effect[] {
    return this.send({ type: 'session.start', sessionId: 's1', ...(language ? { language } : {}) });
  }

  /** Sends text and answers the classify effect it causes with the given NLU result. */
  say(text: string, intent: string | null, slots: Record<string, unknown> = {}, confidence = 1): Effect[] {
    const first = this.send({ type: 'user.text', text });
    const classify = first.find((effect) => effect.type === 'classify');
    if (!classify) return first;
    return [...first, ...this.send({ type: 'nlu.result', requestId: classify.requestId, intent, confidence, slots: slots as never })];
  }

  last<T extends Effect['type']>(type: T): Extract<Effect, { type: T }> | undefined {
    return this.effects.filter((effect): effect is Extract<Effect, { type: T }> => effect.type === type).at(-1);
  }

  texts(effects: Effect[] = this.effects): string[] {
    return effects.flatMap((effect) => (effect.type === 'say' || effect.type === 'ask' ? [effect.text] : []));
  }

  emitted(effects: Effect[] = this.effects): string[] {
    return effects.flatMap((effect) => (effect.type === 'emit' ? [effect.name] : []));
  }
}
