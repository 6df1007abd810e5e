/**
 * `npm run bench:handoff`: live handoff over SSE on loopback.
 *
 * 1. Latency of one message, agent → visitor: from the agent's POST being
 *    sent to the event arriving on the visitor's stream, MESSAGES times one
 *    after another, through the relay (`POST /v1/agent/handoffs/:id/messages`
 *    → `GET /v1/handoffs/:id/events`) and through a bare SSE server in the
 *    same run (`POST /send` → `GET /events`), as p50 / p99.
 * 2. Open connections: STREAMS handoffs opened and a visitor stream held on
 *    each; the relay process's resident memory before and after, and the
 *    latency of a message to a handoff while they are all open.
 *
 * Each server runs in its own process; this one is the client. Only
 * 127.0.0.1, bounded loops. Writes test/bench/handoff/RESULTS.md.
 *
 *   STREAMS=500 MESSAGES=100 npx tsx test/bench/handoff/handoff.bench.ts   # quicker; prints, writes nothing
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { Agent, request as httpRequest, type IncomingMessage } from 'node:http';
import { cpus, loadavg } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { EventStreamParser, type ServerSentEvent } from '../../../widget/handoff/sse.ts';

const here = dirname(fileURLToPath(import.meta.url));
const MESSAGES = Number(process.env.MESSAGES ?? 300);
const STREAMS = Number(process.env.STREAMS ?? 2000);
const MEMORY_LIMIT_MB = 200;
const DEFAULTS = MESSAGES === 300 && STREAMS === 2000;
const BENCH_AGENT_TOKEN = 'bench-agent-token-0123456789';

function startServer(mode: 'relay' | 'bare'): Promise<{ child: ChildProcess; port: number }> {
  const child = spawn(process.execPath, ['--import', 'tsx', join(here, 'bench-server.ts'), mode], { stdio: ['ignore', 'pipe', 'inherit'], env: { ...process.env, BENCH_AGENT_TOKEN } });
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

function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    child.once('exit', () => resolve());
    child.kill('SIGTERM');
  });
}

/** Resident memory of a process, in MB (Linux). */
function rssMb(pid: number): number {
  const match = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return match ? Number(match[1]) / 1024 : Number.NaN;
}

const agent = new Agent({ keepAlive: true, maxSockets: 64 });

function send(port: number, method: 'GET' | 'POST', path: string, body: unknown, headers: Record<string, string> = {}): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const payload = body === undefined ? undefined : JSON.stringify(body);
    const request = httpRequest(
      { host: '127.0.0.1', port, method, path, agent, headers: { ...(payload ? { 'content-type': 'application/json' } : {}), ...headers } },
      (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('end', () => resolve({ status: response.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') }));
      },
    );
    request.on('error', reject);
    request.end(payload);
  });
}

/** Holds an SSE stream open on its own connection; `onEvent` for each event. */
function openStream(port: number, path: string, headers: Record<string, string>, onEvent: (event: ServerSentEvent) => void): Promise<() => void> {
  return new Promise((resolve, reject) => {
    const request = httpRequest({ host: '127.0.0.1', port, path, agent: false, headers: { accept: 'text/event-stream', ...headers } }, (response: IncomingMessage) => {
      if (response.statusCode !== 200) {
        reject(new Error(`stream answered ${response.statusCode}`));
        return;
      }
      const parser = new EventStreamParser(onEvent);
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => parser.push(chunk));
      resolve(() => request.destroy());
    });
    request.on('error', (error) => {
      if ((error as NodeJS.ErrnoException).code !== 'ECONNRESET') reject(error);
    });
    request.end();
  });
}

function percentile(sorted: number[], fraction: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * fraction))] as number;
}

/** Sends `count` messages one after another, each when the last arrived and was acknowledged; milliseconds from send to arrival. */
async function measure(count: number, post: (index: number) => Promise<unknown>, arrivals: Map<number, () => void>, from = 0): Promise<{ p50: number; p99: number; mean: number }> {
  const samples: number[] = [];
  for (let index = from; index < from + count; index += 1) {
    const arrived = new Promise<number>((resolve) => arrivals.set(index, () => resolve(performance.now())));
    const started = performance.now();
    // The next message waits for the agent's answer too, but the time counted ends when the visitor has it.
    const [at] = await Promise.all([arrived, post(index)]);
    samples.push(at - started);
  }
  samples.sort((first, second) => first - second);
  return { p50: percentile(samples, 0.5), p99: percentile(samples, 0.99), mean: samples.reduce((sum, value) => sum + value, 0) / samples.length };
}

const VISITOR_KEY_PREFIX = 'bench-visitor-key-000000000000000000-';

async function openHandoff(port: number, index: number): Promise<{ id: string; visitorKey: string }> {
  const visitorKey = `${VISITOR_KEY_PREFIX}${index}`;
  const response = await send(port, 'POST', '/v1/handoffs', {
    flowId: 'reservations',
    sessionId: `bench-session-${index}`,
    key: 'h',
    visitorKey,
    reason: 'visitor asked for a person',
    queue: 'front-desk',
    transcript: [
      { role: 'bot', text: 'Welcome to Chez Statechat! How can I help?', at: 1 },
      { role: 'visitor', text: 'I want to talk to a human', at: 2 },
    ],
  });
  if (response.status !== 201) throw new Error(`open answered ${response.status}: ${response.text}`);
  return { id: (JSON.parse(response.text) as { handoff: { id: string } }).handoff.id, visitorKey };
}

function indexOf(event: ServerSentEvent): number | null {
  const data = JSON.parse(event.data) as { message?: { text?: string }; index?: number };
  const text = data.message?.text;
  if (typeof text === 'string' && text.startsWith('bench ')) return Number(text.slice(6));
  return typeof data.index === 'number' ? data.index : null;
}

const rows: string[] = [];
const results: Record<string, unknown> = {};

// ---- 1. one message at a time: bare SSE, then the relay -------------------------------------------
{
  const bare = await startServer('bare');
  const arrivals = new Map<number, () => void>();
  const close = await openStream(bare.port, '/events', {}, (event) => {
    const index = indexOf(event);
    if (index !== null) arrivals.get(index)?.();
  });
  // Warm-up messages, numbered apart from the measured ones.
  await measure(20, (index) => send(bare.port, 'POST', '/send', { index }), arrivals, 1_000_000);
  const bareLatency = await measure(MESSAGES, (index) => send(bare.port, 'POST', '/send', { index }), arrivals);
  close();
  await stop(bare.child);
  results.bare = bareLatency;

  const relay = await startServer('relay');
  const handoff = await openHandoff(relay.port, 0);
  const relayArrivals = new Map<number, () => void>();
  const closeRelay = await openStream(relay.port, `/v1/handoffs/${handoff.id}/events`, { authorization: `Bearer ${handoff.visitorKey}` }, (event) => {
    const index = indexOf(event);
    if (index !== null) relayArrivals.get(index)?.();
  });
  const agentHeaders = { authorization: `Bearer ${BENCH_AGENT_TOKEN}` };
  const post = (index: number) => send(relay.port, 'POST', `/v1/agent/handoffs/${handoff.id}/messages`, { text: `bench ${index}`, agent: 'Bench' }, agentHeaders);
  await measure(20, post, relayArrivals, 1_000_000);
  const relayLatency = await measure(MESSAGES, post, relayArrivals);
  closeRelay();
  results.relay = relayLatency;

  // ---- 2. many open streams on one relay ---------------------------------------------------------
  const before = rssMb(relay.child.pid as number);
  const closers: (() => void)[] = [];
  const handoffs: { id: string; visitorKey: string }[] = [];
  for (let index = 1; index <= STREAMS; index += 1) handoffs.push(await openHandoff(relay.port, index));
  for (let start = 0; start < handoffs.length; start += 100) {
    closers.push(
      ...(await Promise.all(
        handoffs.slice(start, start + 100).map((handoff) => openStream(relay.port, `/v1/handoffs/${handoff.id}/events`, { authorization: `Bearer ${handoff.visitorKey}` }, () => undefined)),
      )),
    );
  }
  await new Promise((resolve) => setTimeout(resolve, 1000));
  const after = rssMb(relay.child.pid as number);
  // One more handoff's messages while all of them are open.
  const loaded = await openHandoff(relay.port, STREAMS + 1);
  const loadedArrivals = new Map<number, () => void>();
  closers.push(
    await openStream(relay.port, `/v1/handoffs/${loaded.id}/events`, { authorization: `Bearer ${loaded.visitorKey}` }, (event) => {
      const index = indexOf(event);
      if (index !== null) loadedArrivals.get(index)?.();
    }),
  );
  const underLoad = await measure(Math.min(MESSAGES, 100), (index) => send(relay.port, 'POST', `/v1/agent/handoffs/${loaded.id}/messages`, { text: `bench ${index}` }, agentHeaders), loadedArrivals);
  for (const close of closers) close();
  await stop(relay.child);
  results.streams = { count: STREAMS + 1, rssBeforeMb: before, rssAfterMb: after, perThousandMb: ((after - before) / (STREAMS + 1)) * 1000, underLoad };
}
agent.destroy();

const fmt = (ms: number) => ms.toFixed(2);
const bareResult = results.bare as { p50: number; p99: number };
const relayResult = results.relay as { p50: number; p99: number };
const streams = results.streams as { count: number; rssBeforeMb: number; rssAfterMb: number; perThousandMb: number; underLoad: { p50: number; p99: number } };
rows.push(
  `| one message agent → visitor, bare SSE server (node:http) | ${fmt(bareResult.p50)} ms | ${fmt(bareResult.p99)} ms |`,
  `| one message agent → visitor through the relay (agent POST → visitor SSE, memory store) | ${fmt(relayResult.p50)} ms | ${fmt(relayResult.p99)} ms |`,
  `| the same with ${streams.count} visitor streams open on the relay | ${fmt(streams.underLoad.p50)} ms | ${fmt(streams.underLoad.p99)} ms |`,
);
const memoryOk = streams.rssAfterMb < MEMORY_LIMIT_MB;
const report = `# Live handoff benchmark

Measured ${new Date().toISOString().slice(0, 10)} with \`npm run bench:handoff\` (Node ${process.version}, ${cpus().length} cores, load average ${loadavg()[0]?.toFixed(1)} at the end; a shared machine).
Loopback only; each server in its own process; ${MESSAGES} messages one after another, each sent when the last arrived.

| path | p50 | p99 |
|---|---|---|
${rows.join('\n')}

Open connections on one relay (memory store): ${streams.count} handoffs, each with a visitor's SSE stream held open.
Resident memory of the relay process: ${streams.rssBeforeMb.toFixed(1)} MB before, **${streams.rssAfterMb.toFixed(1)} MB** with them all open
(≈ ${streams.perThousandMb.toFixed(1)} MB per 1,000 streams with their handoffs; limit ${MEMORY_LIMIT_MB} MB: ${memoryOk ? 'within' : 'OVER'}).
`;
process.stdout.write(report);
if (DEFAULTS) writeFileSync(join(here, 'RESULTS.md'), report);
if (!memoryOk) process.exitCode = 1;
