/**
 * statechat/nlu — the local NLU: an intent classifier trained from a flow's
 * examples and slot parsers for every slot type. Isomorphic (browser and
 * Node), no network, nothing runs at import time.
 */
export { trainClassifier, DEFAULT_THRESHOLD, examplesWithLanguage } from './classifier.ts';
export type { Classifier, Classification, ClassifyOptions, RankedIntent, TrainingExamples, TrainingIntents } from './classifier.ts';
export { classifyInContext } from './in-context.ts';
export type { InContextOptions } from './in-context.ts';
export { extractSlots, basicParsers } from './extract.ts';
export { fullParserNeeds, loadFullParsers } from './full-parsers.ts';
export type { FullParserOptions } from './full-parsers.ts';
export type {
  CalendarDate,
  ExpectedHours,
  ExtractOptions,
  ExtractedSlots,
  PhoneMention,
  SlotParsers,
  SlotValue,
  TemporalMention,
  TemporalReference,
  WallTime,
  WorkMeter,
} from './types.ts';
