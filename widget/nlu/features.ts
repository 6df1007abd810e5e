import { STOP_WORDS, normalizeText, stem, tokenize } from './text.ts';

/**
 * How an utterance becomes a sparse vector. The defaults are the values
 * chosen on the CLINC150 and SNIPS validation data (see
 * test/bench/nlu/tune.ts); they are exported only so the tuning script can
 * vary them.
 */
export interface FeatureSettings {
  /** Weight of the word-unigram block (stemmed words). */
  wordWeight: number;
  /** Weight of the word-bigram block. */
  bigramWeight: number;
  /** Weight of the character n-gram block (n-grams inside padded words). */
  charWeight: number;
  /** Smallest and largest character n-gram length. */
  charMin: number;
  charMax: number;
  /** Multiplier for stop words in the word blocks. */
  stopWordWeight: number;
}

export const DEFAULT_FEATURE_SETTINGS: FeatureSettings = {
  wordWeight: 1,
  bigramWeight: 0.5,
  charWeight: 1,
  charMin: 3,
  charMax: 5,
  stopWordWeight: 0.4,
};

/** Block prefixes keep a word "ing" apart from a character trigram "ing". */
const WORD = 'w:';
const BIGRAM = 'b:';
const CHAR = 'c:';

/**
 * Raw term counts of one utterance, by feature string, each with its block's
 * prior weight (stop words down-weighted). IDF and normalisation come later.
 */
export interface TermCounts {
  terms: Map<string, number>;
  priors: Map<string, number>;
}

export function countTerms(text: string, settings: FeatureSettings): TermCounts {
  const terms = new Map<string, number>();
  const priors = new Map<string, number>();
  const add = (feature: string, prior: number): void => {
    terms.set(feature, (terms.get(feature) ?? 0) + 1);
    priors.set(feature, prior);
  };
  // Digits are folded to one token: "table for 4" and "table for 6" are the
  // same request, and a few examples cannot teach that on their own.
  const words = tokenize(normalizeText(text)).map((word) => (/^\d+$/.test(word) ? '0' : word));
  const stems = words.map(stem);
  if (settings.wordWeight > 0) {
    for (let index = 0; index < stems.length; index++) {
      const word = words[index] as string;
      add(WORD + (stems[index] as string), STOP_WORDS.has(word) ? settings.stopWordWeight : 1);
    }
  }
  if (settings.bigramWeight > 0) {
    for (let index = 0; index + 1 < stems.length; index++) {
      const bothStop = STOP_WORDS.has(words[index] as string) && STOP_WORDS.has(words[index + 1] as string);
      add(`${BIGRAM}${stems[index] as string} ${stems[index + 1] as string}`, bothStop ? settings.stopWordWeight : 1);
    }
  }
  if (settings.charWeight > 0) {
    for (const word of words) {
      const padded = ` ${word} `;
      const prior = STOP_WORDS.has(word) ? settings.stopWordWeight : 1;
      for (let length = settings.charMin; length <= settings.charMax; length++) {
        for (let start = 0; start + length <= padded.length; start++) add(CHAR + padded.slice(start, start + length), prior);
        if (padded.length < length) break;
      }
    }
  }
  return { terms, priors };
}

/** Which block a feature belongs to, as an index into the block weights. */
export function blockOf(feature: string): 0 | 1 | 2 {
  if (feature.startsWith(WORD)) return 0;
  if (feature.startsWith(BIGRAM)) return 1;
  return 2;
}
