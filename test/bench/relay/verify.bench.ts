/**
 * What conversation-bound tool calls cost: the relay's replay of the
 * visitor's journal per tool call, for journals of 20, 200 and 2,000 events,
 * with and without a checkpoint, against the same tool call with
 * verification off, in the same run (in process, `handler(request)`, so the
 * difference is the relay's own work: reading the larger body, the replay,
 * the local classifications computed again, the checkpoint's digest).
 *
 *   npm run bench:relay-verify     # writes test/bench/relay/VERIFY-RESULTS.md
 *
 * A journal is a real conversation of the test restaurant flow: the visitor
 * asks things the local classifier answers (unsigned: the relay classifies
 * them again), in rounds of user text, classification, answer; the last
 * event calls the tool. "With a checkpoint": the relay vouched for all but
 * the last event, as after an earlier tool call.
 */
import { writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createRelay, type RelayHandler } from '../../../relay/index.ts';
import { issueCheckpoint, snapshotDigest } from '../../../relay/proof/checkpoint.ts';
import { Signer } from '../../../relay/proof/signer.ts';
import { createLocalUnderstanding } from '../../../widget/local-understanding.ts';
import { restaurantFlow } from '../../relay/fixtures.ts';
import { Visitor, type CallEffect } from '../../relay/support/visitor.ts';

const here = dirname(fileURLToPath(import.meta.url));
const SECRET = 'bench-secret-0123456789-abcdefghijklmnop';
const NOW = Date.parse('2026-11-23T15:00:00Z');
const SIZES = [20, 200, 2000];
const ITERATIONS: Record<number, number> = { 20: 300, 200: 150, 2000: 30 };
const TEXTS = ['what are your opening hours', 'when are you open', 'I need help', 'what time do you close', 'zebra quantum marmalade'];

const silent = { info: () => undefined, warn: () => undefined, error: () => undefined };
function relay(verify: boolean): RelayHandler {
  return createRelay({
    flows: [restaurantFlow()],
    tools: { CheckAvailability: { domain: 'reservations', handler: () => ({ ok: true }) } },
    secrets: [SECRET],
    verifyConversations: verify,
    logger: silent,
    now: () => NOW,
    rateLimits: { perIp: false, perSession: false },
  });
}

/**
 * A conversation of about `events` journal entries, ending with the tool
 * call; with `signer`, the relay's checkpoint just before the call, as an
 * earlier verified call would have returned it.
 */
function conversation(events: number, sessionId: string, signer?: Signer): { visitor: Visitor; call: CallEffect } {
  const visitor = new Visitor(restaurantFlow(), sessionId, NOW - 10 * 60 * 60_000);
  const understand = createLocalUnderstanding(visitor.flow);
  let turn = 0;
  while (visitor.snapshot.seq < events - 1) {
    const text = TEXTS[turn++ % TEXTS.length] as string;
    const effects = visitor.send({ type: 'user.text', text });
    const asked = effects.find((effect) => effect.type === 'classify');
    if (asked?.type === 'classify') visitor.send({ type: 'nlu.result', requestId: asked.requestId, ...understand(asked, visitor.now) });
  }
  if (signer) {
    const snapshot = visitor.snapshot;
    const claim = { flowId: visitor.flow.id, flowVersion: visitor.flow.version, sessionId, seq: snapshot.seq, digest: snapshotDigest(snapshot), at: visitor.now };
    visitor.checkpoint = { token: issueCheckpoint(signer, claim), snapshot };
  }
  return { visitor, call: visitor.trigger('CheckAvailability', { date: '2026-12-24', time: '19:30', partySize: 4 }) };
}

function percentile(sorted: number[], fraction: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * fraction))] ?? 0;
}

/**
 * Times two kinds of call, alternating call by call so a busy moment on a
 * shared machine hits both alike. Requests are built just before their call,
 * outside the timing, so no pile of prepared bodies sits in the heap.
 */
async function measurePair(baseline: { handler: RelayHandler; request: (index: number) => Request }, measured: { handler: RelayHandler; request: (index: number) => Request }, count: number): Promise<[number[], number[]]> {
  const times: [number[], number[]] = [[], []];
  for (let index = 0; index < count; index++) {
    for (const [position, kind] of [baseline, measured].entries()) {
      const request = kind.request(index);
      const started = performance.now();
      const response = await kind.handler(request);
      await response.arrayBuffer();
      times[position]?.push(performance.now() - started);
      if (response.status !== 200) throw new Error(`bench call answered ${response.status}: ${await response.text()}`);
    }
  }
  return [times[0].sort((left, right) => left - right), times[1].sort((left, right) => left - right)];
}

const signer = new Signer([SECRET]);
const verified = relay(true);
const unverified = relay(false);
const rows: string[] = [];
// The first call loads the full slot parsers: not a per-call cost.
{
  const warm = conversation(SIZES[0] ?? 20, 'bench-warm-up');
  await verified(warm.visitor.request(warm.call));
}
for (const size of SIZES) {
  const iterations = ITERATIONS[size] ?? 50;
  // Fresh sessions per call, so every call runs (no idempotent replay); conversations built before timing.
  const sessions = Array.from({ length: iterations }, (_, index) => conversation(size, `bench-${size}-${index}`));
  const entries = sessions[0]?.visitor.journal.length ?? 0;
  const fromCheckpoints = Array.from({ length: iterations }, (_, index) => checkpointed(size, index));
  // Each verified kind against calls without verification in its own pass: the whole journal's garbage
  // (megabytes per call at 2,000 events) is not collected during the calls after a checkpoint.
  const [plainBeforeCheckpoint, fromCheckpoint] = await measurePair(
    // Without verification a call sends no journal.
    { handler: unverified, request: (index) => requestOf(sessions[index], { proof: undefined }) },
    { handler: verified, request: (index) => requestOf(fromCheckpoints[index]) },
    iterations,
  );
  const [plainBeforeWhole, whole] = await measurePair(
    // A key of its own: the same one again would be answered from the idempotency store.
    { handler: unverified, request: (index) => requestOf(sessions[index], { proof: undefined }, 'again') },
    { handler: verified, request: (index) => requestOf(sessions[index]) },
    iterations,
  );
  for (const [label, times, baseline] of [
    ['no verification', plainBeforeCheckpoint, null],
    ['verified, since a checkpoint', fromCheckpoint, plainBeforeCheckpoint],
    ['no verification', plainBeforeWhole, null],
    ['verified, whole journal', whole, plainBeforeWhole],
  ] as const) {
    const p50 = percentile(times, 0.5);
    const p99 = percentile(times, 0.99);
    const signed = (value: number) => `${value < 0 ? '−' : '+'}${Math.abs(value).toFixed(3)}`;
    const added = baseline === null ? '—' : signed(p50 - percentile(baseline, 0.5));
    const addedP99 = baseline === null ? '—' : signed(p99 - percentile(baseline, 0.99));
    rows.push(`| ${entries} | ${label} | ${p50.toFixed(3)} | ${p99.toFixed(3)} | ${added} | ${addedP99} |`);
  }
}

function requestOf(session: { visitor: Visitor; call: CallEffect } | undefined, overrides: Record<string, unknown> = {}, keySuffix = ''): Request {
  if (!session) throw new Error('no such session');
  return session.visitor.request(session.call, overrides, `${session.call.idempotencyKey}${keySuffix}`);
}

/** A session whose relay checkpoint covers all but the call's own event; only that much of it is kept. */
function checkpointed(size: number, index: number): { visitor: Visitor; call: CallEffect } {
  const session = conversation(size, `bench-${size}-${index}-cp`, signer);
  const after = session.visitor.checkpoint?.snapshot.seq ?? 0;
  session.visitor.journal.splice(0, session.visitor.journal.findIndex((entry) => entry.seq > after));
  return session;
}

const lines = [
  '# Conversation-bound tool calls: what verification costs',
  '',
  'Command: `npm run bench:relay-verify` (`test/bench/relay/verify.bench.ts`). In process: `handler(request)` per tool call,',
  'one call at a time; every call a new session (no idempotent replay). Times in milliseconds; "added" is the',
  'percentile minus the same percentile of the call without verification, alternated call by call with it in the',
  'same pass (one pass for calls since a checkpoint, another for whole journals).',
  '',
  `Machine: ${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, load average ${loadavg().map((value) => value.toFixed(1)).join(' / ')} at the end (shared by other jobs), Node ${process.version}.`,
  '',
  '| journal events | call | p50 | p99 | added p50 | added p99 |',
  '|---:|---|---:|---:|---:|---:|',
  ...rows,
  '',
  'A journal of n events holds about n/3 visitor messages classified in the browser, which the relay classifies',
  'again; "since a checkpoint" sends the checkpoint, its snapshot and the one event after it.',
  '',
];
writeFileSync(join(here, 'VERIFY-RESULTS.md'), lines.join('\n'));
process.stdout.write(`${lines.join('\n')}\n`);
