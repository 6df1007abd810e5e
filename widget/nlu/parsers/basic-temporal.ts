import type { TemporalMention, TemporalReference } from '../types.ts';
import { languageModule } from './languages/index.ts';

/**
 * The rule-based date and time reader that ships in the main bundle, in the
 * reference's language (English and French modules; see
 * `parsers/languages/`). Linear in the text: every rule is one pass of a
 * pattern with bounded repetition.
 */
export function findBasicTemporal(text: string, reference: TemporalReference): TemporalMention[] {
  return languageModule(reference.language).findTemporal(text, reference);
}
