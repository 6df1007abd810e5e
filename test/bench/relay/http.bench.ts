/**
 * HTTP benchmark of the relay on loopback, against a bare node:http server
 * answering the same JSON, in the same run.
 *
 *   npx tsx test/bench/relay/http.bench.ts     # writes test/bench/relay/HTTP-RESULTS.md
 *
 * Each server runs in its own process; this process is the load generator:
 * CONNECTIONS keep-alive clients, each sending its next request when the last
 * one answered, for a fixed duration. Only 127.0.0.1, bounded loops.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { Agent, request as httpRequest } from 'node:http';
import { cpus } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const DURATION_MS = Number(process.env.BENCH_DURATION_MS ?? 5000);
const WARMUP_MS = 1000;
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 32);
const LATENCY_DURATION_MS = Number(process.env.BENCH_LATENCY_DURATION_MS ?? 3000);

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
  const child = spawn(process.execPath, ['--import', 'tsx', join(here, 'bench-server.ts'), mode], {
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

async function load(target: Target, connections: number, durationMs: number): Promise<Measurement> {
  const agent = new Agent({ keepAlive: true, maxSockets: connections });
  const warmupEnds = performance.now() + WARMUP_MS;
  const latencies: number[] = [];
  let errors = 0;
  let measuring = false;
  let measureStarted = 0;
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
        if (!measuring) {
          measuring = true;
          measureStarted = started;
        }
        if (status !== 200) errors++;
        latencies.push(finished - started);
      }
    }
  };
  await Promise.all(Array.from({ length: connections }, client));
  agent.destroy();
  const elapsed = (ends - Math.max(measureStarted, warmupEnds)) / 1000;
  latencies.sort((left, right) => left - right);
  return {
    requests: latencies.length,
    errors,
    requestsPerSecond: latencies.length / elapsed,
    p50: percentile(latencies, 0.5),
    p99: percentile(latencies, 0.99),
  };
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
  const run = async (name: string, target: Target, connections = CONNECTIONS, durationMs = DURATION_MS) => {
    const measurement = await load(target, connections, durationMs);
    rows.push({ name, measurement });
    process.stdout.write(`${name}: ${measurement.requestsPerSecond.toFixed(0)} req/s, p50 ${measurement.p50.toFixed(2)} ms, p99 ${measurement.p99.toFixed(2)} ms, errors ${measurement.errors}\n`);
    return measurement;
  };

  const bareClassify = await run('bare node:http, classify JSON', { port: bare.port, path: '/v1/classify', body: classifyBody(localText) });
  const relayClassify = await run('relay /v1/classify (local NLU)', { port: relay.port, path: '/v1/classify', body: classifyBody(localText) });
  const bareTools = await run('bare node:http, tools JSON', { port: bare.port, path: '/v1/tools/Noop', body: toolBody });
  const relayTools = await run('relay /v1/tools/Noop (new key each call)', { port: relay.port, path: '/v1/tools/Noop', body: toolBody, headers: uniqueKey });

  // Latency of the LLM path, one request at a time so queueing does not hide it.
  const directMock = await run('mock LLM called directly (1 connection)', { port: mock.port, path: '/v1/chat/completions', body: () => JSON.stringify({ model: 'bench-model', messages: [{ role: 'user', content: unsureText }] }) }, 1, LATENCY_DURATION_MS);
  const relayLlm = await run('relay /v1/classify via mock LLM (1 connection)', { port: relay.port, path: '/v1/classify', body: classifyBody(unsureText) }, 1, LATENCY_DURATION_MS);
  const bareSingle = await run('bare node:http (1 connection)', { port: bare.port, path: '/v1/classify', body: classifyBody(localText) }, 1, LATENCY_DURATION_MS);
  const relayLocalSingle = await run('relay /v1/classify local (1 connection)', { port: relay.port, path: '/v1/classify', body: classifyBody(localText) }, 1, LATENCY_DURATION_MS);

  const ratio = (part: number, whole: number) => `${((100 * part) / whole).toFixed(0)} %`;
  // The relay-to-LLM hop is one more loopback request than calling the mock
  // directly; the relay's own work is what remains after removing that hop and
  // the relay's local-only latency.
  const addedByLlmPath = relayLlm.p50 - directMock.p50;
  const llmOverhead = relayLlm.p50 - directMock.p50 - relayLocalSingle.p50;

  const lines = [
    '# Relay HTTP benchmark',
    '',
    `Generated by \`npx tsx test/bench/relay/http.bench.ts\` on ${new Date().toISOString()} — Node ${process.version}, ${cpus().length} CPU(s) (${cpus()[0]?.model ?? 'unknown'}).`,
    `Loopback only. Each server in its own process; the load generator is this process: ${CONNECTIONS} keep-alive node:http clients, ${DURATION_MS / 1000} s per row after ${WARMUP_MS / 1000} s warm-up (latency rows: 1 client, ${LATENCY_DURATION_MS / 1000} s).`,
    'The relay runs as `statechat relay` does (node:http + @hono/node-server listener), logging every request through the PII masker into pino (destination /dev/null), rate limits off (one client address, one session).',
    '',
    '| scenario | requests | errors | req/s | p50 ms | p99 ms |',
    '|---|---:|---:|---:|---:|---:|',
    ...rows.map(({ name, measurement }) => `| ${name} | ${measurement.requests} | ${measurement.errors} | ${measurement.requestsPerSecond.toFixed(0)} | ${measurement.p50.toFixed(3)} | ${measurement.p99.toFixed(3)} |`),
    '',
    '## Against the targets',
    '',
    `* classify throughput: relay ${relayClassify.requestsPerSecond.toFixed(0)} req/s = **${ratio(relayClassify.requestsPerSecond, bareClassify.requestsPerSecond)}** of bare node:http (target ≥ 60 %).`,
    `* tools throughput: relay ${relayTools.requestsPerSecond.toFixed(0)} req/s = **${ratio(relayTools.requestsPerSecond, bareTools.requestsPerSecond)}** of bare node:http (target ≥ 60 %).`,
    `* LLM path, p50: relay→mock ${relayLlm.p50.toFixed(3)} ms vs mock direct ${directMock.p50.toFixed(3)} ms: **${addedByLlmPath.toFixed(3)} ms added** in total (target ≤ 0.5 ms).`,
    `  Of that, the relay's local handling (local classify, no LLM) is ${relayLocalSingle.p50.toFixed(3)} ms p50 (bare node:http: ${bareSingle.p50.toFixed(3)} ms); the rest, ${llmOverhead.toFixed(3)} ms, is building the prompt and schema, masking PII, the openai SDK and checking its answer.`,
    '',
    'Absolute numbers are noisy on a shared 2-core machine (the load generator and the servers share the cores); compare the ratios.',
    '',
  ];
  writeFileSync(join(here, 'HTTP-RESULTS.md'), lines.join('\n'));
  process.stdout.write(lines.join('\n'));
} finally {
  for (const { child } of children) {
    if (child.pid && child.exitCode === null) process.kill(child.pid, 'SIGTERM');
  }
}
