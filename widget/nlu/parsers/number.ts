/** Numbers written in digits or English words, with where they sit in the text. */

export interface NumberMention {
  value: number;
  start: number;
  end: number;
  /** True when the mention was a range ("4 or 5", "4-5"); `value` is then its upper bound. */
  range?: boolean;
}

const UNITS: { readonly [word: string]: number } = {
  zero: 0, one: 1, two: 2, three: 3, four: 4, five: 5, six: 6, seven: 7, eight: 8, nine: 9,
  ten: 10, eleven: 11, twelve: 12, thirteen: 13, fourteen: 14, fifteen: 15, sixteen: 16,
  seventeen: 17, eighteen: 18, nineteen: 19,
};
const TENS: { readonly [word: string]: number } = {
  twenty: 20, thirty: 30, forty: 40, fifty: 50, sixty: 60, seventy: 70, eighty: 80, ninety: 90,
};
const SCALES: { readonly [word: string]: number } = { hundred: 100, thousand: 1000, million: 1_000_000 };

/** Counting phrases that are not number words but mean a number. */
const IDIOMS: ReadonlyArray<readonly [RegExp, number]> = [
  [/\bhalf a dozen\b/gi, 6],
  [/\ba dozen\b/gi, 12],
  [/\b(?:a )?couple(?: of)?\b/gi, 2],
  [/\ba pair(?: of)?\b/gi, 2],
  [/\bboth of us\b/gi, 2],
  [/\b(?:just|only) (?:me|myself|one)\b/gi, 1],
  [/\b(?:a )?single\b/gi, 1],
];

const WORD_PATTERN = /[A-Za-z]+|\d+(?:[.,]\d+)*/g;

/**
 * Every number in `text`, left to right. Ranges joined by "or", "to" or a
 * dash ("4 or 5 of us") become one mention whose value is the upper bound:
 * a table must fit everyone who might come.
 */
export function findNumbers(text: string): NumberMention[] {
  const mentions: NumberMention[] = [];
  const claimed = new Uint8Array(text.length);
  const isClaimed = (start: number, end: number): boolean => {
    for (let index = start; index < end; index++) if (claimed[index] === 1) return true;
    return false;
  };
  for (const [pattern, value] of IDIOMS) {
    for (const match of text.matchAll(pattern)) {
      const start = match.index;
      const end = start + match[0].length;
      if (isClaimed(start, end)) continue;
      claimed.fill(1, start, end);
      mentions.push({ value, start, end });
    }
  }

  const tokens = [...text.matchAll(WORD_PATTERN)].map((match) => ({
    text: match[0],
    lower: match[0].toLowerCase(),
    start: match.index,
    end: match.index + match[0].length,
  }));
  for (let index = 0; index < tokens.length; ) {
    const token = tokens[index];
    if (token === undefined) break;
    if (isClaimed(token.start, token.end)) {
      index++;
      continue;
    }
    if (/^\d/.test(token.text)) {
      const next = text.slice(token.end, token.end + 2).toLowerCase();
      // "3rd", "21st": ordinals are dates or positions, not quantities.
      if (/^(st|nd|rd|th)/.test(next)) {
        index++;
        continue;
      }
      const value = parseDigits(token.text);
      if (value !== undefined) mentions.push({ value, start: token.start, end: token.end });
      index++;
      continue;
    }
    const parsed = parseWords(tokens, index);
    if (parsed === undefined) {
      index++;
      continue;
    }
    mentions.push({ value: parsed.value, start: token.start, end: tokens[parsed.next - 1]?.end ?? token.end });
    index = parsed.next;
  }
  mentions.sort((left, right) => left.start - right.start);
  return joinRanges(text, mentions);
}

function parseDigits(digits: string): number | undefined {
  // "1,000" groups thousands; "2,5" and "2.5" are decimals.
  const normalized = /^\d{1,3}(,\d{3})+$/.test(digits) ? digits.replace(/,/g, '') : digits.replace(',', '.');
  const value = Number(normalized);
  return Number.isFinite(value) ? value : undefined;
}

function parseWords(
  tokens: ReadonlyArray<{ lower: string }>,
  from: number,
): { value: number; next: number } | undefined {
  let total = 0;
  let current = 0;
  let index = from;
  let any = false;
  while (index < tokens.length) {
    const word = tokens[index]?.lower ?? '';
    if (word in UNITS) current += UNITS[word] as number;
    else if (word in TENS) current += TENS[word] as number;
    else if (word in SCALES && any) {
      const scale = SCALES[word] as number;
      if (scale === 100) current *= 100;
      else {
        total += current * scale;
        current = 0;
      }
    } else if (word === 'and' && any && /^(hundred|thousand)$/.test(tokens[index - 1]?.lower ?? '')) {
      // "one hundred and five": keep reading only if a number word follows.
      const following = tokens[index + 1]?.lower ?? '';
      if (!(following in UNITS || following in TENS)) break;
    } else break;
    any = true;
    index++;
  }
  return any ? { value: total + current, next: index } : undefined;
}

function joinRanges(text: string, mentions: NumberMention[]): NumberMention[] {
  const joined: NumberMention[] = [];
  for (const mention of mentions) {
    const previous = joined.at(-1);
    if (previous !== undefined && /^\s*(?:or|to|-|–|—)\s*$/i.test(text.slice(previous.end, mention.start))) {
      joined[joined.length - 1] = {
        value: Math.max(previous.value, mention.value),
        start: previous.start,
        end: mention.end,
        range: true,
      };
    } else joined.push(mention);
  }
  return joined;
}
