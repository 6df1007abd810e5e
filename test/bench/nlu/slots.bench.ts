/**
 * Slot extraction benchmark on the SNIPS `BookRestaurant` test utterances.
 * Rewrites test/bench/nlu/SLOTS.md.
 *
 *   npx tsx test/bench/nlu/slots.bench.ts
 *
 * The flow's slots are `{ partySize: number (1–100), date: date, time: time }`
 * and each utterance is run through `extractSlots` once with the basic
 * parsers and once with the full ones.
 *
 * How a match is judged:
 * - party size: SNIPS `party_size_number` ↔ `partySize`. The gold value is
 *   the span's text read as a number ("five" → 5). Right when equal.
 * - date/time: SNIPS `timeRange` ↔ `date` + `time`. The gold value is the
 *   span's text alone parsed by the full (chrono-node) parser with the same
 *   fixed clock (Monday 2026-11-23 10:00, America/New_York), or by the basic
 *   parser when chrono reads nothing ("5 A.m"). Right when every
 *   part the span names (date, time) was extracted with that value. Spans the
 *   reference parser cannot read at all ("this spring", "ascension day",
 *   "meal") stay in the recall denominator as misses, and are also reported
 *   apart.
 * - precision: right extractions / utterances where the slot was extracted
 *   (an extraction in an utterance without that gold slot is wrong).
 */
import { writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { basicParsers, extractSlots, loadFullParsers, type SlotParsers, type TemporalReference } from '../../../widget/nlu/index.ts';
import { findNumbers } from '../../../widget/nlu/parsers/number.ts';
import { formatDate, formatTime } from '../../../widget/nlu/zone.ts';
import { loadSnips, type SnipsUtterance } from './data.ts';

const reference: TemporalReference = { now: Date.parse('2026-11-23T15:00:00Z'), timeZone: 'America/New_York', language: 'en-US' };
const slots = { partySize: { type: 'number', min: 1, max: 100 }, date: 'date', time: 'time' } as const;

const fullParsers = await loadFullParsers();
const utterances = loadSnips().test.filter((utterance) => utterance.intent === 'BookRestaurant');

function goldText(utterance: SnipsUtterance, slot: string): string | undefined {
  const value = utterance.slots[slot];
  return Array.isArray(value) ? value[0] : value;
}

interface Counts {
  gold: number;
  extracted: number;
  right: number;
  unreadable: number;
  misses: string[];
  wrong: string[];
}

function evaluate(parsers: SlotParsers): { partySize: Counts; dateTime: Counts } {
  const partySize: Counts = { gold: 0, extracted: 0, right: 0, unreadable: 0, misses: [], wrong: [] };
  const dateTime: Counts = { gold: 0, extracted: 0, right: 0, unreadable: 0, misses: [], wrong: [] };
  for (const utterance of utterances) {
    const found = extractSlots(utterance.text, slots, { ...reference, parsers });

    const sizeText = goldText(utterance, 'party_size_number');
    const goldSize = sizeText === undefined ? undefined : findNumbers(sizeText)[0]?.value;
    if (sizeText !== undefined) partySize.gold++;
    if (found.partySize !== undefined) partySize.extracted++;
    if (goldSize !== undefined && found.partySize === goldSize) partySize.right++;
    else if (sizeText !== undefined) partySize.misses.push(`${utterance.text} — gold "${sizeText}", got ${String(found.partySize)}`);
    else if (found.partySize !== undefined) partySize.wrong.push(`${utterance.text} — got ${String(found.partySize)}`);

    const timeText = goldText(utterance, 'timeRange');
    const extractedAny = found.date !== undefined || found.time !== undefined;
    if (extractedAny) dateTime.extracted++;
    if (timeText === undefined) {
      if (extractedAny) dateTime.wrong.push(`${utterance.text} — got ${String(found.date)} ${String(found.time)}`);
      continue;
    }
    dateTime.gold++;
    const [mention] = fullParsers.findTemporal(timeText, reference).concat(basicParsers.findTemporal(timeText, reference));
    if (mention === undefined) {
      dateTime.unreadable++;
      dateTime.misses.push(`${utterance.text} — gold "${timeText}" (unreadable by the reference parser), got ${String(found.date)} ${String(found.time)}`);
      continue;
    }
    const dateRight = mention.date === undefined || found.date === formatDate(mention.date);
    const timeRight = mention.time === undefined || found.time === formatTime(mention.time);
    if (dateRight && timeRight) dateTime.right++;
    else dateTime.misses.push(`${utterance.text} — gold "${timeText}", got ${String(found.date)} ${String(found.time)}`);
  }
  return { partySize, dateTime };
}

const percent = (numerator: number, denominator: number): string =>
  denominator === 0 ? '–' : `${((100 * numerator) / denominator).toFixed(1)}`;

const lines: string[] = [
  '# Slot extraction on SNIPS BookRestaurant',
  '',
  `Measured ${new Date().toISOString().slice(0, 10)}; rewrite with \`npx tsx test/bench/nlu/slots.bench.ts\`. ${utterances.length} test utterances.`,
  'Matching rules: see the header of `slots.bench.ts` (party size: the gold span read as a number; date/time: the gold',
  '`timeRange` span parsed alone by the full parser (chrono-node; the basic parser when chrono reads nothing) with the fixed',
  'clock Monday 2026-11-23 10:00 America/New_York; every part it names must be extracted with that value; spans neither',
  'parser can read count as misses).',
  '',
  '| parsers | slot | gold spans | extracted | right | precision % | recall % | recall on readable spans % |',
  '|---|---|---|---|---|---|---|---|',
];
const details: string[] = [];
for (const [label, parsers] of [
  ['basic', basicParsers],
  ['full', fullParsers],
] as const) {
  const { partySize, dateTime } = evaluate(parsers);
  lines.push(
    `| ${label} | party size (\`party_size_number\` → number) | ${partySize.gold} | ${partySize.extracted} | ${partySize.right} | ${percent(partySize.right, partySize.extracted)} | ${percent(partySize.right, partySize.gold)} | ${percent(partySize.right, partySize.gold)} |`,
    `| ${label} | date/time (\`timeRange\` → date + time) | ${dateTime.gold} | ${dateTime.extracted} | ${dateTime.right} | ${percent(dateTime.right, dateTime.extracted)} | ${percent(dateTime.right, dateTime.gold)} | ${percent(dateTime.right, dateTime.gold - dateTime.unreadable)} |`,
  );
  details.push(
    '',
    `## Errors with the ${label} parsers`,
    '',
    '**Party size missed or wrong:**',
    ...partySize.misses.map((line) => `- ${line}`),
    '',
    '**Party size extracted where SNIPS has none:**',
    ...partySize.wrong.map((line) => `- ${line}`),
    '',
    '**Date/time missed or wrong:**',
    ...dateTime.misses.map((line) => `- ${line}`),
    '',
    '**Date/time extracted where SNIPS has no timeRange:**',
    ...dateTime.wrong.map((line) => `- ${line}`),
  );
}
const output = [...lines, ...details, ''].join('\n');
process.stdout.write(output);
writeFileSync(resolve(dirname(fileURLToPath(import.meta.url)), 'SLOTS.md'), output);
