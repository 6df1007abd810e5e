import type { TemporalMention, TemporalReference } from '../../types.ts';
import { addDays } from '../../zone.ts';
import { type FoundValue, type PartOfDay, resolveMentions, SpanCollector, todayIn, upcomingDayOfMonth, upcomingMonthDay, weekdayDate } from '../temporal-common.ts';
import { frenchNumberValue, FRENCH_NUMBER } from './fr-numbers.ts';

/**
 * French dates and times, one bounded pattern per rule.
 *
 * Dates: aujourd'hui, ce soir, demain (matin, soir…), après-demain, ce
 * matin/cet après-midi, weekdays ("samedi", "samedi prochain", "ce
 * vendredi", "mardi de la semaine prochaine"), "le 12", "le 1er", "le 12
 * mars", "12 mars 2027", "le 12 du mois prochain", dd/mm/yyyy.
 *
 * Times: "19h", "19h30", "19 h 30", "19 heures", "19 heures 30", "20:30",
 * "8 heures du soir", "8h et demie", "8h et quart", "8h moins le quart",
 * "midi", "minuit", "à 8h" (read with the slot's expected hours), "samedi
 * soir à 8h".
 */

const WEEKDAYS = ['dimanche', 'lundi', 'mardi', 'mercredi', 'jeudi', 'vendredi', 'samedi'];
const MONTHS = ['janvier', 'février', 'mars', 'avril', 'mai', 'juin', 'juillet', 'août', 'septembre', 'octobre', 'novembre', 'décembre'];
const MONTH = '(janv(?:ier)?|f[ée]vr?(?:ier)?|mars|avr(?:il)?|mai|juin|juil(?:let)?|ao[uû]t|sept(?:embre)?|oct(?:obre)?|nov(?:embre)?|d[ée]c(?:embre)?)';
const WEEKDAY = '(dimanche|lundi|mardi|mercredi|jeudi|vendredi|samedi)';
// "midi" is a time (noon), read on its own: not a part of the day here.
const PART = '(matin(?:ée)?|après-midi|apres-midi|aprèm|soir(?:ée)?|nuit)';
// \b is ASCII-only in JavaScript: "é" ends a word without one, so French words are delimited explicitly.
const B = '(?<![\\p{L}\\d])';
const E = '(?![\\p{L}\\d])';

function partOf(word: string | undefined): PartOfDay | undefined {
  const lower = (word ?? '').toLowerCase();
  if (lower.startsWith('matin')) return 'morning';
  if (lower.startsWith('apr') || lower === 'midi') return 'afternoon';
  if (lower.startsWith('soir') || lower === 'dîner' || lower === 'diner') return 'evening';
  if (lower === 'nuit') return 'night';
  return undefined;
}

function monthIndex(word: string | undefined): number {
  const lower = (word ?? '').toLowerCase().normalize('NFD').replace(/[\u0300-\u036f]/g, '');
  return MONTHS.findIndex((month) => month.normalize('NFD').replace(/[\u0300-\u036f]/g, '').startsWith(lower.slice(0, 3))) + 1;
}

function numberOf(word: string | undefined): number {
  if (word === undefined) return Number.NaN;
  return /^\d/.test(word) ? Number(word) : (frenchNumberValue(word) ?? Number.NaN);
}

export function findFrenchTemporal(text: string, reference: TemporalReference): TemporalMention[] {
  const { today } = todayIn(reference);
  const spans = new SpanCollector(text, reference.meter);
  const relative = (days: number, part?: PartOfDay): FoundValue => ({ date: addDays(today, days), ...(part !== undefined ? { partOnly: part } : {}) });
  const pattern = (source: string): RegExp => new RegExp(source, 'giu');

  spans.each(pattern(`${B}apr[èe]s[- ]demain${E}(?:\\s${PART}${E})?`), (match) => relative(2, partOf(match[1])));
  spans.each(pattern(`${B}aujourd['’]hui${E}`), () => relative(0));
  spans.each(pattern(`${B}ce\\s(soir|matin)${E}|${B}cet\\s(apr[èe]s-midi)${E}|${B}cette\\s(nuit)${E}`), (match) =>
    relative(0, partOf(match[1] ?? match[2] ?? match[3])),
  );
  spans.each(pattern(`${B}demain${E}(?:\\s${PART}${E})?`), (match) => relative(1, partOf(match[1])));
  spans.each(pattern(`${B}dans\\s(\\d{1,2}|${FRENCH_NUMBER})\\s(jours?|semaines?)${E}`), (match) =>
    relative(numberOf(match[1]) * (/^s/i.test(match[2] ?? '') ? 7 : 1)),
  );
  spans.each(/(?<![\d/.])(\d{1,2})\/(\d{1,2})(?:\/(\d{4}|\d{2}))?(?![\d/])/g, (match) => {
    const year = match[3] === undefined ? undefined : Number(match[3].length === 2 ? `20${match[3]}` : match[3]);
    const date = upcomingMonthDay(today, Number(match[2]), Number(match[1]), year);
    return date === undefined ? undefined : { date };
  });
  spans.each(pattern(`${B}(?:(?:le|ce)\\s)?(?:${WEEKDAY}\\s)?(1er|\\d{1,2}|premier|${FRENCH_NUMBER})\\s${MONTH}${E}\\.?(?:\\s(\\d{4})${E})?`), (match) => {
    const day = /^(1er|premier)$/i.test(match[2] ?? '') ? 1 : numberOf(match[2]);
    const date = upcomingMonthDay(today, monthIndex(match[3]), day, match[4] === undefined ? undefined : Number(match[4]));
    return date === undefined ? undefined : { date };
  });
  spans.each(
    pattern(`${B}(?:le|ce)\\s(?:${WEEKDAY}\\s)?(1er|\\d{1,2}|premier)${E}(?!\\s?(?:h${E}|heures?|personnes?|couverts?|:))(?:\\s(?:de\\s|du\\s)?(ce|le)\\smois(?:\\s(prochain))?${E})?`),
    (match) => {
      const day = /^(1er|premier)$/i.test(match[2] ?? '') ? 1 : Number(match[2]);
      const shift = match[3] === undefined ? undefined : match[4] !== undefined ? 1 : 0;
      const date = upcomingDayOfMonth(today, day, shift);
      return date === undefined ? undefined : { date };
    },
  );
  spans.each(
    pattern(`${B}(?:(ce|prochain)\\s)?${WEEKDAY}(?:\\s(prochain)${E}|\\s(?:de\\s)?(la\\ssemaine\\sprochaine|cette\\ssemaine)${E})?(?:\\s${PART}${E})?`),
    (match) => {
      const target = WEEKDAYS.indexOf((match[2] ?? '').toLowerCase());
      const next = match[1]?.toLowerCase() === 'prochain' || match[3] !== undefined || /prochaine/i.test(match[4] ?? '');
      const kind = next ? 'next' : match[1] !== undefined || match[4] !== undefined ? 'this' : 'plain';
      const part = partOf(match[5]);
      return { date: weekdayDate(today, target, kind), weekday: true, ...(part !== undefined ? { partOnly: part } : {}) };
    },
  );

  const hourValue = (hour: number, minute: number, part: PartOfDay | undefined): FoundValue | undefined => {
    if (!(hour >= 0 && hour <= 24 && minute >= 0 && minute <= 59)) return undefined;
    if (hour === 24) return minute === 0 ? { time: { hour: 0, minute } } : undefined;
    if (hour === 0 || hour > 12) return { time: { hour, minute } };
    return { time: { hour, minute }, ambiguousHour: true, ...(part !== undefined ? { part } : {}) };
  };
  const FRACTION = '(?:\\s(et\\sdemie|et\\squart|moins\\sle\\squart|moins\\s(?:dix|vingt|cinq|\\d{1,2})))?';
  const fraction = (hour: number, minute: number, word: string | undefined): [number, number] => {
    const lower = (word ?? '').toLowerCase();
    if (lower === '') return [hour, minute];
    if (lower.includes('demie')) return [hour, 30];
    if (lower === 'et quart') return [hour, 15];
    const before = lower.includes('quart') ? 15 : (numberOf(lower.replace('moins ', '')) || 0);
    return before > 0 ? [(hour + 23) % 24, 60 - before] : [hour, minute];
  };
  spans.each(
    pattern(`${B}(\\d{1,2}|${FRENCH_NUMBER})\\s?(?:h|heures?)${E}(?:\\s?(\\d{2}))?${FRACTION}(?:\\s(?:du|de\\sl['’]|dans\\sl['’]|le|ce)\\s?${PART}${E})?`),
    (match) => {
      const [hour, minute] = fraction(numberOf(match[1]), Number(match[2] ?? 0), match[3]);
      return hourValue(hour, minute, partOf(match[4]));
    },
  );
  spans.each(pattern(`${B}(\\d{1,2})h(\\d{2})?${E}`), (match) => hourValue(Number(match[1]), Number(match[2] ?? 0), undefined));
  spans.each(/(?<![\d,.:€$£])\b(\d{1,2}):(\d{2})\b/g, (match) => {
    const [hour, minute] = [Number(match[1]), Number(match[2])];
    // "08:30" is written in 24-hour form on purpose.
    if ((match[1] ?? '').startsWith('0')) return minute <= 59 ? { time: { hour, minute } } : undefined;
    return hourValue(hour, minute, undefined);
  });
  spans.each(pattern(`${B}(midi|minuit)${E}(?:\\s(et\\sdemie|et\\squart))?`), (match) => {
    const hour = /minuit/i.test(match[1] ?? '') ? 0 : 12;
    return { time: { hour, minute: match[2] === undefined ? 0 : /demie/i.test(match[2]) ? 30 : 15 } };
  });
  spans.each(pattern(`${B}(?:le\\s|la\\s|en\\s|au\\s|pour\\s(?:le\\s)?)?${PART}${E}|${B}(d[îi]ner)${E}`), (match) => {
    const part = partOf(match[1] ?? match[2]);
    return part === undefined ? undefined : { partOnly: part };
  });
  if (reference.expecting === 'time') {
    spans.each(/^\s*(?:à\s)?(\d{1,2})(?:[:.](\d{2}))?\s*[.!]?\s*$/giu, (match) => hourValue(Number(match[1]), Number(match[2] ?? 0), undefined));
  }
  spans.found.sort((left, right) => left.start - right.start);
  return resolveMentions(text, spans.found, reference, /^[\s,]*(?:à|a|vers|pour|le|dès|des)?[\s,]*$/iu);
}
