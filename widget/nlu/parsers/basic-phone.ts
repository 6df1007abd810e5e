import type { PhoneMention, WorkMeter } from '../types.ts';
import { phoneCandidates } from './phone-candidates.ts';

/** National numbering of a few regions: country code, trunk prefix, national number lengths. */
const NATIONAL: { readonly [region: string]: { code: string; trunk?: string; lengths: readonly number[] } } = {
  US: { code: '1', lengths: [10] },
  CA: { code: '1', lengths: [10] },
  GB: { code: '44', trunk: '0', lengths: [9, 10] },
  IE: { code: '353', trunk: '0', lengths: [7, 8, 9] },
  FR: { code: '33', trunk: '0', lengths: [9] },
  BE: { code: '32', trunk: '0', lengths: [8, 9] },
  NL: { code: '31', trunk: '0', lengths: [9] },
  CH: { code: '41', trunk: '0', lengths: [9] },
  DE: { code: '49', trunk: '0', lengths: [6, 7, 8, 9, 10, 11] },
  ES: { code: '34', lengths: [9] },
  AU: { code: '61', trunk: '0', lengths: [9] },
};

/**
 * Phone numbers without libphonenumber-js: international numbers written
 * with "+" (8–15 digits); national numbers of the region (a trunk "0" and
 * the national length for GB, FR, IE…, 10 digits for US/CA); a local number
 * that cannot be placed ("555-1234") is kept as written. Cards, dates and
 * order numbers are never phones.
 */
export function findBasicPhones(text: string, region: string | undefined, meter?: WorkMeter): PhoneMention[] {
  const mentions: PhoneMention[] = [];
  const plan = region === undefined ? undefined : NATIONAL[region.toUpperCase()];
  for (const candidate of phoneCandidates(text, meter)) {
    const { start, end, digits } = candidate;
    if (candidate.international) {
      if (digits.length >= 8) mentions.push({ start, end, value: `+${digits}` });
      continue;
    }
    if (digits.startsWith('00') && digits.length >= 10) {
      mentions.push({ start, end, value: `+${digits.slice(2)}` });
      continue;
    }
    if (plan !== undefined) {
      let national = digits;
      if (plan.trunk !== undefined && national.startsWith(plan.trunk)) national = national.slice(plan.trunk.length);
      else if (plan.code === '1' && national.length === 11 && national.startsWith('1')) national = national.slice(1);
      else if (plan.trunk !== undefined) national = '';
      const shaped = plan.code === '1' ? /^[2-9]\d{2}[2-9]\d{6}$/.test(national) : plan.lengths.includes(national.length);
      if (shaped) {
        mentions.push({ start, end, value: `+${plan.code}${national}` });
        continue;
      }
    }
    // A local number with no area code ("555-1234"): kept as the visitor wrote it.
    if (/^\d{3,4}[\s.-]\d{4}$/.test(candidate.written)) mentions.push({ start, end, value: candidate.written });
  }
  return mentions;
}
