import { findPhoneNumbersInText, parsePhoneNumberFromString, type CountryCode } from 'libphonenumber-js/min';
import type { PhoneMention } from '../types.ts';

/**
 * Phone numbers through libphonenumber-js (minimal metadata). Loaded lazily
 * (see `loadFullParsers()`).
 *
 * Valid numbers come from libphonenumber's text search. A digit run it does
 * not accept as valid (a local number such as "555-1234" with no area code)
 * is still returned, in libphonenumber's E.164 rendering for the region, so
 * the user's answer is not lost; the engine's validation decides whether to
 * ask again.
 */
export function findLibphonenumberPhones(text: string, region: string | undefined): PhoneMention[] {
  const country = region as CountryCode | undefined;
  const mentions: PhoneMention[] = findPhoneNumbersInText(text, country).map((found) => ({
    start: found.startsAt,
    end: found.endsAt,
    value: found.number.number,
  }));
  for (const match of text.matchAll(/(?<![\w+])\+?\(?\d[\d\s().-]{5,20}\d(?!\w)/g)) {
    const start = match.index;
    const end = start + match[0].length;
    if (mentions.some((mention) => start < mention.end && end > mention.start)) continue;
    const digits = match[0].replace(/\D/g, '');
    // Seven digits is the shortest local number in common use; a bare run of
    // digits without separators is more likely an amount or an id.
    if (digits.length < 7 || !/[\s().-]/.test(match[0].trim())) continue;
    const parsed = parsePhoneNumberFromString(match[0], country);
    if (parsed !== undefined) mentions.push({ start, end, value: parsed.number });
  }
  return mentions.sort((left, right) => left.start - right.start);
}
