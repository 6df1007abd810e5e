import type { TemporalMention, TemporalReference } from '../../types.ts';
import { addDays } from '../../zone.ts';
import {
  type Found,
  type FoundValue,
  type PartOfDay,
  resolveMentions,
  SpanCollector,
  todayIn,
  upcomingDayOfMonth,
  upcomingMonthDay,
  weekdayDate,
} from '../temporal-common.ts';

/**
 * English dates and times, rule by rule, in one left-to-right pass per rule
 * (every pattern has bounded repetition, so the work is linear in the text).
 *
 * Dates: today, tonight, later today, tomorrow (morning…), the day after
 * tomorrow, this morning/afternoon/evening, weekdays (Friday, this Saturday,
 * next Friday, Tuesday next week), "in 3 days", ISO and numeric dates,
 * "March 9th", "the 9th of March", "9 March 2027", a day of the month alone
 * ("the 8th", "the twelfth", "the 11th of this month", "the 4th of next
 * month").
 *
 * Times: "7pm", "7:30 p.m.", "19:30", "19h30", "7 o'clock", "seven pm",
 * "half past 6", "a quarter to 2", "20 past 7", "7 in the evening", "8 at
 * night", "evening 6:30", "noon", "midnight", "at 8" (read with the slot's
 * expected hours), "tonight at 8".
 *
 * "now" is never a date or a time.
 */

const WEEKDAYS = ['sunday', 'monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday'];
const MONTHS = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'];
const MONTH = '(jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sept?(?:ember)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)';
const HOUR_WORDS = ['one', 'two', 'three', 'four', 'five', 'six', 'seven', 'eight', 'nine', 'ten', 'eleven', 'twelve'];
const HOUR = `(\\d{1,2}|${HOUR_WORDS.join('|')})`;
const MINUTE_WORDS: { readonly [word: string]: number } = {
  'oh five': 5, 'o five': 5, ten: 10, fifteen: 15, twenty: 20, 'twenty five': 25, thirty: 30, 'thirty five': 35, forty: 40,
  'forty five': 45, fifty: 50, 'fifty five': 55,
};
const MINUTE_WORD = '(oh[ -]five|o[ -]five|ten|fifteen|twenty(?:[ -]five)?|thirty(?:[ -]five)?|forty(?:[ -]five)?|fifty(?:[ -]five)?)';
const ORDINAL_WORDS = [
  'first', 'second', 'third', 'fourth', 'fifth', 'sixth', 'seventh', 'eighth', 'ninth', 'tenth', 'eleventh', 'twelfth', 'thirteenth',
  'fourteenth', 'fifteenth', 'sixteenth', 'seventeenth', 'eighteenth', 'nineteenth', 'twentieth',
];
const ORDINAL_WORD = `((?:twenty|thirty)[ -](?:first|second|third|fourth|fifth|sixth|seventh|eighth|ninth)|thirtieth|${ORDINAL_WORDS.join('|')})`;
const DAY = `(?:(\\d{1,2})(?:st|nd|rd|th)?|${ORDINAL_WORD})`;

/** After a number, words that make it something other than a time of day. */
const NOT_A_TIME_AFTER = /^\s?(?:people|persons?|guests?|of us|adults?|kids|children|seats?|pax|diners|covers|%|percent|dollars?|bucks|pounds?|euros?|minutes?|mins?|hours?|hrs?|days?|weeks?|months?|years?|st\b|nd\b|rd\b|th\b|stars?|miles?|km|blocks?)/i;

function numberOf(word: string | undefined): number {
  if (word === undefined) return Number.NaN;
  const index = HOUR_WORDS.indexOf(word.toLowerCase());
  return index >= 0 ? index + 1 : Number(word);
}

function ordinalValue(word: string): number {
  const lower = word.toLowerCase().replace('-', ' ');
  if (lower === 'thirtieth') return 30;
  const [tens, unit] = lower.includes(' ') ? lower.split(' ') : [undefined, lower];
  return (tens === 'twenty' ? 20 : tens === 'thirty' ? 30 : 0) + ORDINAL_WORDS.indexOf(unit ?? '') + 1;
}

function monthIndex(word: string | undefined): number {
  return MONTHS.indexOf((word ?? '').toLowerCase().slice(0, 3)) + 1;
}

function partOf(word: string | undefined): PartOfDay | undefined {
  switch ((word ?? '').toLowerCase()) {
    case 'morning':
    case 'breakfast':
    case 'brunch':
      return 'morning';
    case 'afternoon':
    case 'lunch':
    case 'lunchtime':
      return 'afternoon';
    case 'evening':
    case 'dinner':
    case 'supper':
    case 'tonight':
      return 'evening';
    case 'night':
      return 'night';
    default:
      return undefined;
  }
}

/** What follows a time: o'clock, am/pm, a part of the day ("in the evening", "at night"). */
const SUFFIX = new RegExp(
  `^(\\s{0,2}o['’"\`]?\\s?clock)?(\\s{0,2}(?:(a)\\.?\\s?m\\b\\.?|(p)\\.?\\s?m\\b\\.?))?(,?\\s{1,2}(?:(?:in|during)\\s(?:the\\s)?|this\\s|tomorrow\\s|today\\s)?(morning|afternoon|evening|night)\\b(?!\\s{1,2}(?:at\\s)?\\d)|\\s{1,2}at\\s(night)\\b)?`,
  'i',
);

interface Suffix {
  length: number;
  meridiem?: 'am' | 'pm';
  part?: PartOfDay;
  oclock: boolean;
}

function readSuffix(text: string, end: number): Suffix {
  const match = SUFFIX.exec(text.slice(end, end + 40));
  if (match === null) return { length: 0, oclock: false };
  const suffix: Suffix = { length: match[0].length, oclock: match[1] !== undefined };
  if (match[3] !== undefined) suffix.meridiem = 'am';
  if (match[4] !== undefined) suffix.meridiem = 'pm';
  const part = partOf(match[6] ?? match[7]);
  if (part !== undefined) suffix.part = part;
  return suffix;
}

/** An hour and minute with what followed them, as a Found. */
function timeFound(hour: number, minute: number, suffix: Suffix, twentyFourHour: boolean): FoundValue | undefined {
  if (!Number.isInteger(hour) || hour < 0 || hour > 24 || minute < 0 || minute > 59) return undefined;
  if (suffix.meridiem !== undefined) {
    if (hour < 1 || hour > 12) return hour > 12 && suffix.meridiem === 'pm' ? { time: { hour, minute } } : undefined;
    return { time: { hour: (hour % 12) + (suffix.meridiem === 'pm' ? 12 : 0), minute } };
  }
  if (hour === 24) return minute === 0 ? { time: { hour: 0, minute } } : undefined;
  if (twentyFourHour || hour === 0 || hour > 12) return { time: { hour, minute } };
  const found: FoundValue = { time: { hour, minute }, ambiguousHour: true };
  if (suffix.part !== undefined) found.part = suffix.part;
  return found;
}

/** "That's all for today": a sign-off, not the day of a booking. */
function isSignOff(text: string, index: number): boolean {
  const sentenceStart = Math.max(text.lastIndexOf('.', index), text.lastIndexOf('!', index), text.lastIndexOf('?', index), index - 60, 0);
  return /\b(?:that(?:'s|’s|\sis|\swill\sbe|'ll\sbe|’ll\sbe)|it(?:'s|’s|\sis)|this\sis)\s(?:all|it)\b/i.test(text.slice(sentenceStart, index));
}

export function findEnglishTemporal(text: string, reference: TemporalReference): TemporalMention[] {
  const { today } = todayIn(reference);
  const spans = new SpanCollector(text, reference.meter);
  /** Extends a match over the suffix that follows it. */
  const withSuffix = (pattern: RegExp, read: (match: RegExpExecArray, suffix: Suffix) => FoundValue | undefined): void => {
    spans.each(pattern, (match) => {
      const end = match.index + match[0].length;
      const suffix = readSuffix(text, end);
      const found = read(match, suffix);
      if (found === undefined || (suffix.length > 0 && !spans.free(end, end + suffix.length))) return undefined;
      return { ...found, end: end + suffix.length };
    });
  };
  const relative = (days: number, part?: PartOfDay): FoundValue => ({
    date: addDays(today, days),
    ...(part !== undefined ? { partOnly: part } : {}),
  });

  // Dates, longest forms first.
  spans.each(/\b(?:the\s)?day\safter\s(?:tomorrow|tmrw)\b/gi, () => relative(2));
  spans.each(/\b(?:(?:later|earlier)\s)?today\b/gi, (match) => (isSignOff(text, match.index) ? undefined : relative(0)));
  spans.each(/\btonight\b/gi, () => relative(0, 'evening'));
  spans.each(/\b(?:tomorrow|tmrw|tmr)(?:\s(morning|afternoon|evening|night))?\b/gi, (match) => relative(1, partOf(match[1])));
  spans.each(/\bthis\s(morning|afternoon|evening)\b/gi, (match) => relative(0, partOf(match[1])));
  spans.each(/\bin\s(a|one|two|three|four|five|six|\d{1,2})\s(days?|weeks?)\b/gi, (match) => {
    const count = match[1]?.toLowerCase() === 'a' ? 1 : numberOf(match[1]);
    return relative(count * (/^w/i.test(match[2] ?? '') ? 7 : 1));
  });
  spans.each(/\b(\d{4})-(\d{1,2})-(\d{1,2})\b/g, (match) => {
    const date = upcomingMonthDay(today, Number(match[2]), Number(match[3]), Number(match[1]));
    return date === undefined ? undefined : { date };
  });
  const monthFirstInUs = /-(US|CA|PH)\b/i.test(reference.language) || !reference.language.includes('-');
  spans.each(/(?<![\d/.])(\d{1,2})\/(\d{1,2})(?:\/(\d{4}|\d{2}))?(?![\d/])/g, (match) => {
    const [first, second] = [Number(match[1]), Number(match[2])];
    const [month, day] = monthFirstInUs ? [first, second] : [second, first];
    const year = match[3] === undefined ? undefined : Number(match[3].length === 2 ? `20${match[3]}` : match[3]);
    const date = upcomingMonthDay(today, month, day, year);
    return date === undefined ? undefined : { date };
  });
  const explicit = (dayDigits: string | undefined, dayWord: string | undefined, monthWord: string | undefined, year: string | undefined, whole: string) => {
    // "may" and "march" are also verbs: a lower-case one needs an ordinal or "the" ("may 3 of us come" is not a date).
    if (/^(may|march)\b/.test(monthWord ?? '') && !/\d(st|nd|rd|th)|the\s|of\s/i.test(whole) && year === undefined) return undefined;
    const day = dayDigits !== undefined ? Number(dayDigits) : ordinalValue(dayWord ?? '');
    const date = upcomingMonthDay(today, monthIndex(monthWord), day, year === undefined ? undefined : Number(year));
    return date === undefined ? undefined : { date };
  };
  spans.each(new RegExp(`\\b(?:the\\s)?${DAY}(?:\\s?of)?\\s${MONTH}\\b\\.?(?:,?\\s(\\d{4})\\b)?`, 'gi'), (match) =>
    explicit(match[1], match[2], match[3], match[4], match[0]),
  );
  spans.each(new RegExp(`\\b${MONTH}\\.?\\s(?:the\\s)?${DAY}\\b(?!:)(?:,?\\s(\\d{4})\\b)?`, 'gi'), (match) =>
    explicit(match[2], match[3], match[1], match[4], match[0]),
  );
  const monthShift = (word: string | undefined): number | undefined => {
    if (word === undefined) return undefined;
    return /this|current|^the$/i.test(word) ? 0 : 1;
  };
  spans.each(
    /\b(?:the\s)?(\d{1,2})(?:st|nd|rd|th)\b(?!\s(?:floor|time|row|place|street|avenue|ave|birthday|anniversary|one|person|people|guest|seat|table|course|grade|century|year|week|anniv|cousin))(?:\s(?:day\s)?(?:of\s)?(this|the\scurrent|next|the\scoming|the\sfollowing|the)\smonth\b)?/gi,
    (match) => {
      const date = upcomingDayOfMonth(today, Number(match[1]), monthShift(match[2]));
      return date === undefined ? undefined : { date };
    },
  );
  spans.each(
    new RegExp(
      `(\\b(?:on|for|by|until|till|from)\\s)?\\bthe\\s${ORDINAL_WORD}\\b(\\s(?:of\\s)?(this|the\\scurrent|next|the\\scoming|the\\sfollowing)\\smonth\\b)?`,
      'gi',
    ),
    (match) => {
      // "the first one", "the second restaurant": an ordinal word is a day only where a day fits.
      const endsClause = /^\s*(?:[.,!?;]|$|at\b|in\b|for\b|please\b|then\b|instead\b|around\b|and\b)/i.test(text.slice(match.index + match[0].length));
      if (match[1] === undefined && match[3] === undefined && !endsClause) return undefined;
      const date = upcomingDayOfMonth(today, ordinalValue(match[2] ?? ''), monthShift(match[4]));
      return date === undefined ? undefined : { date };
    },
  );
  const weekdayIndex = (word: string | undefined): number => WEEKDAYS.findIndex((name) => name.startsWith((word ?? '').toLowerCase().slice(0, 3)));
  const WEEKDAY = '(sun|mon|tues?|wed(?:nes)?|thu(?:rs?)?|fri|sat(?:ur)?)(day)?';
  spans.each(new RegExp(`\\b(next|this|coming|the\\sfollowing)\\sweek(?:'s)?\\s(?:on\\s)?${WEEKDAY}\\b`, 'gi'), (match) => {
    if (match[3] === undefined) return undefined;
    return { date: weekdayDate(today, weekdayIndex(match[2]), /this/i.test(match[1] ?? '') ? 'this' : 'next'), weekday: true };
  });
  spans.each(
    new RegExp(`\\b(?:(next|this|coming|on|the\\sfollowing|the\\scoming)\\s)?${WEEKDAY}\\b(?:,?\\s(this|next)\\sweek\\b)?(?:\\s(morning|afternoon|evening|night)\\b)?`, 'gi'),
    (match) => {
      const cue = match[1]?.toLowerCase();
      // "sat", "wed", "mon" are also words: abbreviations count only after a cue word.
      if (match[3] === undefined && cue === undefined) return undefined;
      const week = match[4]?.toLowerCase();
      const kind = week === 'next' || cue === 'next' || cue === 'the following' ? 'next' : week === 'this' || cue === 'this' ? 'this' : 'plain';
      const part = partOf(match[5]);
      return { date: weekdayDate(today, weekdayIndex(match[2]), kind), weekday: true, ...(part !== undefined ? { partOnly: part } : {}) };
    },
  );

  // Times.
  withSuffix(
    new RegExp(`\\b(?:(a\\s)?quarter|(half)|(\\d{1,2}|five|ten|twenty|twenty[- ]five)(?:\\sminutes?)?)\\s(past|after|to|before|till|til)\\s${HOUR}\\b`, 'gi'),
    (match, suffix) => {
      const hour = numberOf(match[5]);
      if (!(hour >= 1 && hour <= 12)) return undefined;
      const words: { readonly [word: string]: number } = { five: 5, ten: 10, twenty: 20, 'twenty five': 25, 'twenty-five': 25 };
      const minutes = match[2] !== undefined ? 30 : match[3] === undefined ? 15 : (words[match[3].toLowerCase()] ?? Number(match[3]));
      if (!(minutes > 0 && minutes < 60)) return undefined;
      const before = /to|before|till|til/i.test(match[4] ?? '');
      const total = (hour % 12) * 60 + (before ? -minutes : minutes);
      const wrapped = (total + 720) % 720;
      return timeFound(Math.floor(wrapped / 60) || 12, wrapped % 60, suffix, false);
    },
  );
  withSuffix(/\b(12\s)?(noon|midday|midnight)\b/gi, (match) => ({ time: { hour: /midnight/i.test(match[2] ?? '') ? 0 : 12, minute: 0 } }));
  withSuffix(/(?<![\d£$€.,:])\b(\d{1,2})[:.](\d{2})\b(?![.:,]\d)/g, (match, suffix) =>
    timeFound(Number(match[1]), Number(match[2]), suffix, (match[1] ?? '').startsWith('0') && suffix.meridiem === undefined),
  );
  spans.each(/(?<!\b(?:in|for|within|after|every)\s)\b(\d{1,2})\s?h(?:(\d{2})|rs?\b)?\b(?!\s?(?:hours?|minutes?))/gi, (match) => {
    const hour = Number(match[1]);
    if (match[2] === undefined && /hrs?$/i.test(match[0])) return undefined;
    return hour <= 23 ? { time: { hour, minute: Number(match[2] ?? 0) } } : undefined;
  });
  withSuffix(
    new RegExp(`\\b(morning|afternoon|evening|night)(?:,?\\s(?:at|around|about))?\\s${HOUR}(?:[:.](\\d{2}))?\\b`, 'gi'),
    (match, suffix) => {
      if (NOT_A_TIME_AFTER.test(text.slice(match.index + match[0].length))) return undefined;
      const found = timeFound(numberOf(match[2]), Number(match[3] ?? 0), suffix, false);
      if (found === undefined) return undefined;
      if (found.ambiguousHour && suffix.part === undefined) found.part = partOf(match[1]) as PartOfDay;
      return found;
    },
  );
  // After digits a letter may follow ("7pm"); after a word, a word boundary ("ten", not "tent").
  withSuffix(new RegExp(`(\\b(?:at|around|about|by|from|after|before|until|till|towards?|say)\\s{1,2}|@\\s?)?\\b${HOUR}(?:[\\s-]${MINUTE_WORD})?(?:(?<=\\d)(?!\\d)|(?<=[a-z])\\b)`, 'gi'), (match, suffix) => {
    const cue = match[1] !== undefined;
    if (suffix.length === 0 && !cue) return undefined;
    if (suffix.length === 0 && NOT_A_TIME_AFTER.test(text.slice(match.index + match[0].length))) return undefined;
    // A digit hour with a cue alone ("at 8") must stand apart from other digits.
    if (suffix.length === 0 && /^[\d/,.]/.test(text.slice(match.index + match[0].length))) return undefined;
    const minute = match[3] === undefined ? 0 : (MINUTE_WORDS[match[3].toLowerCase().replace('-', ' ')] ?? Number.NaN);
    const found = timeFound(numberOf(match[2]), minute, suffix, false);
    // The cue word ("at") is not part of the time.
    return found === undefined ? undefined : { ...found, start: match.index + (match[1]?.length ?? 0) };
  });

  // "this evening 7", "tomorrow morning 11": a bare number right after a day with its part of the day is that time.
  for (const day of [...spans.found]) {
    if (day.date === undefined || day.partOnly === undefined) continue;
    const after = /^,?\s{1,2}(?:at\s|around\s|about\s)?(\d{1,2})(?:[:.](\d{2}))?(?!\d)/.exec(text.slice(day.end, day.end + 16));
    if (after === null) continue;
    const start = day.end + after[0].length - (after[1]?.length ?? 0) - (after[2] === undefined ? 0 : after[2].length + 1);
    const end = day.end + after[0].length;
    if (!spans.free(start, end) || NOT_A_TIME_AFTER.test(text.slice(end, end + 16))) continue;
    const found = timeFound(Number(after[1]), Number(after[2] ?? 0), readSuffix(text, end), false);
    if (found !== undefined) spans.claim({ start, end, ...found, ...(found.ambiguousHour ? { part: day.partOnly } : {}) });
  }

  // Parts of the day alone colour a nearby time without am/pm ("tonight at 8", "dinner at 7").
  spans.each(/\b(?:(?:in|during)\s(?:the\s)?|at\s|for\s)?(morning|afternoon|evening|night|dinner|supper|lunch(?:time)?|breakfast|brunch)\b/gi, (match) => {
    const part = partOf(match[1]);
    return part === undefined ? undefined : { partOnly: part };
  });

  if (reference.expecting === 'time') {
    // The visitor was asked for a time and answered with a number alone ("8", "8:30").
    spans.each(/^\s*(?:at\s)?(\d{1,2})(?:[:.](\d{2}))?\s*[.!]?\s*$/gi, (match) => timeFound(Number(match[1]), Number(match[2] ?? 0), { length: 0, oclock: false }, false));
  }
  spans.found.sort((left, right) => left.start - right.start);
  return resolveMentions(text, spans.found, reference, /^[\s,]*(?:at|on|by|around|for|from|@)?[\s,]*(?:the\s)?$/i);
}

