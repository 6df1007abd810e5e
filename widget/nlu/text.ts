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

/**
 * Scripts written without spaces between words. A run of them is cut into
 * overlapping character pairs, the usual stand-in for words when there is no
 * dictionary: "予約したい" → 予約 約し した たい.
 */
const UNSPACED = /[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Thai}\p{Script=Lao}\p{Script=Khmer}\p{Script=Myanmar}]/u;

/**
 * Splits normalised text into word tokens: runs of letters and digits in any
 * script ("réserver", "забронировать", "7pm"); runs of unspaced scripts
 * become character pairs.
 */
export function tokenize(normalized: string): string[] {
  const tokens: string[] = [];
  for (const run of normalized.match(/[\p{L}\p{N}]+/gu) ?? []) {
    if (!UNSPACED.test(run)) {
      tokens.push(run);
      continue;
    }
    let spaced = '';
    let unspaced: string[] = [];
    const flush = (): void => {
      if (spaced !== '') tokens.push(spaced);
      spaced = '';
      if (unspaced.length === 1) tokens.push(unspaced[0] as string);
      for (let index = 0; index + 1 < unspaced.length; index++) tokens.push(`${unspaced[index] as string}${unspaced[index + 1] as string}`);
      unspaced = [];
    };
    for (const character of run) {
      if (UNSPACED.test(character)) {
        if (spaced !== '') flush();
        unspaced.push(character);
      } else {
        if (unspaced.length > 0) flush();
        spaced += character;
      }
    }
    flush();
  }
  return tokens;
}

/** Whether words of this language (BCP 47) are stemmed with the English stemmer below. */
export function isEnglish(language: string | undefined): boolean {
  return language === undefined || language.toLowerCase().split('-')[0] === 'en';
}

/**
 * Function words: they say how something is asked ("I want to", "can I",
 * "je voudrais"), not what is asked for, so they carry little intent and
 * their weight is scaled down. English and French, the languages the example
 * flows are written in; words of other languages are weighed by their
 * inverse frequency alone.
 */
export const STOP_WORDS: ReadonlySet<string> = new Set(
  (
    'a an the and or but if of at by for with about to from in on into over under up down out off ' +
    'is am are was were be been being do does did have has had will would shall should can could may might must ' +
    'i me my mine we us our you your he him his she her it its they them their this that these those ' +
    'there here so too very just please any some all no not than then also as ' +
    'want wanna like need get let would could ' +
    'je j tu il elle on nous vous ils elles me m te t se s le la l les un une des du de d au aux ' +
    'et ou mais donc ni car ce c cet cette ces mon ma mes ton ta tes son sa ses notre nos votre vos leur leurs ' +
    'est es suis sommes etes sont etre ai as avons avez ont avoir fait faire ' +
    'que qu qui quoi dont en y a dans par pour sur avec sans sous chez pas ne n plus tres bien si ' +
    'veux voudrais voudrions aimerais aimerions souhaite souhaiterais peux pourrais pouvez pourriez'
  ).split(' '),
);

/**
 * A light English stemmer: strips the inflections that most often split one
 * word into several features in a handful of examples ("booking", "booked",
 * "bookings" → "book"). Deliberately conservative: a wrong merge costs more
 * than a missed one when each intent has only ten examples.
 */
export function stem(word: string): string {
  if (word.length <= 3 || !/^[a-z]+$/.test(word)) return word;
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
