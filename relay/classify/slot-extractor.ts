/**
 * How the relay runs the slot parsers. Their cost grows with the text (the
 * date parser's faster than linearly on some inputs), so the relay bounds the
 * text they see, and the Node server runs them on worker threads with a time
 * budget (`relay/node-slot-worker.ts`): a stalling text then costs its own
 * request a few dozen milliseconds of parsing, never the event loop.
 */
import type { SlotSpec } from '../../flows/index.ts';
import { extractSlots, type ExtractedSlots, type SlotParsers } from '../../widget/nlu/index.ts';

export interface SlotExtraction {
  text: string;
  specs: { readonly [slot: string]: SlotSpec };
  now: number;
  timeZone: string;
  language: string;
  /** `full`: chrono-node and libphonenumber-js; `basic`: the small built-in parsers. */
  parsers: 'full' | 'basic';
  /** The slot the current question asks for: it decides between candidates. */
  asking?: string;
}

/**
 * Runs the slot parsers; resolves to `null` when they could not finish in
 * time (a stalling text, or no parser free): a classification then has no
 * slots, and a replay that needs them cannot be checked now.
 */
export type SlotExtractor = (request: SlotExtraction) => Promise<ExtractedSlots | null>;

/** On the event loop, with the parser sets the relay holds: for browsers (the demo) and tests. */
export function inlineSlotExtractor(sets: () => { full: SlotParsers | undefined; basic: SlotParsers }): SlotExtractor {
  return async (request) => {
    const { full, basic } = sets();
    const parsers = request.parsers === 'full' ? (full ?? basic) : basic;
    return extractSlots(request.text, request.specs, {
      now: request.now,
      timeZone: request.timeZone,
      language: request.language,
      parsers,
      ...(request.asking === undefined ? {} : { asking: request.asking }),
    });
  };
}
