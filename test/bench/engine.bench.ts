/**
 * Engine benchmark: step throughput and the time to replay a 1,000-event
 * journal, next to a baseline measured in the same run (one structuredClone
 * of the snapshot per event: the least any immutable step could cost).
 *
 *   npm run bench:engine        → prints and rewrites test/bench/ENGINE-RESULTS.md
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { fileURLToPath } from 'node:url';
import { loadFlowOrThrow, type Flow } from '../../flows/index.ts';
import { initialSnapshot, replay, step, type EngineEvent, type JournalEntry } from '../../widget/engine/index.ts';

const flow = loadFlowOrThrow(JSON.parse(readFileSync(fileURLToPath(new URL('../../flows/reservations.flow.json', import.meta.url)), 'utf8')) as Flow);

/** A journal of real booking conversations, back to back, until it holds `size` events. */
function bookingJournal(size: number): JournalEntry[] {
  const journal: JournalEntry[] = [];
  let now = Date.parse('2026-11-23T10:00:00Z');
  let snapshot = initialSnapshot(flow);
  const apply = (event: EngineEvent): ReturnType<typeof step> => {
    now += 1500;
    journal.push({ event, env: { now } });
    const result = step(flow, snapshot, event, { now });
    snapshot = result.snapshot;
    return result;
  };
  const answer = (text: string, intent: string | null, slots: Record<string, string | number>): void => {
    const effects = apply({ type: 'user.text', text }).effects;
    const classify = effects.find((effect) => effect.type === 'classify');
    if (classify) apply({ type: 'nlu.result', requestId: classify.requestId, intent, confidence: 0.9, slots });
  };
  const tool = (result: { [key: string]: string | boolean }): void => {
    if (snapshot.pending?.kind === 'tool') apply({ type: 'tool.result', callId: snapshot.pending.callId, result });
  };
  apply({ type: 'session.start', sessionId: 'bench' });
  while (journal.length < size) {
    answer('I want to make a reservation', 'BOOK', {});
    answer('We are 4 people', 'PROVIDE_PARTY_SIZE', { partySize: 4 });
    answer('what can you do', 'HELP', {});
    answer('Tomorrow at 7pm', 'PROVIDE_DATETIME', { date: '2026-11-24', time: '19:00' });
    tool({ ok: true });
    answer('My name is John Doe, phone 555-1234', 'PROVIDE_CONTACT', { name: 'John Doe', phone: '555-1234' });
    apply({ type: 'user.choice', value: 'Yes, book it' });
    tool({ bookingId: 'CS-1' });
    apply({ type: 'session.reset' });
  }
  return journal.slice(0, size);
}

function median(values: number[]): number {
  const sorted = values.slice().sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? (sorted[middle] as number) : ((sorted[middle - 1] as number) + (sorted[middle] as number)) / 2;
}

function time(run: () => void, rounds: number): number[] {
  const samples: number[] = [];
  for (let round = 0; round < rounds; round += 1) {
    const start = performance.now();
    run();
    samples.push(performance.now() - start);
  }
  return samples;
}

const journal = bookingJournal(1000);
const live = replay(flow, journal);
const stepsPerRound = journal.length;

for (let warm = 0; warm < 50; warm += 1) replay(flow, journal);
const replaySamples = time(() => replay(flow, journal), 200);
const cloneSamples = time(() => {
  let copy = live;
  for (let index = 0; index < stepsPerRound; index += 1) copy = structuredClone(copy);
}, 200);

const replayMedian = median(replaySamples);
const cloneMedian = median(cloneSamples);
const p95 = replaySamples.slice().sort((a, b) => a - b)[Math.floor(replaySamples.length * 0.95)] as number;
const stepsPerSecond = Math.round(stepsPerRound / (replayMedian / 1000));
const target = 5;

const report = `# Engine benchmark

Command: \`npm run bench:engine\` (\`tsx test/bench/engine.bench.ts\`), Node ${process.version}, ${cpus()[0]?.model ?? 'unknown CPU'} × ${cpus().length}.
Journal: ${journal.length} events of real booking conversations on \`flows/reservations.flow.json\` (text, NLU results, tool results, quick replies, a help digression, resets); 200 timed rounds after 50 warm-up rounds.

| measure | median | p95 |
|---|---|---|
| replay of the ${journal.length}-event journal | ${replayMedian.toFixed(2)} ms | ${p95.toFixed(2)} ms |
| baseline: ${journal.length} × structuredClone(snapshot) | ${cloneMedian.toFixed(2)} ms | — |

* Step throughput: **${stepsPerSecond.toLocaleString('en-US')} steps/s** (one core).
* Replay against the baseline: ${(replayMedian / cloneMedian).toFixed(2)}× the time of one structured clone per event.
* Target: replay ≤ ${target} ms median — **${replayMedian <= target ? 'met' : 'missed'}**.
`;

writeFileSync(fileURLToPath(new URL('./ENGINE-RESULTS.md', import.meta.url)), report);
process.stdout.write(report);
