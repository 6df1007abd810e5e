import type { Chrono, ParsedResult } from 'chrono-node';
import type { CalendarDate, SlotParsers, TemporalMention, TemporalReference } from '../types.ts';
import { offsetMinutesAt } from '../zone.ts';
import { findBasicTemporal } from './basic-temporal.ts';
import { hourInExpected, scan, todayIn } from './temporal-common.ts';

/** chrono-node parsers by base language; US-style month-first dates use `casual`, the rest of the English world `GB`. */
export interface ChronoLocales {
  [language: string]: { casual: Chrono; GB?: Chrono };
}

/** chrono reads each piece on its own: a clause, and at most this many characters of one. */
const MAX_PIECE = 160;

/**
 * Splits text into clauses of at most {@link MAX_PIECE} characters (cut at
 * a space where possible), so chrono's work per piece is bounded and the
 * whole stays linear in the text, whatever chrono does inside a piece.
 */
export function pieces(text: string): Array<{ text: string; offset: number }> {
  const result: Array<{ text: string; offset: number }> = [];
  for (const clause of text.matchAll(/[^.!?;\n]+[.!?;\n]*/g)) {
    let offset = clause.index;
    let rest = clause[0];
    while (rest.length > MAX_PIECE) {
      const cut = rest.lastIndexOf(' ', MAX_PIECE);
      const at = cut > MAX_PIECE / 2 ? cut : MAX_PIECE;
      result.push({ text: rest.slice(0, at), offset });
      rest = rest.slice(at);
      offset += at;
    }
    if (rest.trim() !== '') result.push({ text: rest, offset });
  }
  return result;
}

/** chrono results that are not a date or time a visitor gave: "now", a bare number ("party of 10 next…"). */
const NOT_A_MENTION =
  /^(?:(?:right\s)?now|currently|at the moment|maintenant|\d{1,2}|\d+\s?[dwmyh]|(?:next|this|last|the)\s(?:week|weekend|month|year)|[a-z]{3,9})$|minute|yesterday|hier|\bago\b|before|\bil y a\b/i;

/**
 * Dates and times through chrono-node, on top of the rule-based reader:
 * what the rules read stands (they know parts of the day, expected hours
 * and days of the month alone); chrono adds the forms they do not know
 * ("a week from Friday", "Dec 3rd 2026 5pm", "in 2 hours"). So the full set
 * never reads less than the basic one.
 */
export function createChronoTemporal(locales: ChronoLocales): SlotParsers['findTemporal'] {
  return (text: string, reference: TemporalReference): TemporalMention[] => {
    const basic = findBasicTemporal(text, reference);
    const base = reference.language.toLowerCase().split(/[-_]/)[0] ?? 'en';
    const locale = locales[base];
    if (locale === undefined) return basic;
    const monthFirst = /-(US|CA|PH)\b/i.test(reference.language) || !reference.language.includes('-');
    const chrono = monthFirst || locale.GB === undefined ? locale.casual : locale.GB;
    const parseReference = { instant: new Date(reference.now), timezone: offsetMinutesAt(reference.now, reference.timeZone) };
    const mentions = [...basic];
    const overlaps = (start: number, end: number): boolean => mentions.some((mention) => start < mention.end && end > mention.start);
    for (const piece of pieces(text)) {
      scan(reference.meter, piece.text);
      // A booking chat talks about the future: "Friday" is the coming Friday.
      for (const result of chrono.parse(piece.text, parseReference, { forwardDate: true })) {
        const start = piece.offset + result.index;
        const end = start + result.text.length;
        if (NOT_A_MENTION.test(result.text.trim()) || overlaps(start, end)) continue;
        const mention = fromChrono(result, start, end, reference);
        if (mention !== undefined) mentions.push(mention);
      }
    }
    return mentions.sort((left, right) => left.start - right.start);
  };
}

function fromChrono(result: ParsedResult, start: number, end: number, reference: TemporalReference): TemporalMention | undefined {
  const components = result.start;
  // chrono reads "party of 10 next Friday" as 10 o'clock: a leading bare number is a quantity.
  if (/^\d{1,2}\s+(?!am\b|pm\b|a\.m|p\.m|o'?clock|h\b|heures?)/i.test(result.text) && !components.isCertain('month')) return undefined;
  const impliedDate: CalendarDate = { year: components.get('year') ?? 1970, month: components.get('month') ?? 1, day: components.get('day') ?? 1 };
  // A month alone ("La Mar"), a week or a past day is not the day of a booking.
  const namesDay = components.isCertain('day') || components.isCertain('weekday');
  const mention: TemporalMention = { start, end, impliedDate };
  const today = todayIn(reference).today;
  const past = impliedDate.year * 400 + impliedDate.month * 32 + impliedDate.day < today.year * 400 + today.month * 32 + today.day;
  if (namesDay && !past) mention.date = impliedDate;
  if (components.isCertain('hour')) {
    const time = { hour: components.get('hour') ?? 0, minute: components.get('minute') ?? 0 };
    mention.time = components.isCertain('meridiem') ? time : hourInExpected(time, reference.hours);
  }
  return mention.date !== undefined || mention.time !== undefined ? mention : undefined;
}
