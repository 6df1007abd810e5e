import { parsePhoneNumberFromString, type CountryCode, type MetadataJson } from 'libphonenumber-js/core';
import type { PhoneMention, SlotParsers, WorkMeter } from '../types.ts';
import { findBasicPhones } from './basic-phone.ts';
import { phoneCandidates } from './phone-candidates.ts';

export { loadPhoneMetadata } from './phone-metadata.ts';

/**
 * Phone numbers through libphonenumber-js, with the metadata of the regions
 * the flow declares (see `phone-metadata.ts`). Loaded lazily (see
 * `loadFullParsers()`).
 *
 * Only valid numbers are accepted. A number libphonenumber cannot place
 * (a country whose metadata was not loaded) falls back to the basic
 * reading; a local number with no area code ("555-1234") stays as written,
 * so the visitor's answer is not lost and the flow's validation decides.
 */
/**
 * libphonenumber costs about 0.1 ms a number: it checks at most this many
 * per message (no visitor writes more phone numbers than that), the rules
 * read the rest, so a text of digits cannot hold the relay up.
 */
const MAX_CHECKED = 16;

export function createLibphonenumberPhones(metadata: MetadataJson): SlotParsers['findPhones'] {
  const known = new Set(Object.keys(metadata.countries));
  return (text: string, region: string | undefined, meter?: WorkMeter): PhoneMention[] => {
    const country = region !== undefined && known.has(region.toUpperCase()) ? (region.toUpperCase() as CountryCode) : undefined;
    const basic = new Map(findBasicPhones(text, region, meter).map((mention) => [mention.start, mention]));
    const mentions: PhoneMention[] = [];
    let checked = 0;
    for (const candidate of phoneCandidates(text, meter)) {
      const { start, end } = candidate;
      if (++checked > MAX_CHECKED) {
        const fallback = basic.get(start);
        if (fallback !== undefined) mentions.push(fallback);
        continue;
      }
      const international = candidate.international || candidate.digits.startsWith('00');
      const parsed = international
        ? parsePhoneNumberFromString(`+${candidate.digits.replace(/^00/, '')}`, metadata)
        : country !== undefined
          ? parsePhoneNumberFromString(candidate.written, country, metadata)
          : undefined;
      const fallback = basic.get(start);
      // Valid numbers; for the flow's own region also a national number of the right shape that libphonenumber
      // cannot confirm (a new range, or 07700 900xxx, the range fiction and demos use), when both readings agree.
      const agreed = !international && parsed !== undefined && parsed.isPossible() && parsed.number === fallback?.value;
      if (parsed !== undefined && (parsed.isValid() || agreed)) {
        mentions.push({ start, end, value: parsed.number });
        continue;
      }
      if (fallback === undefined) continue;
      const placeable = international ? parsed !== undefined : country !== undefined;
      // libphonenumber knows this country and says the number is not valid: only a local number as written survives.
      if (placeable && fallback.value.startsWith('+')) continue;
      mentions.push(fallback);
    }
    return mentions;
  };
}
