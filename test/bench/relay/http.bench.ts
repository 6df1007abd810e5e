/**
 * HTTP benchmark of the relay on loopback, against a bare node:http server
 * answering the same JSON, in the same run.
 *
 *   npx tsx test/bench/relay/http.bench.ts     # writes test/bench/relay/HTTP-RESULTS.md
 *
 * Each server runs in its own process; this process is the load generator:
 * CONNECTIONS keep-alive clients, each sending its next request when the last
 * one answered, for a fixed duration. Only 127.0.0.1, bounded loops.
 *
 *   BENCH_ROWS=latency npx tsx test/bench/relay/http.bench.ts   # the one-connection rows only; prints, writes nothing
 *   BENCH_RELAY_CPU_PROF=/tmp/prof …                             # also writes a CPU profile of the relay process there
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { Agent, request as httpRequest } from 'node:http';
import { cpus, loadavg } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const DURATION_MS = Number(process.env.BENCH_DURATION_MS ?? 5000);
const WARMUP_MS = 1000;
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 32);
const LATENCY_DURATION_MS = Number(process.env.BENCH_LATENCY_DURATION_MS ?? 12000);
const CPU_REQUESTS = Number(process.env.BENCH_CPU_REQUESTS ?? 4000);
const THROUGHPUT_SLICES = 5;
const LATENCY_BLOCKS = 3;
// `latency` runs only the one-connection rows (quicker, when working on the LLM path).
const ROWS = process.env.BENCH_ROWS ?? 'all';

interface Target {
  port: number;
  path: string;
  body: () => string;
  headers?: () => Record<string, string>;
}

interface Measurement {
  requests: number;
  errors: number;
  requestsPerSecond: number;
  p50: number;
  p99: number;
}

function startServer(mode: string, env: Record<string, string> = {}): Promise<{ child: ChildProcess; port: number }> {
  const profile = mode === 'relay' && process.env.BENCH_RELAY_CPU_PROF ? ['--cpu-prof', '--cpu-prof-interval', '50', '--cpu-prof-dir', process.env.BENCH_RELAY_CPU_PROF] : [];
  const child = spawn(process.execPath, [...profile, '--import', 'tsx', join(here, 'bench-server.ts'), mode], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  return new Promise((resolve, reject) => {
    let seen = '';
    child.stdout?.on('data', (chunk: Buffer) => {
      seen += chunk.toString();
      const match = /PORT (\d+)/.exec(seen);
      if (match) resolve({ child, port: Number(match[1]) });
    });
    child.once('exit', (code) => reject(new Error(`${mode} server exited with ${code}`)));
  });
}

function send(agent: Agent, target: Target): Promise<number> {
  const body = target.body();
  return new Promise((resolve, reject) => {
    const outgoing = httpRequest(
      {
        host: '127.0.0.1',
        port: target.port,
        path: target.path,
        method: 'POST',
        agent,
        headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body), ...target.headers?.() },
      },
      (response) => {
        response.resume();
        response.on('end', () => resolve(response.statusCode ?? 0));
        response.on('error', reject);
      },
    );
    outgoing.on('error', reject);
    outgoing.end(body);
  });
}

function percentile(sorted: number[], fraction: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor(fraction * sorted.length))] ?? Number.NaN;
}

interface Slice {
  latencies: number[];
  errors: number;
  seconds: number;
}

/** CONNECTIONS clients, each sending its next request when its last one answered, for `durationMs` after `warmupMs`. */
async function loadSlice(target: Target, connections: number, durationMs: number, warmupMs: number): Promise<Slice> {
  const agent = new Agent({ keepAlive: true, maxSockets: connections });
  const warmupEnds = performance.now() + warmupMs;
  const latencies: number[] = [];
  let errors = 0;
  let measureStarted = Number.POSITIVE_INFINITY;
  const ends = warmupEnds + durationMs;
  const client = async () => {
    while (performance.now() < ends) {
      const started = performance.now();
      let status = 0;
      try {
        status = await send(agent, target);
      } catch {
        status = 0;
      }
      const finished = performance.now();
      if (started >= warmupEnds) {
        measureStarted = Math.min(measureStarted, started);
        if (status !== 200) errors++;
        latencies.push(finished - started);
      }
    }
  };
  await Promise.all(Array.from({ length: connections }, client));
  agent.destroy();
  return { latencies, errors, seconds: (ends - Math.min(measureStarted, ends)) / 1000 };
}

function summarise(slices: readonly Slice[]): Measurement {
  const latencies = slices.flatMap((slice) => slice.latencies).sort((left, right) => left - right);
  const seconds = slices.reduce((total, slice) => total + slice.seconds, 0);
  return {
    requests: latencies.length,
    errors: slices.reduce((total, slice) => total + slice.errors, 0),
    requestsPerSecond: latencies.length / seconds,
    p50: percentile(latencies, 0.5),
    p99: percentile(latencies, 0.99),
  };
}

/**
 * Throughput of each target, taking turns in THROUGHPUT_SLICES slices of
 * DURATION_MS / THROUGHPUT_SLICES each (after a warm-up of each), so that a
 * burst of other work on the machine falls on all of them rather than on
 * whichever happened to run then.
 */
async function throughput(targets: readonly Target[]): Promise<Measurement[]> {
  const slices: Slice[][] = targets.map(() => []);
  for (const target of targets) await loadSlice(target, CONNECTIONS, 0, WARMUP_MS);
  for (let round = 0; round < THROUGHPUT_SLICES; round++) {
    for (const [index, target] of targets.entries()) slices[index]?.push(await loadSlice(target, CONNECTIONS, DURATION_MS / THROUGHPUT_SLICES, 100));
  }
  return slices.map(summarise);
}

/**
 * One client, one keep-alive agent, the targets in turn: each round sends one
 * request to each target, so every target sees the same moments of a noisy
 * machine. Returns each target's latencies, round by round.
 */
async function interleaved(targets: readonly Target[], durationMs: number) {
  const agent = new Agent({ keepAlive: true, maxSockets: 1 });
  const samples: number[][] = targets.map(() => []);
  const errors = targets.map(() => 0);
  const warmupEnds = performance.now() + WARMUP_MS;
  const ends = warmupEnds + durationMs;
  let measureStarted = 0;
  while (performance.now() < ends) {
    const round: number[] = [];
    const measuring = performance.now() >= warmupEnds;
    if (measuring && measureStarted === 0) measureStarted = performance.now();
    for (const [index, target] of targets.entries()) {
      const started = performance.now();
      let status = 0;
      try {
        status = await send(agent, target);
      } catch {
        status = 0;
      }
      round.push(performance.now() - started);
      if (measuring && status !== 200) errors[index] = (errors[index] ?? 0) + 1;
    }
    if (measuring) round.forEach((latency, index) => samples[index]?.push(latency));
  }
  agent.destroy();
  return { samples, errors, seconds: (ends - measureStarted) / 1000 };
}

type LatencyBlock = Awaited<ReturnType<typeof interleaved>>;

const median = (values: readonly number[]): number => percentile([...values].sort((left, right) => left - right), 0.5);

/** The blocks pooled: each target's measurement, and the median of per-round differences between two targets. */
function pool(blocks: readonly LatencyBlock[], targets: number) {
  const samples = Array.from({ length: targets }, (_, index) => blocks.flatMap((block) => block.samples[index] ?? []));
  const seconds = blocks.reduce((total, block) => total + block.seconds, 0);
  const measurements: Measurement[] = samples.map((latencies, index) => {
    const sorted = [...latencies].sort((left, right) => left - right);
    const errors = blocks.reduce((total, block) => total + (block.errors[index] ?? 0), 0);
    return { requests: sorted.length, errors, requestsPerSecond: sorted.length / seconds, p50: percentile(sorted, 0.5), p99: percentile(sorted, 0.99) };
  });
  const pairedMedian = (minuend: number, subtrahend: number): number => {
    const first = samples[minuend] ?? [];
    const second = samples[subtrahend] ?? [];
    return median(first.map((latency, index) => latency - (second[index] ?? Number.NaN)));
  };
  return { measurements, pairedMedian };
}

/** CPU time (user + system) a process has used, in ms, from /proc (Linux; 10 ms ticks). */
function cpuTimeMs(pid: number | undefined): number {
  if (pid === undefined) return Number.NaN;
  try {
    // Fields after the command name, which is in parentheses and may hold spaces.
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? [];
    return (Number(fields[11]) + Number(fields[12])) * 10;
  } catch {
    return Number.NaN;
  }
}

/**
 * CPU the relay process spends per request, one request at a time: a figure
 * the machine's other load barely moves, unlike latency.
 */
async function relayCpuPerRequest(target: Target, pid: number | undefined, requests: number): Promise<number> {
  const agent = new Agent({ keepAlive: true, maxSockets: 1 });
  for (let index = 0; index < 200; index++) await send(agent, target);
  const before = cpuTimeMs(pid);
  for (let index = 0; index < requests; index++) await send(agent, target);
  const used = cpuTimeMs(pid) - before;
  agent.destroy();
  return used / requests;
}

let counter = 0;
const classifyBody = (text: string) => () => JSON.stringify({ flowId: 'bench', state: 'Start', sessionId: 'bench-session', text });
const toolBody = () => JSON.stringify({ flowId: 'bench', sessionId: 'bench-session', args: { value: 'x' } });
const uniqueKey = () => ({ 'idempotency-key': `bench-key-${process.pid}-${++counter}` });

const mock = await startServer('mock-llm');
const bare = await startServer('bare');
const relay = await startServer('relay', { MOCK_LLM_URL: `http://127.0.0.1:${mock.port}/v1` });
const children = [mock, bare, relay];

try {
  const localText = 'what time do you open';
  const unsureText = 'zebra quantum marmalade';
  const rows: { name: string; measurement: Measurement }[] = [];
  const throughputRows = ROWS !== 'latency';
  const report = (names: readonly string[], measurements: readonly Measurement[]) =>
    names.map((name, index) => {
      const measurement = measurements[index] as Measurement;
      rows.push({ name, measurement });
      process.stdout.write(`${name}: ${measurement.requestsPerSecond.toFixed(0)} req/s, p50 ${measurement.p50.toFixed(2)} ms, p99 ${measurement.p99.toFixed(2)} ms, errors ${measurement.errors}\n`);
      return measurement;
    });
  const [bareClassify, relayClassify] = throughputRows
    ? report(
        ['bare node:http, classify JSON', 'relay /v1/classify (local NLU)'],
        await throughput([
          { port: bare.port, path: '/v1/classify', body: classifyBody(localText) },
          { port: relay.port, path: '/v1/classify', body: classifyBody(localText) },
        ]),
      )
    : [];
  const [bareTools, relayTools] = throughputRows
    ? report(
        ['bare node:http, tools JSON', 'relay /v1/tools/Noop (new key each call)'],
        await throughput([
          { port: bare.port, path: '/v1/tools/Noop', body: toolBody },
          { port: relay.port, path: '/v1/tools/Noop', body: toolBody, headers: uniqueKey },
        ]),
      )
    : [];

  // Latency, one request at a time so queueing does not hide it. The four
  // targets take turns within each round (same client, same agent, same
  // moment), so the noise of a shared machine falls on all of them alike.
  const latencyTargets: { name: string; target: Target }[] = [
    { name: 'mock LLM called directly (1 connection)', target: { port: mock.port, path: '/v1/chat/completions', body: () => JSON.stringify({ model: 'bench-model', messages: [{ role: 'user', content: unsureText }] }) } },
    { name: 'relay /v1/classify via mock LLM (1 connection)', target: { port: relay.port, path: '/v1/classify', body: classifyBody(unsureText) } },
    { name: 'bare node:http (1 connection)', target: { port: bare.port, path: '/v1/classify', body: classifyBody(localText) } },
    { name: 'relay /v1/classify local (1 connection)', target: { port: relay.port, path: '/v1/classify', body: classifyBody(localText) } },
  ];
  // In blocks, so the spread between stretches of the run shows next to the pooled figures.
  const blocks: LatencyBlock[] = [];
  for (let block = 0; block < LATENCY_BLOCKS; block++) blocks.push(await interleaved(latencyTargets.map(({ target }) => target), LATENCY_DURATION_MS / LATENCY_BLOCKS));
  const addedPerBlock = blocks.map((block) => median(block.samples[1] ?? []) - median(block.samples[0] ?? []));
  const latency = pool(blocks, latencyTargets.length);
  latencyTargets.forEach(({ name }, index) => {
    const measurement = latency.measurements[index] as Measurement;
    rows.push({ name, measurement });
    process.stdout.write(`${name}: p50 ${measurement.p50.toFixed(3)} ms, p99 ${measurement.p99.toFixed(3)} ms, errors ${measurement.errors}\n`);
  });
  const [directMock, relayLlm, bareSingle, relayLocalSingle] = latency.measurements as [Measurement, Measurement, Measurement, Measurement];
  const pairedLlm = latency.pairedMedian(1, 0);
  const pairedLocal = latency.pairedMedian(3, 2);
  const relayPid = relay.child.pid;
  const cpuLocal = await relayCpuPerRequest(latencyTargets[3]?.target as Target, relayPid, CPU_REQUESTS);
  const cpuLlm = await relayCpuPerRequest(latencyTargets[1]?.target as Target, relayPid, CPU_REQUESTS);
  process.stdout.write(`relay CPU per request: local ${(cpuLocal * 1000).toFixed(0)} µs, via the LLM ${(cpuLlm * 1000).toFixed(0)} µs\n`);

  if (!bareClassify || !relayClassify || !bareTools || !relayTools) {
    process.stdout.write(`LLM path added, p50: ${(relayLlm.p50 - directMock.p50).toFixed(3)} ms (blocks ${addedPerBlock.map((added) => added.toFixed(3)).join(', ')}; paired median ${pairedLlm.toFixed(3)} ms); relay local ${relayLocalSingle.p50.toFixed(3)} ms vs bare ${bareSingle.p50.toFixed(3)} ms\n`);
  } else {
    const ratio = (part: number, whole: number) => `${((100 * part) / whole).toFixed(0)} %`;
    // Through the relay, an LLM answer takes: the client→relay hop (as long as
    // a request to the bare server), the relay's local handling (relay local
    // minus bare), the relay→LLM hop (as long as calling the mock directly),
    // and the LLM path's own work. So `added` is at least the relay's local
    // latency, and what the LLM path adds on top of that is the remainder.
    const added = relayLlm.p50 - directMock.p50;
    const llmWork = added - relayLocalSingle.p50;
    const lines = [
      '# Relay HTTP benchmark',
      '',
      `Generated by \`npx tsx test/bench/relay/http.bench.ts\` on ${new Date().toISOString()} — Node ${process.version}, ${cpus().length} CPU(s) (${cpus()[0]?.model ?? 'unknown'}), load average ${loadavg().map((value) => value.toFixed(1)).join(' ')} at the end.`,
      `Loopback only. Each server in its own process; the load generator is this process: ${CONNECTIONS} keep-alive node:http clients, ${DURATION_MS / 1000} s per row after ${WARMUP_MS / 1000} s warm-up, bare and relay taking turns in ${THROUGHPUT_SLICES} slices of ${DURATION_MS / THROUGHPUT_SLICES / 1000} s each.`,
      `Latency rows: one node:http keep-alive client taking the four targets in turn, one request each per round, so all four see the same moments of the machine; ${LATENCY_BLOCKS} blocks of ${LATENCY_DURATION_MS / LATENCY_BLOCKS / 1000} s, each after ${WARMUP_MS / 1000} s warm-up, pooled.`,
      'The relay runs as `statechat relay` does (node:http + @hono/node-server listener, the keep-alive node:http client for the LLM), logging every request through the PII masker into pino (destination /dev/null), rate limits off (one client address, one session).',
      '',
      '| scenario | requests | errors | req/s | p50 ms | p99 ms |',
      '|---|---:|---:|---:|---:|---:|',
      ...rows.map(({ name, measurement }) => `| ${name} | ${measurement.requests} | ${measurement.errors} | ${measurement.requestsPerSecond.toFixed(0)} | ${measurement.p50.toFixed(3)} | ${measurement.p99.toFixed(3)} |`),
      '',
      '## Against the targets',
      '',
      `* classify throughput: relay ${relayClassify.requestsPerSecond.toFixed(0)} req/s = **${ratio(relayClassify.requestsPerSecond, bareClassify.requestsPerSecond)}** of bare node:http (target ≥ 60 %).`,
      `* tools throughput: relay ${relayTools.requestsPerSecond.toFixed(0)} req/s = **${ratio(relayTools.requestsPerSecond, bareTools.requestsPerSecond)}** of bare node:http (target ≥ 60 %).`,
      `* LLM path, p50: relay→mock ${relayLlm.p50.toFixed(3)} ms vs mock direct ${directMock.p50.toFixed(3)} ms: **${added.toFixed(3)} ms added** (target ≤ 0.5 ms); block by block ${addedPerBlock.map((value) => value.toFixed(3)).join(' / ')} ms; median of the per-round differences ${pairedLlm.toFixed(3)} ms. p99: ${relayLlm.p99.toFixed(3)} ms vs ${directMock.p99.toFixed(3)} ms.`,
      `* relay CPU per request (its process's user + system time over ${CPU_REQUESTS} requests one at a time, from /proc): local ${(cpuLocal * 1000).toFixed(0)} µs, via the LLM ${(cpuLlm * 1000).toFixed(0)} µs, so the LLM path costs the relay **${((cpuLlm - cpuLocal) * 1000).toFixed(0)} µs** of CPU more, its HTTP client's included.`,
      `  Of the latency added, ${relayLocalSingle.p50.toFixed(3)} ms is the relay's local latency (the client→relay hop, ${bareSingle.p50.toFixed(3)} ms against the bare server, plus local handling; per-round median over bare ${pairedLocal.toFixed(3)} ms), which every request through the relay pays; the remaining ${llmWork.toFixed(3)} ms is the LLM path's own: masking PII, the openai SDK building the request and reading the answer, the client side of the HTTP call (node:http, keep-alive), checking the answer.`,
      '',
      'Absolute numbers are noisy on a shared 2-core machine (the load generator and the servers share the cores, other work may run); compare within one run.',
      '',
    ];
    writeFileSync(join(here, 'HTTP-RESULTS.md'), lines.join('\n'));
    process.stdout.write(lines.join('\n'));
  }
} finally {
  for (const { child } of children) {
    if (child.pid && child.exitCode === null) process.kill(child.pid, 'SIGTERM');
  }
}
