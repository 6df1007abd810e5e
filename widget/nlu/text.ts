/**
 * Text normalisation shared by the classifier and the slot parsers.
 *
 * Everything here is pure string work: no locale data, no Intl, so the same
 * output comes out of every browser and Node.
 */

const CONTRACTIONS: ReadonlyArray<readonly [RegExp, string]> = [
  [/\bcan't\b/g, 'can not'],
  [/\bwon't\b/g, 'will not'],
  [/\bshan't\b/g, 'shall not'],
  [/\bain't\b/g, 'is not'],
  [/\blet's\b/g, 'let us'],
  [/\b(\w+)n't\b/g, '$1 not'],
  [/\bi'm\b/g, 'i am'],
  [/\b(\w+)'re\b/g, '$1 are'],
  [/\b(\w+)'ll\b/g, '$1 will'],
  [/\b(\w+)'ve\b/g, '$1 have'],
  [/\b(\w+)'d\b/g, '$1 would'],
  // "what's" / "it's" / "there's": "is" is by far the commonest reading; a
  // possessive "'s" ("john's") is simply dropped, which is what we want too.
  [/\b(what|where|when|who|how|that|there|it|here|he|she)'s\b/g, '$1 is'],
  [/'s\b/g, ''],
];

/**
 * Lower-cases, folds accents and typographic quotes, and expands English
 * contractions, so "What’s" and "what is" give the same features.
 */
export function normalizeText(text: string): string {
  let result = text
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/[\u2018\u2019\u02bc`´]/g, "'")
    .toLowerCase();
  for (const [pattern, replacement] of CONTRACTIONS) result = result.replace(pattern, replacement);
  return result;
}

/** Splits normalised text into word tokens (letters, digits, inner apostrophes dropped). */
export function tokenize(normalized: string): string[] {
  return normalized.match(/[a-z0-9]+/g) ?? [];
}

/**
 * Words that carry little intent signal. They are kept (they matter in short
 * queries like "what is up") but their weight is scaled down.
 */
export const STOP_WORDS: ReadonlySet<string> = new Set(
  (
    'a an the and or but if of at by for with about to from in on into over under up down out off ' +
    'is am are was were be been being do does did have has had will would shall should can could may might must ' +
    'i me my mine we us our you your he him his she her it its they them their this that these those ' +
    'there here so too very just please any some all no not than then also as'
  ).split(' '),
);

/**
 * A light English stemmer: strips the inflections that most often split one
 * word into several features in a handful of examples ("booking", "booked",
 * "bookings" → "book"). Deliberately conservative: a wrong merge costs more
 * than a missed one when each intent has only ten examples.
 */
export function stem(word: string): string {
  if (word.length <= 3 || /^\d+$/.test(word)) return word;
  let stemmed = word;
  if (stemmed.endsWith('ies') && stemmed.length > 4) stemmed = `${stemmed.slice(0, -3)}y`;
  else if (stemmed.endsWith('sses')) stemmed = stemmed.slice(0, -2);
  else if (stemmed.endsWith('s') && !stemmed.endsWith('ss') && !stemmed.endsWith('us') && !stemmed.endsWith('is'))
    stemmed = stemmed.slice(0, -1);
  if (stemmed.endsWith('ing') && stemmed.length > 5) stemmed = undouble(stemmed.slice(0, -3));
  else if (stemmed.endsWith('ed') && stemmed.length > 4) stemmed = undouble(stemmed.slice(0, -2));
  else if (stemmed.endsWith('ly') && stemmed.length > 5) stemmed = stemmed.slice(0, -2);
  if (stemmed.endsWith('e') && stemmed.length > 4) stemmed = stemmed.slice(0, -1);
  return stemmed;
}

function undouble(word: string): string {
  const last = word.at(-1);
  if (word.length > 3 && last !== undefined && last === word.at(-2) && !'lsz'.includes(last)) return word.slice(0, -1);
  return word;
}
