/**
 * Inputs that stress the slot parsers: units repeated until the text is
 * long (what made chrono-node's wrapper quadratic: "1 d 1 d …"), digits,
 * separators, half-finished dates, times, phones and names, and seeded
 * random text. Shared by `linear-work.test.ts` (work counted) and
 * `parsers-fuzz.bench.ts` (time measured).
 */
export const ADVERSARIAL_UNITS: readonly string[] = [
  '1 d ',
  '1 ',
  '1',
  '12:',
  '1:1',
  '1-',
  '1/',
  '1.',
  '+1 ',
  '0',
  '07700 ',
  '(1) ',
  'a',
  'the 1st ',
  'the first ',
  'half past ',
  'quarter to 1 ',
  'at 8 ',
  '7pm ',
  'in the evening ',
  'evening 6 ',
  'tonight ',
  'next ',
  'Friday ',
  'March ',
  'March 1 ',
  'Mr A ',
  'my name is ',
  'Sam Smith ',
  'a@b.c ',
  '@',
  'for 2 people ',
  'one ',
  'me and my wife ',
  '19h',
  'le 1 ',
  'demain à ',
  'vingt ',
  'now ',
  '-',
  ' ',
  '.',
  ':',
];

/** A seeded generator (mulberry32), so every run measures the same texts. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let value = state;
    value = Math.imul(value ^ (value >>> 15), value | 1);
    value ^= value + Math.imul(value ^ (value >>> 7), value | 61);
    return ((value ^ (value >>> 14)) >>> 0) / 4294967296;
  };
}

const ALPHABET = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789      .,:;-/+@()\'"éà';

/** `length` characters mixing the adversarial units with random characters. */
export function randomText(random: () => number, length: number): string {
  let text = '';
  while (text.length < length) {
    if (random() < 0.5) text += ADVERSARIAL_UNITS[Math.floor(random() * ADVERSARIAL_UNITS.length)] as string;
    else text += ALPHABET[Math.floor(random() * ALPHABET.length)] as string;
  }
  return text.slice(0, length);
}
