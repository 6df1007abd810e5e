import type { RuntimeFlow } from '../../flows/compile.ts';
import { initialSnapshot, step } from './step.ts';
import type { Effect, JournalEntry, Snapshot } from './types.ts';

/**
 * Rebuilds a session from its journal. The journal is the truth and the
 * snapshot a cache of its fold, so this gives exactly the snapshot the live
 * run produced (a test checks it), for debugging, support and verification.
 */
export function replay(flow: RuntimeFlow, journal: readonly JournalEntry[], from: Snapshot = initialSnapshot(flow)): Snapshot {
  let snapshot = from;
  for (const entry of journal) snapshot = step(flow, snapshot, entry.event, entry.env).snapshot;
  return snapshot;
}

/** Like `replay`, keeping every step's effects (what the visitor saw, what was called). */
export function replayWithEffects(flow: RuntimeFlow, journal: readonly JournalEntry[]): { snapshot: Snapshot; effects: Effect[][] } {
  let snapshot = initialSnapshot(flow);
  const effects: Effect[][] = [];
  for (const entry of journal) {
    const result = step(flow, snapshot, entry.event, entry.env);
    snapshot = result.snapshot;
    effects.push(result.effects);
  }
  return { snapshot, effects };
}
