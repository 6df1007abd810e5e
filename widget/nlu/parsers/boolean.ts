export interface BooleanMention {
  start: number;
  end: number;
  value: boolean;
}

// Longer phrases are tried first, so "no problem" is a yes and "not really" a no.
const YES = [
  'no problem', 'of course', 'sounds good', 'go ahead', 'please do', "that's right", 'that is right', 'why not',
  'absolutely', 'definitely', 'certainly', 'affirmative', 'correct', 'confirm', 'confirmed', 'indeed', 'alright',
  'all right', 'yes', 'yeah', 'yea', 'yep', 'yup', 'ya', 'yah', 'sure', 'ok', 'okay', 'true',
];
const NO = [
  'not really', 'no thanks', 'no thank you', 'not at all', "don't", 'do not', 'rather not', 'nope', 'nah', 'no',
  'never', 'negative', 'false', 'incorrect',
];
/**
 * Words that answer yes or no on their own ("fine.", "k") but mean something
 * else inside a longer message ("the right side", "plan B"): accepted only in
 * replies of at most three words.
 */
const SHORT_YES = ['right', 'fine', 'great', 'perfect', 'please', 'agreed', 'k', 'y', 'yes please'];
const SHORT_NO = ['n', 'wrong', 'cancel'];

const escape = (phrase: string): string => phrase.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

function compile(phrases: ReadonlyArray<readonly [string, boolean]>): {
  pattern: RegExp;
  values: Map<string, boolean>;
} {
  const sorted = [...phrases].sort((left, right) => right[0].length - left[0].length);
  return {
    pattern: new RegExp(`(?<![\\w'])(${sorted.map(([phrase]) => escape(phrase)).join('|')})(?![\\w'])`, 'i'),
    values: new Map(sorted),
  };
}

let anywhere: ReturnType<typeof compile> | undefined;
let shortReply: ReturnType<typeof compile> | undefined;

/** Yes/no answers in their common forms; the earliest answer in the message wins ("no, yes" is a no). */
export function findBoolean(text: string): BooleanMention | undefined {
  const normalized = text.replace(/[\u2018\u2019]/g, "'");
  const phrases: Array<readonly [string, boolean]> = [
    ...YES.map((phrase) => [phrase, true] as const),
    ...NO.map((phrase) => [phrase, false] as const),
  ];
  anywhere ??= compile(phrases);
  shortReply ??= compile([
    ...phrases,
    ...SHORT_YES.map((phrase) => [phrase, true] as const),
    ...SHORT_NO.map((phrase) => [phrase, false] as const),
  ]);
  const isShort = (normalized.match(/[\w']+/g) ?? []).length <= 3;
  const { pattern, values } = isShort ? shortReply : anywhere;
  const match = pattern.exec(normalized);
  if (match === null) return undefined;
  const value = values.get((match[1] ?? '').toLowerCase());
  return value === undefined ? undefined : { start: match.index, end: match.index + match[0].length, value };
}
