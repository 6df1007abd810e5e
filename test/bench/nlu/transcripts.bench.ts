/**
 * The local classifier on the example flows' own transcripts: every scripted
 * user turn is also put to `createLocalUnderstanding` (the scripted answer
 * still drives the run), and the answer is compared with the scripted intent.
 * Writes test/bench/nlu/TRANSCRIPTS.md.
 *
 *   npx tsx test/bench/nlu/transcripts.bench.ts
 *
 * Ground truth: a turn with `intent: X` should be answered X; a turn with
 * `intent: null` should not be understood. Turns that script only `slots`
 * (answers to a slot question) and unscripted turns carry no intent truth
 * and are counted apart.
 */
import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { dirname, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse as parseYaml } from 'yaml';
import { loadFlow } from '../../../flows/load.ts';
import { runConversation, type Transcript } from '../../../widget/engine/conversation-test.ts';
import { createLocalUnderstanding } from '../../../widget/local-understanding.ts';
import { loadFullParsers } from '../../../widget/nlu/index.ts';

const here = dirname(fileURLToPath(import.meta.url));
const root = resolve(here, '../../..');
const directory = resolve(root, 'test/conversations');
const parsers = await loadFullParsers();

interface Tally {
  scripted: number;
  answered: number;
  right: number;
  slotOnly: number;
  slotOnlyAnswered: number;
  unscripted: number;
  wrong: string[];
  unanswered: string[];
}

const byFlow = new Map<string, Tally>();
for (const file of readdirSync(directory).filter((name) => name.endsWith('.yaml')).sort()) {
  const path = resolve(directory, file);
  const transcript = parseYaml(readFileSync(path, 'utf8')) as Transcript;
  const flowPath = resolve(dirname(path), transcript.flow);
  const loaded = loadFlow(readFileSync(flowPath, 'utf8'));
  if (!loaded.ok) throw new Error(`${flowPath}: the flow does not load`);
  const flow = loaded.flow;
  const understand = createLocalUnderstanding(flow, { parsers });
  const flowName = relative(root, flowPath);
  const tally = byFlow.get(flowName) ?? { scripted: 0, answered: 0, right: 0, slotOnly: 0, slotOnlyAnswered: 0, unscripted: 0, wrong: [], unanswered: [] };
  byFlow.set(flowName, tally);
  for (const conversation of transcript.conversations) {
    const result = runConversation(flow, conversation, { ...(transcript.now ? { now: transcript.now } : {}), ...(transcript.tools ? { tools: transcript.tools } : {}) }, { understand, evaluate: true });
    tally.unscripted += result.unscriptedTurns;
    // Evaluations come in the order of the scripted user turns that reached the classifier; match them by text.
    const turns = conversation.steps.filter((step) => step.user !== undefined && (step.intent !== undefined || step.slots !== undefined));
    let cursor = 0;
    for (const evaluation of result.evaluations) {
      while (cursor < turns.length && turns[cursor]?.user !== evaluation.text) cursor++;
      const turn = turns[cursor];
      cursor++;
      const answered = evaluation.predicted !== null;
      const where = `${file} · ${conversation.name}: "${evaluation.text}"`;
      const said = `${evaluation.predicted ?? 'no intent'} (${evaluation.confidence.toFixed(2)}, threshold ${evaluation.threshold})`;
      if (turn === undefined || turn.intent === undefined) {
        tally.slotOnly++;
        if (answered) tally.slotOnlyAnswered++;
        continue;
      }
      tally.scripted++;
      if (!answered) {
        tally.unanswered.push(`${where} — scripted ${turn.intent ?? 'null'}, local ${said}`);
        if (turn.intent === null) tally.right++;
        continue;
      }
      tally.answered++;
      if (evaluation.predicted === turn.intent) tally.right++;
      else tally.wrong.push(`${where} — scripted ${turn.intent ?? 'null'}, local ${said}`);
    }
  }
}

const lines: string[] = [];
const write = (line = ''): void => {
  lines.push(line);
  process.stdout.write(`${line}\n`);
};
const percent = (part: number, whole: number): string => (whole === 0 ? '–' : `${((100 * part) / whole).toFixed(0)}%`);
write('# The local classifier on the example transcripts');
write();
write(`Measured ${new Date().toISOString().slice(0, 10)}; rewrite with \`npx tsx test/bench/nlu/transcripts.bench.ts\`. Every`);
write('user turn of `test/conversations/*.yaml` that scripts an intent is also put to the local classifier and slot');
write('parsers (`createLocalUnderstanding` with the full parsers, the state\'s allowed intents and the flow\'s threshold);');
write('the scripted answer still drives the run. "Answered" = the local top intent is at or above the flow\'s threshold,');
write('so the turn would cost no LLM call. A scripted `intent: null` is right when the local NLU does not answer.');
write();
write('| flow | turns with a scripted intent | answered locally | of those right | slot-only turns (answered) | unscripted turns |');
write('|---|---|---|---|---|---|');
const total: Tally = { scripted: 0, answered: 0, right: 0, slotOnly: 0, slotOnlyAnswered: 0, unscripted: 0, wrong: [], unanswered: [] };
for (const [flowName, tally] of byFlow) {
  const answeredRight = tally.right - tally.unanswered.filter((line) => line.includes('scripted null')).length;
  write(`| ${flowName} | ${tally.scripted} | ${tally.answered} (${percent(tally.answered, tally.scripted)}) | ${answeredRight} / ${tally.answered} (${percent(answeredRight, tally.answered)}) | ${tally.slotOnly} (${tally.slotOnlyAnswered}) | ${tally.unscripted} |`);
  total.scripted += tally.scripted;
  total.answered += tally.answered;
  total.right += answeredRight;
  total.slotOnly += tally.slotOnly;
  total.slotOnlyAnswered += tally.slotOnlyAnswered;
  total.unscripted += tally.unscripted;
  total.wrong.push(...tally.wrong);
  total.unanswered.push(...tally.unanswered);
}
write(`| all | ${total.scripted} | ${total.answered} (${percent(total.answered, total.scripted)}) | ${total.right} / ${total.answered} (${percent(total.right, total.answered)}) | ${total.slotOnly} (${total.slotOnlyAnswered}) | ${total.unscripted} |`);
write();
write('Answered locally but wrong:');
write();
for (const line of total.wrong.length > 0 ? total.wrong : ['none']) write(`- ${line}`);
write();
write('Not answered locally (would go to the LLM; a scripted null here is right):');
write();
for (const line of total.unanswered.length > 0 ? total.unanswered : ['none']) write(`- ${line}`);

const outputPath = resolve(here, 'TRANSCRIPTS.md');
const notesMarker = '<!-- notes: kept across runs -->';
let notes = '';
try {
  const previous = readFileSync(outputPath, 'utf8');
  const at = previous.indexOf(notesMarker);
  if (at >= 0) notes = previous.slice(at);
} catch {
  notes = '';
}
writeFileSync(outputPath, `${lines.join('\n')}\n\n${notes || `${notesMarker}\n`}`);
