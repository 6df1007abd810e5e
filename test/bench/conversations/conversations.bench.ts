/**
 * `npm run bench:conversations`: the reservations flow with the local NLU
 * only (no LLM), on
 *
 * 1. realistic transcripts (test/conversations/visitors.yaml and the ones
 *    beside this file): openings, corrections, questions, small talk, typos,
 *    French — turns answered locally, turns answered right, wrong hand-overs
 *    and wrong ends;
 * 2. the opening turns of the SGD restaurant dialogues
 *    (`shared/bench/sgd`, see test/bench/bench-data.ts for where it is
 *    looked for): the share of booking openings (`ReserveRestaurant`)
 *    answered with the booking intent, and the openings of any kind answered
 *    with a hand-over or cancel intent, confidently (taken without asking)
 *    or at all.
 *
 * Writes test/bench/conversations/RESULTS.md.
 */
import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { dirname, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse as parseYaml } from 'yaml';
import { loadFlowOrThrow } from '../../../flows/load.ts';
import type { Transcript } from '../../../widget/engine/conversation-test.ts';
import { createLocalUnderstanding } from '../../../widget/local-understanding.ts';
import { loadFullParsers } from '../../../widget/nlu/index.ts';
import { answerOpenings, readSgdOpenings, type OpeningAnswer } from './sgd-openings.ts';
import { runTurns, type TurnOutcome } from './transcripts.ts';

const here = dirname(fileURLToPath(import.meta.url));
const root = resolve(here, '../../..');
const flowPath = resolve(root, 'flows/reservations.flow.json');
const flow = loadFlowOrThrow(JSON.parse(readFileSync(flowPath, 'utf8')));
const parsers = await loadFullParsers();
const understand = createLocalUnderstanding(flow, { parsers });

const transcriptFiles = [resolve(root, 'test/conversations/visitors.yaml'), ...readdirSync(here).filter((name) => name.endsWith('.yaml')).sort().map((name) => resolve(here, name))];
const turns: (TurnOutcome & { file: string })[] = [];
for (const file of transcriptFiles) {
  const transcript = parseYaml(readFileSync(file, 'utf8')) as Transcript;
  const transcriptFlow = resolve(dirname(file), transcript.flow);
  if (transcriptFlow !== flowPath) throw new Error(`${file}: the conversation benchmark runs the reservations flow`);
  for (const conversation of transcript.conversations) {
    const defaults = { ...(transcript.now ? { now: transcript.now } : {}), ...(transcript.tools ? { tools: transcript.tools } : {}) };
    for (const outcome of runTurns(flow, conversation, defaults, understand)) turns.push({ ...outcome, file: relative(root, file) });
  }
}

const sgdNow = Date.parse('2019-03-01T12:00:00Z');
const answers = answerOpenings(flow, understand, readSgdOpenings(), sgdNow);
const endingIntents = Object.keys(flow.confirmations);
const confirmBar = (intent: string): number => flow.confirmations[intent]?.above ?? 0.9;
const booking = answers.filter((answer) => answer.opening.activeIntent === 'ReserveRestaurant');
const bookingAtStart = booking.filter((answer) => answer.opening.isDialogueStart);
const finding = answers.filter((answer) => answer.opening.activeIntent !== 'ReserveRestaurant');
const isBook = (answer: OpeningAnswer): boolean => answer.intent === 'BOOK';
const ending = answers.filter((answer) => answer.intent !== null && endingIntents.includes(answer.intent));
const confidentEnding = ending.filter((answer) => answer.confidence >= confirmBar(answer.intent as string));

const count = (predicate: (turn: TurnOutcome) => boolean): number => turns.filter(predicate).length;
const percent = (part: number, whole: number): string => (whole === 0 ? '—' : `${((100 * part) / whole).toFixed(1)} %`);
const summary = {
  turns: turns.length,
  answeredLocally: count((turn) => turn.answeredLocally),
  right: count((turn) => turn.right),
  wrongHandoffs: count((turn) => turn.wrongHandoff),
  wrongEnds: count((turn) => turn.wrongEnd),
};

const lines: string[] = [];
lines.push('# Conversations with the local NLU only');
lines.push('');
lines.push(`Measured ${new Date().toISOString().slice(0, 10)} on Node ${process.versions.node}; rewrite with \`npm run bench:conversations\`.`);
lines.push('Flow: `flows/reservations.flow.json`; NLU: `createLocalUnderstanding` with the full slot parsers, no LLM.');
lines.push('');
lines.push('## Transcripts');
lines.push('');
lines.push(`Files: ${transcriptFiles.map((file) => `\`${relative(root, file)}\``).join(', ')}. A turn is *answered locally* when the local NLU gave an intent or a slot value (or it was a quick reply), *right* when every expectation before the next turn held; a hand-over or an end is *wrong* when the transcript did not expect one at that turn.`);
lines.push('');
lines.push('| file | turns | answered locally | right | wrong hand-overs | wrong ends |');
lines.push('|---|---|---|---|---|---|');
for (const file of [...new Set(turns.map((turn) => turn.file))]) {
  const mine = turns.filter((turn) => turn.file === file);
  const of = (predicate: (turn: TurnOutcome) => boolean): number => mine.filter(predicate).length;
  lines.push(`| \`${file}\` | ${mine.length} | ${of((turn) => turn.answeredLocally)} | ${of((turn) => turn.right)} | ${of((turn) => turn.wrongHandoff)} | ${of((turn) => turn.wrongEnd)} |`);
}
lines.push(`| **all** | ${summary.turns} | ${summary.answeredLocally} (${percent(summary.answeredLocally, summary.turns)}) | ${summary.right} (${percent(summary.right, summary.turns)}) | ${summary.wrongHandoffs} | ${summary.wrongEnds} |`);
const misses = turns.filter((turn) => !turn.right || turn.wrongHandoff || turn.wrongEnd);
if (misses.length > 0) {
  lines.push('');
  lines.push('Turns not right:');
  lines.push('');
  for (const turn of misses) lines.push(`* ${turn.file} · ${turn.conversation}: "${turn.text}"${turn.wrongHandoff ? ' — wrong hand-over' : ''}${turn.wrongEnd ? ' — wrong end' : ''}`);
}
lines.push('');
lines.push('## SGD restaurant openings (train split)');
lines.push('');
lines.push('The opening turn of each restaurant task, sent as the first message of the reservations flow (clock: Friday 2019-03-01, as SGD reads dates). The dev and test splits are held out.');
lines.push('');
lines.push('| openings | count | answered BOOK | answered with a hand-over/cancel intent | of which confidently (taken without asking) |');
lines.push('|---|---|---|---|---|');
const row = (label: string, list: OpeningAnswer[]): string => {
  const endings = list.filter((answer) => answer.intent !== null && endingIntents.includes(answer.intent));
  const confident = endings.filter((answer) => answer.confidence >= confirmBar(answer.intent as string));
  return `| ${label} | ${list.length} | ${list.filter(isBook).length} (${percent(list.filter(isBook).length, list.length)}) | ${endings.length} | ${confident.length} |`;
};
lines.push(row('booking (`ReserveRestaurant`)', booking));
lines.push(row('booking, first turn of the dialogue', bookingAtStart));
lines.push(row('looking for a place (`FindRestaurants`)', finding));
lines.push(row('all', answers));
lines.push('');
const intentCounts = new Map<string, number>();
for (const answer of answers) intentCounts.set(String(answer.intent), (intentCounts.get(String(answer.intent)) ?? 0) + 1);
lines.push(`Every opening's answer: ${[...intentCounts.entries()].sort((left, right) => right[1] - left[1]).map(([intent, total]) => `${intent === 'null' ? 'not understood' : intent} ${total}`).join(', ')}.`);
const bookingMisses = booking.filter((answer) => !isBook(answer));
if (bookingMisses.length > 0) {
  lines.push('');
  lines.push('Booking openings not answered BOOK:');
  lines.push('');
  for (const answer of bookingMisses) lines.push(`* "${answer.opening.text}" → ${answer.intent ?? 'not understood'} (${answer.confidence.toFixed(2)})`);
}
if (ending.length > 0) {
  lines.push('');
  lines.push('Openings answered with a hand-over or cancel intent:');
  lines.push('');
  for (const answer of ending) lines.push(`* "${answer.opening.text}" → ${answer.intent} (${answer.confidence.toFixed(2)})`);
}
lines.push('');
writeFileSync(resolve(here, 'RESULTS.md'), lines.join('\n'));

console.log(`transcripts: ${summary.turns} turns, ${summary.answeredLocally} answered locally (${percent(summary.answeredLocally, summary.turns)}), ${summary.right} right (${percent(summary.right, summary.turns)}), ${summary.wrongHandoffs} wrong hand-overs, ${summary.wrongEnds} wrong ends`);
console.log(`SGD openings: booking → BOOK ${booking.filter(isBook).length}/${booking.length} (${percent(booking.filter(isBook).length, booking.length)}); hand-over/cancel answers on any opening: ${ending.length} (${confidentEnding.length} confident)`);
console.log('written test/bench/conversations/RESULTS.md');
