import type { CalendarDate, ExpectedHours, TemporalMention, TemporalReference, WallTime, WorkMeter } from '../types.ts';
import { addDays, wallClockAt, weekdayOf } from '../zone.ts';

/**
 * The language-independent half of the rule-based date and time readers:
 * resolving what a language module found (a day of the month alone, a
 * weekday, a bare hour, a part of the day) against the clock, the zone and
 * the slot's expected hours, and joining a date and a time into one mention.
 */

export type PartOfDay = 'morning' | 'afternoon' | 'evening' | 'night';

/** What a language module found, before it is resolved. */
export interface Found {
  start: number;
  end: number;
  date?: CalendarDate;
  time?: WallTime;
  /**
   * The hour was written without am/pm or a 24-hour form ("at 8", "7:30",
   * "half past 6"): a part of the day or the expected hours decide.
   */
  ambiguousHour?: boolean;
  /** A part of the day written with the time ("7 in the evening", "evening 6:30"). */
  part?: PartOfDay;
  /** A part of the day alone ("tonight", "this evening"): it colours a nearby time. */
  partOnly?: PartOfDay;
  /** The date was a weekday: written beside an explicit date ("Friday the 8th"), the explicit one wins. */
  weekday?: boolean;
}

export type FoundValue = Omit<Found, 'start' | 'end'> & { start?: number; end?: number };

/** Counts characters a pass reads, so tests can show the work is linear in the text. */
export function scan(meter: WorkMeter | undefined, text: string): void {
  if (meter !== undefined) meter.characters += text.length;
}

export function todayIn(reference: TemporalReference): { today: CalendarDate; now: WallTime } {
  const clock = wallClockAt(reference.now, reference.timeZone);
  return { today: { year: clock.year, month: clock.month, day: clock.day }, now: { hour: clock.hour, minute: clock.minute } };
}

function daysInMonth(year: number, month: number): number {
  return new Date(Date.UTC(year, month, 0)).getUTCDate();
}

/** The next occurrence of month/day on or after today (this year or next). */
export function upcomingMonthDay(today: CalendarDate, month: number, day: number, year?: number): CalendarDate | undefined {
  if (month < 1 || month > 12 || day < 1 || day > 31) return undefined;
  if (year !== undefined) return day <= daysInMonth(year, month) ? { year, month, day } : undefined;
  const isPast = month < today.month || (month === today.month && day < today.day);
  const candidate = { year: isPast ? today.year + 1 : today.year, month, day };
  if (day <= daysInMonth(candidate.year, month)) return candidate;
  // 29 February: the next year that has one.
  for (let shift = 1; shift <= 8; shift++) if (day <= daysInMonth(candidate.year + shift, month)) return { ...candidate, year: candidate.year + shift };
  return undefined;
}

/**
 * A day of the month alone ("the 8th"): the next such date that is not past.
 * `monthShift` 0 = this month ("the 11th of this month"), 1 = next month;
 * undefined = whichever comes first.
 */
export function upcomingDayOfMonth(today: CalendarDate, day: number, monthShift?: number): CalendarDate | undefined {
  if (day < 1 || day > 31) return undefined;
  const monthAfter = (shift: number): { year: number; month: number } => {
    const index = today.month - 1 + shift;
    return { year: today.year + Math.floor(index / 12), month: (index % 12) + 1 };
  };
  if (monthShift !== undefined) {
    const { year, month } = monthAfter(monthShift);
    return day <= daysInMonth(year, month) ? { year, month, day } : undefined;
  }
  for (let shift = day >= today.day ? 0 : 1; shift <= 12; shift++) {
    const { year, month } = monthAfter(shift);
    if (day <= daysInMonth(year, month)) return { year, month, day };
  }
  return undefined;
}

/**
 * A weekday (0 = Sunday): `plain` is its next occurrence after today (today
 * itself is a week later); `this` is this (Monday-first) week's, or the next
 * one when it is past; `next` is next week's ("next Friday", "Friday next
 * week"), the reading chrono-node and most people share.
 */
export function weekdayDate(today: CalendarDate, target: number, cue: 'plain' | 'this' | 'next'): CalendarDate {
  const isoToday = weekdayOf(today) || 7;
  const isoTarget = target || 7;
  if (cue === 'next') return addDays(today, 7 - isoToday + isoTarget);
  if (cue === 'this' && isoTarget >= isoToday) return addDays(today, isoTarget - isoToday);
  return addDays(today, (target - weekdayOf(today) + 7) % 7 || 7);
}

/** An hour read with a part of the day: "7 in the evening" is 19:00, "8 at night" 20:00, "1 at night" 01:00. */
export function hourInPart(hour: number, part: PartOfDay): number {
  if (hour > 12) return hour;
  switch (part) {
    case 'morning':
      return hour === 12 ? 12 : hour;
    case 'afternoon':
      return hour === 12 ? 12 : hour + 12;
    case 'evening':
      return hour === 12 ? 0 : hour < 4 ? hour : hour + 12;
    case 'night':
      return hour === 12 ? 0 : hour < 5 ? hour : hour + 12;
  }
}

const minutesOf = (time: WallTime): number => time.hour * 60 + time.minute;

/**
 * A bare hour ("at 8") between 1 and 12 is read in the half of the day the
 * slot expects ("hours": noon to 10 pm → 20:00); when neither half fits, or
 * no hours are given, it stays as written.
 */
export function hourInExpected(time: WallTime, hours: ExpectedHours | undefined): WallTime {
  if (hours === undefined || time.hour < 1 || time.hour > 12) return time;
  const inside = (candidate: WallTime): boolean => {
    const value = minutesOf(candidate);
    const from = minutesOf(hours.from);
    const to = minutesOf(hours.to);
    return from <= to ? value >= from && value <= to : value >= from || value <= to;
  };
  const morning = { hour: time.hour % 12, minute: time.minute };
  const afternoon = { hour: (time.hour % 12) + 12, minute: time.minute };
  const written = inside(time);
  if (written) return time;
  if (inside(afternoon)) return afternoon;
  if (inside(morning)) return morning;
  return time;
}

/** Parts of the day written alone colour a time without am/pm in the same clause ("tonight at 8"). */
const CLAUSE_BREAK = /[.!?;\n]|\b(?:no|not|actually|instead|sorry|or|but)\b/i;

/**
 * Resolves ambiguous hours, joins a date and a time written together
 * ("tomorrow at 7pm", "the 12th, evening 5"), and gives a bare time the day
 * it refers to. `found` is in text order.
 */
export function resolveMentions(
  text: string,
  found: readonly Found[],
  reference: TemporalReference,
  connector: RegExp,
): TemporalMention[] {
  const { today, now } = todayIn(reference);
  const parts = found.filter((item) => item.partOnly !== undefined).sort((left, right) => left.start - right.start);
  const items = found.filter((item) => item.date !== undefined || item.time !== undefined).sort((left, right) => left.start - right.start);
  // Two pointers over both lists in text order: each time looks only at the part of the day just before and just after it.
  let next = 0;
  for (const item of items) {
    while (next < parts.length && (parts[next] as Found).start < item.start) next++;
    if (item.time === undefined || !item.ambiguousHour) continue;
    let part = item.part;
    if (part === undefined) {
      let distance = Number.POSITIVE_INFINITY;
      for (const other of [parts[next - 1], parts[next]]) {
        if (other === undefined) continue;
        const gap = other.end <= item.start ? text.slice(other.end, item.start) : other.start >= item.end ? text.slice(item.end, other.start) : '';
        if (gap.length > 40 || CLAUSE_BREAK.test(gap) || gap.length >= distance) continue;
        distance = gap.length;
        part = other.partOnly;
      }
    }
    item.time = part !== undefined ? { hour: hourInPart(item.time.hour, part), minute: item.time.minute } : hourInExpected(item.time, reference.hours);
  }
  const mentions: Array<TemporalMention & { weekday?: boolean }> = [];
  for (const item of items) {
    const previous = mentions.at(-1);
    const gap = previous === undefined ? '' : text.slice(previous.end, item.start);
    const complementary =
      previous !== undefined &&
      ((previous.date !== undefined && previous.time === undefined && item.time !== undefined && item.date === undefined) ||
        (previous.time !== undefined && previous.date === undefined && item.date !== undefined && item.time === undefined));
    if (previous !== undefined && complementary && gap.length <= 40 && connector.test(gap)) {
      previous.end = item.end;
      if (item.date !== undefined) {
        previous.date = item.date;
        previous.impliedDate = item.date;
      }
      if (item.time !== undefined) previous.time = item.time;
      continue;
    }
    // "Friday the 8th", "March 8th, Friday": one date written twice; the explicit day wins over the weekday.
    const sameDate =
      previous !== undefined &&
      previous.time === undefined &&
      item.time === undefined &&
      previous.date !== undefined &&
      item.date !== undefined &&
      previous.weekday !== item.weekday &&
      weekdayOf(previous.date) === weekdayOf(item.date) &&
      /^[\s,]*(?:the\s)?$/i.test(gap);
    if (previous !== undefined && sameDate) {
      previous.end = item.end;
      previous.weekday = false;
      if (!item.weekday) {
        previous.date = item.date as CalendarDate;
        previous.impliedDate = item.date as CalendarDate;
      }
      continue;
    }
    // A bare time already past today means the same time tomorrow.
    const passed = item.time !== undefined && minutesOf(item.time) < minutesOf(now);
    const mention: TemporalMention & { weekday?: boolean } = { start: item.start, end: item.end, impliedDate: item.date ?? (passed ? addDays(today, 1) : today) };
    if (item.weekday) mention.weekday = true;
    if (item.date !== undefined) mention.date = item.date;
    if (item.time !== undefined) mention.time = item.time;
    mentions.push(mention);
  }
  return mentions.map(({ weekday: _weekday, ...mention }) => mention);
}

/** Collects non-overlapping spans: the first pattern to claim a span keeps it. */
export class SpanCollector {
  readonly found: Found[] = [];
  /** 1 where a character is already claimed: checking a span costs its length, not the number of spans. */
  readonly #claimed: Uint8Array;

  readonly #text: string;
  readonly #meter: WorkMeter | undefined;

  constructor(
    text: string,
    meter: WorkMeter | undefined,
  ) {
    this.#text = text;
    this.#meter = meter;
    this.#claimed = new Uint8Array(text.length);
  }

  free(start: number, end: number): boolean {
    if (this.#meter !== undefined) this.#meter.characters += end - start;
    for (let index = start; index < end; index++) if (this.#claimed[index] === 1) return false;
    return true;
  }

  claim(item: Found): void {
    this.#claimed.fill(1, item.start, item.end);
    this.found.push(item);
  }

  /**
   * Runs a global pattern over the text; `read` returns what a match means
   * (with a later `end` when it read on past the match), or undefined to skip it.
   */
  each(pattern: RegExp, read: (match: RegExpExecArray) => FoundValue | undefined): void {
    scan(this.#meter, this.#text);
    pattern.lastIndex = 0;
    for (let match = pattern.exec(this.#text); match !== null; match = pattern.exec(this.#text)) {
      const start = match.index;
      const end = start + match[0].length;
      if (match[0].length === 0) pattern.lastIndex++;
      else if (this.free(start, end)) {
        const value = read(match);
        if (value !== undefined) this.claim({ start, end, ...value });
      }
    }
  }
}
