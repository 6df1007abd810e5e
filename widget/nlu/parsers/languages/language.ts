import type { TemporalMention, TemporalReference } from '../../types.ts';
import type { NumberMention } from '../number.ts';

/**
 * What the slot parsers need from one language. Adding a language is one
 * module implementing this (plus its tests) and one line in `index.ts`.
 */
export interface LanguageModule {
  /** The base language (`en`, `fr`). */
  code: string;
  /** Dates and times, read against the reference clock, zone and expected hours. */
  findTemporal(text: string, reference: TemporalReference): TemporalMention[];
  /** Every number in the text (digits and words), left to right. */
  findNumbers(text: string): NumberMention[];
  /** Counting phrases that are a head count on their own ("just the two of us", "me and my wife"), longest first. */
  headCounts: ReadonlyArray<readonly [RegExp, number]>;
  /** Tested on the text after a number: a people word follows ("4 people", "6 of us"). */
  peopleAfter: RegExp;
  /** Tested on the text before a number: a count cue precedes it ("party of", "table for", "we're"). */
  peopleBefore: RegExp;
  /** Number words that are often something else ("one" the pronoun, "une" the article): a count only with a cue. */
  weakNumber: RegExp;
  /** Around a weak number word, what makes it a pronoun even after a cue ("look for one in San Jose", "one that is cheap"). */
  pronounAfter: RegExp;
  pronounBefore: RegExp;
  /** Tested on the text after a number: it is a price, a distance, a duration, an address, a rating. */
  notCountAfter: RegExp;
  /** Tested on the text before a number: a currency, "room", "#", "number", "no.". */
  notCountBefore: RegExp;
}
