import type { NumberMention } from '../number.ts';

/** French number words, 0–99 ("quatre", "dix-huit", "vingt et un", "soixante-dix", "quatre-vingt-douze"). */

const UNITS: { readonly [word: string]: number } = {
  zéro: 0, zero: 0, un: 1, une: 1, deux: 2, trois: 3, quatre: 4, cinq: 5, six: 6, sept: 7, huit: 8, neuf: 9, dix: 10, onze: 11,
  douze: 12, treize: 13, quatorze: 14, quinze: 15, seize: 16,
};
const TENS: { readonly [word: string]: number } = { vingt: 20, vingts: 20, trente: 30, quarante: 40, cinquante: 50, soixante: 60 };

/** A pattern for one French number word or compound, for use inside other patterns. */
export const FRENCH_NUMBER =
  '(?:(?:vingt|trente|quarante|cinquante|soixante)(?:[- ]et[- ]une?|[- ](?:dix[- ](?:sept|huit|neuf)|deux|trois|quatre|cinq|six|sept|huit|neuf|onze|douze|treize|quatorze|quinze|seize|dix))?|quatre[- ]vingts?(?:[- ](?:dix[- ](?:sept|huit|neuf)|un|une|deux|trois|quatre|cinq|six|sept|huit|neuf|dix|onze|douze|treize|quatorze|quinze|seize))?|dix[- ](?:sept|huit|neuf)|z[ée]ro|une?|deux|trois|quatre|cinq|six|sept|huit|neuf|dix|onze|douze|treize|quatorze|quinze|seize)';

/** The value of a French number word or compound, or undefined. */
export function frenchNumberValue(phrase: string): number | undefined {
  const words = phrase.toLowerCase().split(/[\s-]+/).filter((word) => word !== 'et');
  let total = 0;
  let index = 0;
  if (words[0] === 'quatre' && /^vingts?$/.test(words[1] ?? '')) {
    total = 80;
    index = 2;
  } else if ((words[0] ?? '') in TENS) {
    total = TENS[words[0] as string] as number;
    index = 1;
  }
  const rest = words.slice(index);
  if (rest.length === 0) return index > 0 ? total : undefined;
  if (rest.length === 2 && rest[0] === 'dix' && (rest[1] ?? '') in UNITS) return total + 10 + (UNITS[rest[1] as string] as number);
  if (rest.length === 1 && (rest[0] ?? '') in UNITS) return total + (UNITS[rest[0] as string] as number);
  return undefined;
}

let pattern: RegExp | undefined;

/** Numbers in French text: digits (with a decimal comma) and number words. */
export function findFrenchNumbers(text: string): NumberMention[] {
  pattern ??= new RegExp(`(?<![\\p{L}\\d])(?:(\\d+(?:,\\d+)?)|(${FRENCH_NUMBER}))(?![\\p{L}\\d])`, 'giu');
  const mentions: NumberMention[] = [];
  for (const match of text.matchAll(pattern)) {
    const start = match.index;
    const end = start + match[0].length;
    if (/^(?:er|e|ème|eme)\b/i.test(text.slice(end, end + 4))) continue;
    const value = match[1] !== undefined ? Number(match[1].replace(',', '.')) : frenchNumberValue(match[2] ?? '');
    if (value !== undefined && Number.isFinite(value)) mentions.push({ value, start, end });
  }
  return mentions;
}
