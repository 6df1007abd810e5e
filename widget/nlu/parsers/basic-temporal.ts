import type { CalendarDate, TemporalMention, TemporalReference, WallTime } from '../types.ts';
import { addDays, wallClockAt, weekdayOf } from '../zone.ts';

/**
 * A small date and time reader that ships in the main bundle so the widget
 * understands "tomorrow at 7pm" before (or without) loading chrono-node.
 * English only. Covers: today, tonight, tomorrow, the day after tomorrow,
 * (this|next|on) weekday, ISO dates, "3 December" / "December 3rd" /
 * "the 3rd of December", and times "7pm", "7:30 pm", "19:30", "noon",
 * "midnight", "7 o'clock".
 */

const WEEKDAYS = ['sunday', 'monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday'];
const MONTHS = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'];
const MONTH_WORD = '(jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)';
const DAY_NUMBER = '(\\d{1,2})(?:st|nd|rd|th)?';

interface Found {
  start: number;
  end: number;
  date?: CalendarDate;
  time?: WallTime;
}

export function findBasicTemporal(text: string, reference: TemporalReference): TemporalMention[] {
  const clock = wallClockAt(reference.now, reference.timeZone);
  const today: CalendarDate = { year: clock.year, month: clock.month, day: clock.day };
  const found: Found[] = [];
  const add = (match: RegExpMatchArray, value: { date?: CalendarDate; time?: WallTime }): void => {
    const start = match.index ?? 0;
    const end = start + match[0].length;
    if (found.some((other) => start < other.end && end > other.start)) return;
    found.push({ start, end, ...value });
  };

  for (const match of text.matchAll(/\b(?:the )?day after tomorrow\b/gi)) add(match, { date: addDays(today, 2) });
  for (const match of text.matchAll(/\b(today|tonight|tomorrow|tmrw|tmr)\b/gi)) {
    const word = (match[1] ?? '').toLowerCase();
    add(match, { date: addDays(today, word === 'today' || word === 'tonight' ? 0 : 1) });
  }
  for (const match of text.matchAll(/\b(\d{4})-(\d{2})-(\d{2})\b/g)) {
    add(match, { date: { year: Number(match[1]), month: Number(match[2]), day: Number(match[3]) } });
  }
  const monthFirst = new RegExp(`\\b${MONTH_WORD}\\.? ${DAY_NUMBER}\\b`, 'gi');
  const dayFirst = new RegExp(`\\b(?:the )?${DAY_NUMBER}(?: of)? ${MONTH_WORD}\\b`, 'gi');
  for (const match of text.matchAll(dayFirst)) {
    const date = upcoming(today, monthIndex(match[2]), Number(match[1]));
    if (date !== undefined) add(match, { date });
  }
  for (const match of text.matchAll(monthFirst)) {
    const date = upcoming(today, monthIndex(match[1]), Number(match[2]));
    if (date !== undefined) add(match, { date });
  }
  const weekday = /\b(?:(next|this|on|coming)\s+)?(sun|mon|tues?|wed(?:nes)?|thu(?:rs?)?|fri|sat(?:ur)?)(?:day)?\b/gi;
  for (const match of text.matchAll(weekday)) {
    const stem = (match[2] ?? '').toLowerCase().slice(0, 3);
    const target = WEEKDAYS.findIndex((name) => name.startsWith(stem));
    const cue = match[1]?.toLowerCase();
    // "sat", "wed", "mon" are also words or names: abbreviations count only after a cue word.
    if (!/day$/i.test(match[0]) && cue === undefined) continue;
    // chrono-node's reading, kept so both parsers agree: a weekday is its next
    // occurrence after today; "next <weekday>" is that day in next (Monday-first) week.
    let days: number;
    if (cue === 'next') {
      const isoToday = weekdayOf(today) || 7;
      days = 8 - isoToday + ((target || 7) - 1);
    } else days = (target - weekdayOf(today) + 7) % 7 || 7;
    add(match, { date: addDays(today, days) });
  }

  const meridiem = /\b(\d{1,2})(?::([0-5]\d))?\s*(a\.?m\.?|p\.?m\.?)(?![a-z])/gi;
  for (const match of text.matchAll(meridiem)) {
    const hour = Number(match[1]);
    if (hour < 1 || hour > 12) continue;
    const afternoon = (match[3] ?? '').toLowerCase().startsWith('p');
    add(match, { time: { hour: (hour % 12) + (afternoon ? 12 : 0), minute: Number(match[2] ?? 0) } });
  }
  for (const match of text.matchAll(/\b([01]?\d|2[0-3])[:h]([0-5]\d)\b/g)) {
    add(match, { time: { hour: Number(match[1]), minute: Number(match[2]) } });
  }
  for (const match of text.matchAll(/\b(\d{1,2}) ?o'?clock\b/gi)) {
    const hour = Number(match[1]);
    if (hour <= 23) add(match, { time: { hour, minute: 0 } });
  }
  for (const match of text.matchAll(/\b(noon|midday|midnight)\b/gi)) {
    add(match, { time: { hour: (match[1] ?? '').toLowerCase() === 'midnight' ? 0 : 12, minute: 0 } });
  }

  found.sort((left, right) => left.start - right.start);
  return mergeDateAndTime(text, found, today, clock);
}

function monthIndex(word: string | undefined): number {
  return MONTHS.indexOf((word ?? '').toLowerCase().slice(0, 3)) + 1;
}

/** The next occurrence of month/day on or after today (this year or next). */
function upcoming(today: CalendarDate, month: number, day: number): CalendarDate | undefined {
  if (month < 1 || day < 1 || day > 31) return undefined;
  const thisYear = { year: today.year, month, day };
  const isPast = month < today.month || (month === today.month && day < today.day);
  return isPast ? { ...thisYear, year: today.year + 1 } : thisYear;
}

/** "tomorrow at 7pm" is one mention: a date and a time joined by a short connector. */
function mergeDateAndTime(text: string, found: readonly Found[], today: CalendarDate, now: WallTime): TemporalMention[] {
  const mentions: TemporalMention[] = [];
  for (const item of found) {
    const previous = mentions.at(-1);
    const gap = previous === undefined ? '' : text.slice(previous.end, item.start);
    const complementary =
      previous !== undefined &&
      ((previous.date !== undefined && previous.time === undefined && item.time !== undefined && item.date === undefined) ||
        (previous.time !== undefined && previous.date === undefined && item.date !== undefined && item.time === undefined));
    if (previous !== undefined && complementary && /^[\s,]*(?:at|on|by|around|@)?[\s,]*$/i.test(gap)) {
      previous.end = item.end;
      if (item.date !== undefined) {
        previous.date = item.date;
        previous.impliedDate = item.date;
      }
      if (item.time !== undefined) previous.time = item.time;
      continue;
    }
    // A bare time already past today means the same time tomorrow.
    const passed = item.time !== undefined && item.time.hour * 60 + item.time.minute < now.hour * 60 + now.minute;
    mentions.push({ ...item, impliedDate: item.date ?? (passed ? addDays(today, 1) : today) });
  }
  return mentions;
}
