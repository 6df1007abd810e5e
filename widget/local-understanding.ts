/**
 * The engine's `classify` effect answered in the page: the flow's own
 * classifier and slot parsers, no network. Used by the widget when it runs
 * offline or in `local` mode, and by `statechat test` for unscripted turns.
 */
import type { RuntimeFlow } from '../flows/compile.ts';
import { intentsCarrying } from '../flows/corrections.ts';
import { NO_INTENT, SMALL_TALK_INTENTS, YES_INTENT } from '../flows/small-talk.ts';
import type { JsonObject, SlotSpec } from '../flows/types.ts';
import type { Effect } from './engine/types.ts';
import { classifyInContext, extractSlots, trainClassifier, type SlotParsers } from './nlu/index.ts';

export interface Understanding {
  intent: string | null;
  confidence: number;
  slots: JsonObject;
}

/**
 * Longer messages are not slot answers, and a parser's cost grows with its
 * input: slots are read from messages up to this length only (the relay,
 * which checks these answers again, uses the same bound).
 */
export const MAX_SLOT_TEXT_LENGTH = 500;

export type LocalUnderstanding = (request: Extract<Effect, { type: 'classify' }>, now: number) => Understanding;

export interface LocalUnderstandingOptions {
  /** Date/time and phone parsers (`await loadFullParsers()`); the small built-in ones by default. */
  parsers?: SlotParsers;
  /** The visitor's time zone, when the flow names none. */
  timeZone?: string;
}

export function createLocalUnderstanding(flow: RuntimeFlow, options: LocalUnderstandingOptions = {}): LocalUnderstanding {
  const classifier = trainClassifier(flow.definition.intents, { language: flow.language });
  const timeZone = flow.definition.meta.timeZone ?? options.timeZone ?? 'UTC';
  return (request, now) => {
    const wanted: { [slot: string]: SlotSpec } = {};
    for (const name of request.slots) {
      const definition = flow.slots[name];
      if (definition) wanted[name] = definition;
    }
    const slots =
      request.text.length > MAX_SLOT_TEXT_LENGTH
        ? {}
        : extractSlots(request.text, wanted, {
            now,
            timeZone,
            language: request.language,
            ...(request.asking !== undefined ? { asking: request.asking } : {}),
            ...(options.parsers ? { parsers: options.parsers } : {}),
          });
    const asked = request.context?.slot;
    const classification = classifyInContext(classifier, request.text, {
      allowed: request.allowed,
      threshold: request.threshold,
      language: request.language,
      social: SMALL_TALK_INTENTS,
      minor: [YES_INTENT, NO_INTENT],
      ...(asked && Object.hasOwn(slots, asked) ? { answers: intentsCarrying(flow, asked, request.allowed) } : {}),
    });
    return { intent: classification.intent, confidence: classification.confidence, slots };
  };
}
