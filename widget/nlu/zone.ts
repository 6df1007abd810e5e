import type { CalendarDate, WallTime } from './types.ts';

/**
 * IANA time-zone arithmetic on top of `Intl.DateTimeFormat`, which every
 * browser and Node ship; no time-zone database is bundled.
 */

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatterFor(timeZone: string): Intl.DateTimeFormat {
  let formatter = formatters.get(timeZone);
  if (formatter === undefined) {
    formatter = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
    formatters.set(timeZone, formatter);
  }
  return formatter;
}

export interface WallClock extends CalendarDate, WallTime {
  second: number;
}

/** The wall clock in `timeZone` at an instant. */
export function wallClockAt(instant: number, timeZone: string): WallClock {
  const parts: { [type: string]: number } = {};
  for (const part of formatterFor(timeZone).formatToParts(new Date(instant))) {
    if (part.type !== 'literal') parts[part.type] = Number(part.value);
  }
  return {
    year: parts.year ?? 1970,
    month: parts.month ?? 1,
    day: parts.day ?? 1,
    hour: (parts.hour ?? 0) % 24,
    minute: parts.minute ?? 0,
    second: parts.second ?? 0,
  };
}

/** Minutes east of UTC in `timeZone` at an instant (`America/New_York` in winter → -300). */
export function offsetMinutesAt(instant: number, timeZone: string): number {
  const clock = wallClockAt(instant, timeZone);
  const asUtc = Date.UTC(clock.year, clock.month - 1, clock.day, clock.hour, clock.minute, clock.second);
  return Math.round((asUtc - Math.floor(instant / 1000) * 1000) / 60_000);
}

/**
 * The instant a wall-clock time in `timeZone` denotes. Two passes settle the
 * offset on either side of a DST change; a time inside a spring-forward gap
 * lands after the gap, as clocks do.
 */
export function instantOf(date: CalendarDate, time: WallTime, timeZone: string): number {
  const asUtc = Date.UTC(date.year, date.month - 1, date.day, time.hour, time.minute);
  let instant = asUtc - offsetMinutesAt(asUtc, timeZone) * 60_000;
  instant = asUtc - offsetMinutesAt(instant, timeZone) * 60_000;
  return instant;
}

const pad = (value: number, width = 2): string => String(value).padStart(width, '0');

export function formatDate(date: CalendarDate): string {
  return `${pad(date.year, 4)}-${pad(date.month)}-${pad(date.day)}`;
}

export function formatTime(time: WallTime): string {
  return `${pad(time.hour)}:${pad(time.minute)}`;
}

/** ISO 8601 with the zone's offset at that moment: `2026-11-24T19:00:00-05:00`. */
export function formatDateTime(date: CalendarDate, time: WallTime, timeZone: string): string {
  const offset = offsetMinutesAt(instantOf(date, time, timeZone), timeZone);
  const sign = offset < 0 ? '-' : '+';
  const absolute = Math.abs(offset);
  return `${formatDate(date)}T${formatTime(time)}:00${sign}${pad(Math.floor(absolute / 60))}:${pad(absolute % 60)}`;
}

/** The calendar date `days` after `date` (negative goes back). */
export function addDays(date: CalendarDate, days: number): CalendarDate {
  const shifted = new Date(Date.UTC(date.year, date.month - 1, date.day + days));
  return { year: shifted.getUTCFullYear(), month: shifted.getUTCMonth() + 1, day: shifted.getUTCDate() };
}

/** 0 = Sunday … 6 = Saturday. */
export function weekdayOf(date: CalendarDate): number {
  return new Date(Date.UTC(date.year, date.month - 1, date.day)).getUTCDay();
}
