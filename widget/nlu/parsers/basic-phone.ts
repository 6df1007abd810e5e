import type { PhoneMention } from '../types.ts';

/**
 * Phone numbers without libphonenumber-js: international numbers written
 * with "+" (8–15 digits), and 10-digit North American numbers when the region
 * is US or CA. Anything else needs the full parser (`loadFullParsers()`).
 */
export function findBasicPhones(text: string, region: string | undefined): PhoneMention[] {
  const mentions: PhoneMention[] = [];
  for (const match of text.matchAll(/(?<![\w+])(\+?)(\(?\d[\d\s().-]{5,20}\d)(?!\w)/g)) {
    const digits = (match[2] ?? '').replace(/\D/g, '');
    const start = match.index;
    const end = start + match[0].length;
    if (match[1] === '+') {
      if (digits.length >= 8 && digits.length <= 15) mentions.push({ start, end, value: `+${digits}` });
    } else if (region === 'US' || region === 'CA') {
      const national = digits.length === 11 && digits.startsWith('1') ? digits.slice(1) : digits;
      if (national.length === 10 && /^[2-9]\d{2}[2-9]/.test(national)) mentions.push({ start, end, value: `+1${national}` });
    }
  }
  return mentions;
}
