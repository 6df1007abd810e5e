/**
 * The opening turns of the SGD restaurant dialogues (`shared/bench/sgd`),
 * put to the reservations flow's first question with the local NLU only.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { LoadedFlow } from '../../../flows/compile.ts';
import { initialSnapshot, step } from '../../../widget/engine/step.ts';
import type { Effect } from '../../../widget/engine/types.ts';
import type { LocalUnderstanding } from '../../../widget/local-understanding.ts';
import { benchDataDirectory } from '../bench-data.ts';

export interface SgdOpening {
  id: string;
  text: string;
  /** `ReserveRestaurant` (wants to book) or `FindRestaurants` (looking for a place). */
  activeIntent: string;
  isDialogueStart: boolean;
}

interface SgdFile {
  openings: { id: string; opening: { text: string; activeIntent: string; isDialogueStart: boolean } }[];
}

export function readSgdOpenings(): SgdOpening[] {
  const path = resolve(benchDataDirectory('sgd'), 'sgd-restaurants-train.json');
  const data = JSON.parse(readFileSync(path, 'utf8')) as SgdFile;
  return data.openings.map(({ id, opening }) => ({ id, text: opening.text, activeIntent: opening.activeIntent, isDialogueStart: opening.isDialogueStart }));
}

export interface OpeningAnswer {
  opening: SgdOpening;
  intent: string | null;
  confidence: number;
}

/** The classify request the engine makes for a first message, with the flow's own state and context. */
export function openingRequest(flow: LoadedFlow, text: string, now: number): Extract<Effect, { type: 'classify' }> {
  let snapshot = initialSnapshot(flow);
  snapshot = step(flow, snapshot, { type: 'session.start', sessionId: 'bench' }, { now }).snapshot;
  const { effects } = step(flow, snapshot, { type: 'user.text', text }, { now });
  const request = effects.find((effect): effect is Extract<Effect, { type: 'classify' }> => effect.type === 'classify');
  if (!request) throw new Error('the flow did not ask to classify a first message');
  return request;
}

export function answerOpenings(flow: LoadedFlow, understand: LocalUnderstanding, openings: readonly SgdOpening[], now: number): OpeningAnswer[] {
  return openings.map((opening) => {
    const answer = understand(openingRequest(flow, opening.text, now), now);
    return { opening, intent: answer.intent, confidence: answer.confidence };
  });
}
