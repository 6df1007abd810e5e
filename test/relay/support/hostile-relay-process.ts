/** The relay as deployed (example flows, demo tools), in its own process, for the hostile request suite. */
import { createHistogram, type RecordableHistogram } from 'node:perf_hooks';
import { createInterface } from 'node:readline';
import { closeOnSignals, startRelayServer } from '../../../relay/server.ts';

// How long the event loop was held up: what one request can make every other one wait. The
// test says on stdin which round of load it sends now ("ordinary 3", "hostile 3", or "idle");
// a timer that should fire every 5 ms records how late it fires into that round's histogram
// (microseconds). (monitorEventLoopDelay cannot be switched between histograms: one disabled
// and enabled again counts the time it was off as one long delay.)
const rounds = new Map<string, RecordableHistogram>();
let measuring: RecordableHistogram | null = null;
const TICK_MS = 5;
let expected = performance.now() + TICK_MS;
const ticker = setInterval(() => {
  const now = performance.now();
  measuring?.record(Math.max(1, Math.round((now - expected) * 1000)));
  expected = now + TICK_MS;
}, TICK_MS);
createInterface({ input: process.stdin }).on('line', (line) => {
  const round = line.trim();
  measuring = null;
  if (!/^(ordinary|hostile) \d+$/.test(round)) return;
  measuring = rounds.get(round) ?? createHistogram();
  rounds.set(round, measuring);
});

const repositoryRoot = new URL('../../../', import.meta.url).pathname;
const errors: string[] = [];
const running = await startRelayServer({
  flowsDir: `${repositoryRoot}flows`,
  toolsModule: `${repositoryRoot}relay/demo-tools.ts`,
  port: 0,
  logger: {
    info: () => undefined,
    warn: () => undefined,
    error: (fields) => errors.push(JSON.stringify(fields)),
  },
  headersTimeoutMs: 1000,
  requestTimeoutMs: 2000,
  relay: { rateLimits: { perIp: false, perSession: false } },
});
process.stdout.write(`LISTENING ${running.port}\n`);
await closeOnSignals(running);
clearInterval(ticker);
const summary = Object.fromEntries(
  [...rounds].map(([round, histogram]) => [round, { p99: histogram.percentile(99) / 1000, max: histogram.max / 1000, samples: histogram.count }]),
);
process.stdout.write(`LOOP DELAY ${JSON.stringify(summary)}\n`);
process.stdout.write(`ERROR LINES ${JSON.stringify(errors)}\n`);
process.exit(0);
