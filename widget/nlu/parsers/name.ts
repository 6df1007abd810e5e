import { STOP_WORDS } from '../text.ts';

export interface NameMention {
  start: number;
  end: number;
  /** The name as written, title-cased when it was written all in one case. */
  value: string;
  /** True when a cue like "my name is" introduced it (rather than "I'm"). */
  strong: boolean;
}

/** Words that follow "I'm" / "this is" far more often than a name does. */
const NOT_NAMES: ReadonlySet<string> = new Set(
  (
    'looking hungry here fine good ok okay sorry just interested calling wondering new back done ready sure trying ' +
    'going glad happy afraid free available busy late early coming hoping thinking planning visiting staying ' +
    'still also really gonna going yes no hi hello hey thanks thank please table booking reservation tomorrow today ' +
    'tonight party phone email number mobile cell call name guest guests people person dinner lunch breakfast ' +
    'vegetarian vegan allergic celebrating bringing travelling traveling alone together great well right correct ' +
    'monday tuesday wednesday thursday friday saturday sunday nice cool awesome cheers sounds lovely excellent ' +
    'maybe perhaps anything whatever nothing everything somewhere anywhere inside outside table ' +
    'bonjour bonsoir salut coucou merci oui non demain ce soir'
  ).split(' '),
);

const TITLE_SOURCE = '(?:dr|mr|mrs|ms|miss|mx|prof|sir|madam|mme|mlle|m)\\.?';
const TITLE = TITLE_SOURCE;
const WORD = "\\p{L}[\\p{L}'’-]*";
const STRONG_CUE =
  "(?:my\\s+(?:full\\s+|first\\s+)?name(?:\\s+is|'s|’s)?|name(?:\\s+is|'s|’s)?\\s*[:=-]?|call\\s+me|under\\s+the\\s+name(?:\\s+of)?|(?:it's|it’s|it\\s+is|put\\s+it|book\\s+it|that's|that\\s+is)\\s+under|(?:the\\s+)?(?:booking|reservation|table)\\s+(?:is\\s+|will\\s+be\\s+)?(?:for|under|in\\s+the\\s+name\\s+of)(?=\\s+(?:" +
  TITLE_SOURCE +
  "\\s+)?\\p{Lu})|je\\s+m'appelle|je\\s+m’appelle|mon\\s+nom\\s+est|au\\s+nom\\s+de)";
const WEAK_CUE = "(?:under|i'm|i’m|i\\s+am|im|this\\s+is|it's|it’s|it\\s+is|here\\s+is|here's|here’s)";

/** After "a booking for", words that start a date or a count, not a name. */
const NOT_AFTER_BOOKING =
  /^(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec|mon|tue|wed|thu|fri|sat|sun|today|tonight|tomorrow|next|this|one|two|three|four|five|six|seven|eight|nine|ten|twelve|lunch|dinner|breakfast)/i;

let cuePattern: RegExp | undefined;
let barePattern: RegExp | undefined;

/** Words that end a name even when capitalised ("John And Mary", "Ana Phone 555…"). */
const NAME_BREAKERS: ReadonlySet<string> = new Set(
  'and or but at for from with to on in by phone email number mobile cell i we is please thanks'.split(' '),
);

function isNameWord(word: string, strong: boolean, lowercaseMessage: boolean): boolean {
  const lower = word.toLowerCase();
  if (NAME_BREAKERS.has(lower) || NOT_NAMES.has(lower)) return false;
  // Capitalised, a stop word can still be a name: "I'm Will", "April May".
  if (/^\p{Lu}/u.test(word) && !lowercaseMessage) return true;
  if (STOP_WORDS.has(lower)) return false;
  if (strong) return true;
  // After a weak cue, an uncapitalised word is a name only when the writer
  // capitalises nothing at all, and the word does not look like a verb or adverb.
  return lowercaseMessage && !/(ing|ed|ly)$/.test(lower);
}

/**
 * Person names introduced by a cue ("my name is John Doe", "I'm Ana", "this
 * is Dr. Lee", "call me Will", "a table under Garcia"), up to three words
 * plus an optional title. English cues only.
 */
export function findNames(text: string): NameMention[] {
  cuePattern ??= new RegExp(`(?<![\\p{L}])(?:(${STRONG_CUE})|(${WEAK_CUE}))\\s+((?:${TITLE}\\s+)?${WORD}(?:\\s+${WORD}){0,2})`, 'giu');
  const lowercaseMessage = text === text.toLowerCase();
  const mentions: NameMention[] = [];
  for (const match of text.matchAll(cuePattern)) {
    const strong = match[1] !== undefined;
    const captured = match[3] ?? '';
    // "a table for two" is not a name: after "booking/table for" only a capitalised name (or a title) counts.
    if (
      strong &&
      /^(?:the\s+)?(?:booking|reservation|table)/i.test(match[1] ?? '') &&
      (!/^(?:\p{Lu}|(?:dr|mr|mrs|ms|miss|mx|prof|m)\.?\s)/u.test(captured) || NOT_AFTER_BOOKING.test(captured))
    )
      continue;
    const capturedStart = match.index + match[0].length - captured.length;
    const words = [...captured.matchAll(new RegExp(`(${TITLE}\\s+)?(${WORD})`, 'giu'))];
    let end = capturedStart;
    let accepted = 0;
    for (const word of words) {
      const hasTitle = word[1] !== undefined;
      if (accepted > 0 && hasTitle) break;
      if (!isNameWord(word[2] ?? '', strong, lowercaseMessage)) break;
      end = capturedStart + word.index + word[0].length;
      accepted++;
    }
    if (accepted === 0) continue;
    mentions.push({ start: capturedStart, end, value: titleCase(text.slice(capturedStart, end)), strong });
  }
  return mentions;
}

/**
 * A reply that is nothing but a name ("John Doe", "dr. lee"), for when the
 * bot has just asked for one.
 */
export function findBareName(text: string): NameMention | undefined {
  barePattern ??= new RegExp(`^\\s*((?:${TITLE}\\s+)?${WORD}(?:\\s+${WORD}){0,2})\\s*[.!]?\\s*$`, 'iu');
  const match = barePattern.exec(text);
  const captured = match?.[1];
  if (match === null || captured === undefined) return undefined;
  const words = captured.replace(new RegExp(`^${TITLE}\\s+`, 'iu'), '').split(/\s+/);
  if (!words.every((word) => isNameWord(word, true, false))) return undefined;
  const start = text.indexOf(captured);
  return { start, end: start + captured.length, value: titleCase(captured), strong: false };
}

/** "john doe" → "John Doe"; mixed case ("McDonald", "van der Berg") is kept as written. */
export function titleCase(name: string): string {
  return name.replace(/\p{L}[\p{L}'’]*/gu, (word) => {
    if (word !== word.toLowerCase() && word !== word.toUpperCase()) return word;
    const lower = word.toLowerCase();
    return (lower[0] ?? '').toUpperCase() + lower.slice(1);
  });
}

/**
 * A name written right before a phone number or an e-mail with no cue
 * ("Sam Smith 07700 900123", "Ana Lee, ana@example.com"): the one to three
 * name-like words that end where the contact begins, in the same clause.
 */
export function findNamesBeside(text: string, contacts: ReadonlyArray<{ start: number }>): NameMention[] {
  const mentions: NameMention[] = [];
  for (const contact of contacts) {
    const preceding = text.slice(Math.max(0, contact.start - 80), contact.start);
    const clause = preceding.split(/[.;:!?\n]|\b(?:and|et)\b/).at(-1) ?? '';
    const trimmed = clause.replace(/(?:[\s,(-]|\b(?:phone|tel|mobile|cell|number|email|e-mail|on|at|is|reach me|téléphone|portable)\b)*$/i, '');
    const bare = /((?:\p{L}[\p{L}'’.-]*\s+){0,3}\p{L}[\p{L}'’-]*)$/u.exec(trimmed);
    if (bare === null) continue;
    // Keep the longest tail of capitalised name words ("please book Sam Smith" → "Sam Smith").
    const words = (bare[1] ?? '').split(/\s+/);
    let first = words.length;
    while (first > 0 && /^\p{Lu}/u.test(words[first - 1] ?? '') && isNameWord(words[first - 1] ?? '', false, false)) first--;
    if (first > 0 && new RegExp(`^${TITLE}$`, 'iu').test(words[first - 1] ?? '')) first--;
    const name = words.slice(first).join(' ');
    if (name === '' || first === words.length) continue;
    const end = contact.start - (preceding.length - trimmed.length);
    mentions.push({ start: end - name.length, end, value: titleCase(name), strong: false });
  }
  return mentions;
}
