/**
 * `npm run bench:parsers-fuzz`: the time each slot parser takes per KB of
 * adversarial and random text, up to the relay's body limit (32 KB).
 * Rewrites test/bench/nlu/FUZZ-RESULTS.md.
 *
 * Inputs (`fuzz-inputs.ts`): each adversarial unit repeated to 4 KB and to
 * 32 KB, and seeded random texts of the same sizes. Each text is parsed
 * once to warm up, then 5 times per parser, and the median kept; the table
 * gives, per parser, the worst median in ms per KB and the input that
 * caused it. The work itself
 * is shown linear by `test/nlu/linear-work.test.ts`, which counts it.
 */
import { writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { basicParsers, loadFullParsers, type SlotParsers, type TemporalReference } from '../../../widget/nlu/index.ts';
import { findEmails } from '../../../widget/nlu/parsers/email.ts';
import { findNames } from '../../../widget/nlu/parsers/name.ts';
import { findNumbers } from '../../../widget/nlu/parsers/number.ts';
import { findFrenchNumbers } from '../../../widget/nlu/parsers/languages/fr-numbers.ts';
import { extractSlots } from '../../../widget/nlu/extract.ts';
import { ADVERSARIAL_UNITS, randomText, seededRandom } from './fuzz-inputs.ts';

const here = dirname(fileURLToPath(import.meta.url));
const full: SlotParsers = await loadFullParsers({ regions: ['GB', 'FR'] });
const english: TemporalReference = { now: Date.parse('2026-11-27T14:00:00Z'), timeZone: 'Europe/London', language: 'en-GB', hours: { from: { hour: 12, minute: 0 }, to: { hour: 22, minute: 0 } } };
const french: TemporalReference = { ...english, language: 'fr-FR' };
const slots = {
  partySize: { type: 'integer', min: 1, max: 50 },
  date: 'date',
  time: { type: 'time', hours: { from: '12:00', to: '22:00' } },
  name: 'name',
  phone: { type: 'phone', region: 'GB' },
} as const;

const parsers: ReadonlyArray<readonly [string, (text: string) => unknown]> = [
  ['dates/times, basic, English', (text) => basicParsers.findTemporal(text, english)],
  ['dates/times, basic, French', (text) => basicParsers.findTemporal(text, french)],
  ['dates/times, full (chrono-node), English', (text) => full.findTemporal(text, english)],
  ['dates/times, full (chrono-node), French', (text) => full.findTemporal(text, french)],
  ['phones, basic', (text) => basicParsers.findPhones(text, 'GB')],
  ['phones, full (libphonenumber-js)', (text) => full.findPhones(text, 'GB')],
  ['numbers, English', (text) => findNumbers(text)],
  ['numbers, French', (text) => findFrenchNumbers(text)],
  ['names', (text) => findNames(text)],
  ['e-mails', (text) => findEmails(text)],
  ['extractSlots, full parsers, every slot', (text) => extractSlots(text, slots, { now: english.now, timeZone: english.timeZone, language: 'en-GB', parsers: full })],
];

const inputs: Array<{ label: string; text: string }> = [];
for (const size of [4 * 1024, 32 * 1024]) {
  for (const unit of ADVERSARIAL_UNITS) inputs.push({ label: `${JSON.stringify(unit)} × ${size / 1024} KB`, text: unit.repeat(Math.ceil(size / unit.length)).slice(0, size) });
  const random = seededRandom(size);
  for (let index = 0; index < 3; index++) inputs.push({ label: `random #${index + 1}, ${size / 1024} KB`, text: randomText(random, size) });
}

function median(values: number[]): number {
  const sorted = [...values].sort((left, right) => left - right);
  return sorted[Math.floor(sorted.length / 2)] as number;
}

const loadBefore = loadavg()[0] ?? 0;
const rows: string[] = [];
let worstOverall = 0;
for (const [name, parse] of parsers) {
  let worst = { perKb: 0, label: '' };
  for (const input of inputs) {
    // One discarded run first: the figure is the steady cost, not the compiler warming up.
    parse(input.text);
    const times: number[] = [];
    for (let run = 0; run < 5; run++) {
      const started = performance.now();
      parse(input.text);
      times.push(performance.now() - started);
    }
    const perKb = median(times) / (input.text.length / 1024);
    if (perKb > worst.perKb) worst = { perKb, label: input.label };
  }
  worstOverall = Math.max(worstOverall, worst.perKb);
  rows.push(`| ${name} | ${worst.perKb.toFixed(3)} | ${worst.label} |`);
  process.stdout.write(`${name}: worst ${worst.perKb.toFixed(3)} ms/KB (${worst.label})\n`);
}

const table = [
  '# Slot parsers on adversarial and random text: time per KB',
  '',
  `Measured ${new Date().toISOString().slice(0, 10)} with \`npm run bench:parsers-fuzz\` (Node ${process.version}, a shared 2-core machine;`,
  `load average ${loadBefore.toFixed(1)} at the start and ${(loadavg()[0] ?? 0).toFixed(1)} at the end: a load above 2 slows every figure by about that factor; medians of 5 runs after a discarded one).`,
  `${ADVERSARIAL_UNITS.length} units repeated to 4 KB and 32 KB (the relay's body limit) plus 3 seeded random texts per size.`,
  'The work is shown linear by `test/nlu/linear-work.test.ts`, which counts characters read instead of timing.',
  '',
  '| parser | worst ms per KB | on |',
  '|---|---|---|',
  ...rows,
  '',
  `Worst of all: ${worstOverall.toFixed(3)} ms per KB.`,
];
writeFileSync(join(here, 'FUZZ-RESULTS.md'), `${table.join('\n')}\n`);
