import type { ParsedComponents } from 'chrono-node';
import { GB, casual } from 'chrono-node/en';
import type { CalendarDate, TemporalMention, TemporalReference } from '../types.ts';
import { offsetMinutesAt } from '../zone.ts';
import { findNumbers } from './number.ts';

/**
 * Dates and times through chrono-node's English casual parser. Loaded lazily
 * (see `loadFullParsers()`): it is the largest part of the NLU.
 *
 * chrono reads relative expressions against a reference instant and a fixed
 * UTC offset; we pass the zone's offset at `now`, then read the wall-clock
 * components chrono returns, so a DST change between now and the date does
 * not shift the result (the offset of the date itself is applied later, in
 * `formatDateTime`).
 */
export function findChronoTemporal(text: string, reference: TemporalReference): TemporalMention[] {
  // Outside the US (and its neighbours in date habits) "3/12" is the 3rd of December.
  const chrono = /-(US|CA|PH)\b/i.test(reference.language) || !reference.language.includes('-') ? casual : GB;
  const parseReference = { instant: new Date(reference.now), timezone: offsetMinutesAt(reference.now, reference.timeZone) };
  const mentions: TemporalMention[] = [];
  const read = (fragment: string, offset: number): void => {
    // A booking chat talks about the future: "Friday" is the coming Friday.
    for (const result of chrono.parse(fragment, parseReference, { forwardDate: true })) {
      // chrono reads "party of 10 next Friday" as 10 o'clock; a bare leading
      // number is a quantity unless a time marker follows it.
      const leading = /^\d{1,2}\s+(?!am\b|pm\b|a\.m|p\.m|o'?clock|h\b|hours?\b|of\b|jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)/i.exec(
        result.text,
      );
      if (leading !== null) {
        // Re-read everything after the number: chrono may have split the rest
        // ("next Friday" + "at 19:30") around the number it misread.
        const cut = result.index + leading[0].length;
        read(fragment.slice(cut), offset + cut);
        return;
      }
      const start = result.start;
      const impliedDate = dateOf(start);
      const namesDay =
        start.isCertain('day') || start.isCertain('weekday') || start.isCertain('month') || start.isCertain('year');
      const mention: TemporalMention = { start: offset + result.index, end: offset + result.index + result.text.length, impliedDate };
      if (namesDay) mention.date = impliedDate;
      if (start.isCertain('hour')) mention.time = { hour: start.get('hour') ?? 0, minute: start.get('minute') ?? 0 };
      if (mention.date !== undefined || mention.time !== undefined) mentions.push(mention);
    }
  };
  const rewritten = digitsForNumberWords(text);
  read(rewritten.text, 0);
  for (const mention of mentions) {
    mention.end = rewritten.ends[mention.end - 1] ?? mention.end;
    mention.start = rewritten.starts[mention.start] ?? mention.start;
  }
  return mentions.sort((left, right) => left.start - right.start);
}

function dateOf(components: ParsedComponents): CalendarDate {
  return { year: components.get('year') ?? 1970, month: components.get('month') ?? 1, day: components.get('day') ?? 1 };
}

/**
 * chrono reads "in 13 hours" and "5 pm" but not "in thirteen hours" or "five
 * pm"; number words become digits. Character `i` of the rewritten text came
 * from `starts[i]` to `ends[i]` of the input, so mentions map back exactly.
 */
function digitsForNumberWords(text: string): { text: string; starts: number[]; ends: number[] } {
  let rewritten = '';
  const starts: number[] = [];
  const ends: number[] = [];
  let copied = 0;
  const copy = (until: number): void => {
    for (; copied < until; copied++) {
      rewritten += text[copied] as string;
      starts.push(copied);
      ends.push(copied + 1);
    }
  };
  for (const mention of findNumbers(text)) {
    if (mention.range || /^\d/.test(text.slice(mention.start, mention.end))) continue;
    copy(mention.start);
    for (const digit of String(mention.value)) {
      rewritten += digit;
      starts.push(mention.start);
      ends.push(mention.end);
    }
    copied = mention.end;
  }
  copy(text.length);
  return { text: rewritten, starts, ends };
}
