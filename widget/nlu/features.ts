import { STOP_WORDS, isEnglish, normalizeText, stem, tokenize } from './text.ts';

/**
 * How an utterance becomes a sparse vector. The defaults are the values
 * chosen on validation data (see test/bench/nlu/tune.ts); the type is
 * exported so the tuning script can vary them.
 */
export interface FeatureSettings {
  /** Weight of the word-unigram block (stemmed words). */
  wordWeight: number;
  /** Weight of the word-bigram block. */
  bigramWeight: number;
  /** Weight of the character n-gram block (n-grams inside space-padded words). */
  charWeight: number;
  /** Smallest and largest character n-gram length. */
  charMin: number;
  charMax: number;
  /** Multiplier for stop words in every block. */
  stopWordWeight: number;
}

export const DEFAULT_FEATURE_SETTINGS: FeatureSettings = {
  wordWeight: 1,
  bigramWeight: 1,
  charWeight: 1,
  charMin: 3,
  // 5-grams added nothing on validation data and cost a third of the time.
  charMax: 4,
  // Function words say how something is asked, not what: at full weight "I
  // want to" alone read as a booking with 0.95 confidence, and "I want to
  // eat" shared a third of its weight with "I want to talk to a human". At
  // 0.2 an utterance of function words alone stays under any threshold.
  // (On CLINC150 validation data full weight had been 2–3 points better: see
  // test/bench/nlu/RESULTS.md for what this costs there.)
  stopWordWeight: 0.2,
};

export const WORD_BLOCK = 0;
export const BIGRAM_BLOCK = 1;
export const CHAR_BLOCK = 2;

/**
 * The features of one utterance, each packed into one small integer: a
 * 27-bit hash of the feature (no substring is ever allocated), its block in
 * bits 27–28 and a stop-word flag in bit 29, so V8 keeps every key a small
 * integer. `counts[i]` is how often `features[i]` occurs. A hash collision
 * merges two features; with the few tens of thousands of features of a flow
 * that touches a handful of rare features, far below what accuracy can show.
 */
export interface TermCounts {
  features: Int32Array;
  counts: Int32Array;
}

const OFFSET_BASIS = 0x811c9dc5;
const PRIME = 0x01000193;
const HASH_BITS = 0x07ffffff;
const BLOCK_SHIFT = 27;
const STOP_FLAG = 1 << 29;

export function blockOfFeature(feature: number): number {
  return (feature >>> BLOCK_SHIFT) & 3;
}

export function isStopFeature(feature: number): boolean {
  return (feature & STOP_FLAG) !== 0;
}

function mix(hash: number, code: number): number {
  return Math.imul(hash ^ code, PRIME) >>> 0;
}

function hashString(hash: number, text: string): number {
  let result = hash;
  for (let index = 0; index < text.length; index++) result = mix(result, text.charCodeAt(index));
  return result;
}

function pack(hash: number, block: number, stop: boolean): number {
  return (hash & HASH_BITS) | (block << BLOCK_SHIFT) | (stop ? STOP_FLAG : 0);
}

/** `language` (BCP 47) decides whether words are stemmed: only English ones are. */
export function countTerms(text: string, settings: FeatureSettings, language?: string): TermCounts {
  const packed: number[] = [];
  // Digits are folded to one token: "table for 4" and "table for 6" are the
  // same request, and a few examples cannot teach that on their own.
  const words = tokenize(normalizeText(text)).map((word) => (/^\d+$/.test(word) ? '0' : word));
  const stops = words.map((word) => STOP_WORDS.has(word));
  const stems = isEnglish(language) ? words.map((word) => stem(word)) : words;
  if (settings.wordWeight > 0) {
    const seed = mix(OFFSET_BASIS, 1);
    for (let index = 0; index < stems.length; index++)
      packed.push(pack(hashString(seed, stems[index] as string), WORD_BLOCK, stops[index] as boolean));
  }
  if (settings.bigramWeight > 0) {
    const seed = mix(OFFSET_BASIS, 2);
    for (let index = 0; index + 1 < stems.length; index++) {
      const hash = hashString(mix(hashString(seed, stems[index] as string), 32), stems[index + 1] as string);
      packed.push(pack(hash, BIGRAM_BLOCK, (stops[index] as boolean) && (stops[index + 1] as boolean)));
    }
  }
  if (settings.charWeight > 0) {
    const seed = mix(OFFSET_BASIS, 3);
    for (let wordIndex = 0; wordIndex < words.length; wordIndex++) {
      const padded = ` ${words[wordIndex] as string} `;
      const stop = stops[wordIndex] as boolean;
      for (let start = 0; start + settings.charMin <= padded.length; start++) {
        let hash = seed;
        for (let length = 1; length <= settings.charMax && start + length <= padded.length; length++) {
          hash = mix(hash, padded.charCodeAt(start + length - 1));
          // The length is mixed in so a 3-gram never collides with a 4-gram's prefix.
          if (length >= settings.charMin) packed.push(pack(mix(hash, 256 + length), CHAR_BLOCK, stop));
        }
      }
    }
  }
  const sorted = Int32Array.from(packed).sort();
  const features = new Int32Array(sorted.length);
  const counts = new Int32Array(sorted.length);
  let unique = 0;
  for (let index = 0; index < sorted.length; index++) {
    if (unique > 0 && features[unique - 1] === sorted[index]) counts[unique - 1] = (counts[unique - 1] as number) + 1;
    else {
      features[unique] = sorted[index] as number;
      counts[unique] = 1;
      unique++;
    }
  }
  return { features: features.subarray(0, unique), counts: counts.subarray(0, unique) };
}
