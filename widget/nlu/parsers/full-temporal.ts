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
const MAX_PIECE = 80;

/**
 * chrono-node costs 10–250 ms per KB on dense date-like text, whatever the
 * pieces: it reads at most this many characters of a message, only in
 * pieces the rules read nothing in and that hold a word chrono could use.
 * Past the budget, the rules alone read the rest.
 */
const CHRONO_BUDGET = 480;

/** Words (and digit forms) chrono knows that the rules may not: without one, a piece is not worth chrono's time. */
const WORTH_CHRONO =
  /\d{1,2}\s?(?:am|pm|h)\b|\d{4}|\b(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec|mon|tue|wed|thu|fri|sat|sun|janv|févr|avr|mai|juin|juil|août|sept|déc|lundi|mardi|mercredi|jeudi|vendredi|samedi|dimanche|week|weekend|fortnight|month|year|hours?|noon|midnight|morning|afternoon|evening|night|tonight|today|tomorrow|yesterday|semaine|mois|heures?|demain|soir|matin|midi|minuit)/i;

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
 * ("a week from Friday", "in 2 hours") in the clauses where the rules read
 * nothing. So the full set never reads less than the basic one, and its
 * time stays bounded (see {@link CHRONO_BUDGET}).
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
    const taken = new Uint8Array(text.length);
    for (const mention of basic) taken.fill(1, mention.start, mention.end);
    const overlaps = (start: number, end: number): boolean => {
      for (let index = start; index < end; index++) if (taken[index] === 1) return true;
      return false;
    };
    let budget = CHRONO_BUDGET;
    for (const piece of pieces(text)) {
      if (budget <= 0) break;
      if (overlaps(piece.offset, piece.offset + piece.text.length) || !WORTH_CHRONO.test(piece.text)) continue;
      budget -= piece.text.length;
      scan(reference.meter, piece.text);
      // A booking chat talks about the future: "Friday" is the coming Friday.
      for (const result of chrono.parse(piece.text, parseReference, { forwardDate: true })) {
        const start = piece.offset + result.index;
        const end = start + result.text.length;
        if (NOT_A_MENTION.test(result.text.trim()) || overlaps(start, end)) continue;
        const mention = fromChrono(result, start, end, reference);
        if (mention === undefined) continue;
        mentions.push(mention);
        taken.fill(1, start, end);
      }
    }
    return mentions.sort((left, right) => left.start - right.start);
  };
}

function fromChrono(result: ParsedResult, start: number, end: number, reference: TemporalReference): TemporalMention | undefined {
  const components = result.start;
  // chrono reads "party of 10 next Friday" as 10 o'clock: a leading bare number is a quantity.
  if (/^\d{1,2}\s+(?!am\b|pm\b|a\.m|p\.m|o'?clock|h\b|heures?|(?:days?|weeks?|months?|years?)\sfrom\s)/i.test(result.text) && !components.isCertain('month'))
    return undefined;
  const impliedDate: CalendarDate = { year: components.get('year') ?? 1970, month: components.get('month') ?? 1, day: components.get('day') ?? 1 };
  // A month alone ("La Mar"), a week or a past day is not the day of a booking; "in 152 days", "a year from now" are.
  const relativeDay = /^(?:in\s|within\s)|\bfrom\s(?:now|today)\b/i.test(result.text) && /\b(?:days?|weeks?|months?|years?)\b/i.test(result.text);
  const namesDay = components.isCertain('day') || components.isCertain('weekday') || relativeDay;
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
