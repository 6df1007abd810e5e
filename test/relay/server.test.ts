import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { connect, createServer, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { RelayConfigError } from '../../relay/flow-registry.ts';
import { loadFlowFiles, REDIS_COMMAND_TIMEOUT_MS, startRelayServer } from '../../relay/server.ts';
import { captureLogs, restaurantFlow } from './fixtures.ts';
import { Visitor } from './support/visitor.ts';

const closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  while (closers.length > 0) await closers.pop()?.();
});

/** Accepts connections and never answers: a Redis that has hung. */
async function silentServer(): Promise<number> {
  const sockets = new Set<Socket>();
  const server = createServer((socket) => {
    sockets.add(socket);
    socket.on('error', () => undefined);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  closers.push(
    () =>
      new Promise((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  );
  const address = server.address();
  return typeof address === 'object' && address ? address.port : 0;
}

describe('the Node server with Redis', () => {
  it('answers 500 instead of waiting forever when Redis stops answering, and still shuts down', async () => {
    const redisPort = await silentServer();
    const flowsDir = mkdtempSync(join(tmpdir(), 'statechat-flows-'));
    closers.push(async () => rmSync(flowsDir, { recursive: true, force: true }));
    writeFileSync(join(flowsDir, 'restaurant.flow.json'), JSON.stringify(restaurantFlow()));
    const logs = captureLogs();
    const running = await startRelayServer({ flowsDir, port: 0, logger: logs.sink, env: { REDIS_URL: `redis://127.0.0.1:${redisPort}` } });

    const started = performance.now();
    // The per-IP rate limit asks Redis first.
    const response = await fetch(`http://127.0.0.1:${running.port}/v1/health`);
    const elapsed = performance.now() - started;
    expect(response.status).toBe(500);
    expect(await response.json()).toEqual({ error: { code: 'internal_error', message: 'The relay could not handle this request.' } });
    expect(elapsed).toBeGreaterThanOrEqual(REDIS_COMMAND_TIMEOUT_MS - 50);
    expect(elapsed).toBeLessThan(REDIS_COMMAND_TIMEOUT_MS + 2000);

    expect(logs.parsed().some((line) => line.msg === 'redis error' && line.level === 'warn')).toBe(true);
    const closing = performance.now();
    await running.close();
    expect(performance.now() - closing).toBeLessThan(REDIS_COMMAND_TIMEOUT_MS + 1000);
  // Startup waits for the slot-parsing workers, which on a busy machine takes seconds.
  }, 45_000);
});

describe('loading flow files', () => {
  it('names the file that is not JSON', async () => {
    const flowsDir = mkdtempSync(join(tmpdir(), 'statechat-flows-'));
    closers.push(async () => rmSync(flowsDir, { recursive: true, force: true }));
    writeFileSync(join(flowsDir, 'good.flow.json'), JSON.stringify(restaurantFlow()));
    writeFileSync(join(flowsDir, 'broken.flow.json'), '{ "meta": { "name": "Broken" }, }');
    const loading = loadFlowFiles(flowsDir);
    await expect(loading).rejects.toBeInstanceOf(RelayConfigError);
    await expect(loading).rejects.toThrow(/broken\.flow\.json is not valid JSON/);
  });
});

describe('the Node server against slow clients', () => {
  it('cuts off a client that trickles its request headers', async () => {
    const flowsDir = mkdtempSync(join(tmpdir(), 'statechat-flows-'));
    closers.push(async () => rmSync(flowsDir, { recursive: true, force: true }));
    writeFileSync(join(flowsDir, 'restaurant.flow.json'), JSON.stringify(restaurantFlow()));
    const logs = captureLogs();
    const running = await startRelayServer({ flowsDir, port: 0, logger: logs.sink, env: {}, headersTimeoutMs: 300, requestTimeoutMs: 600 });
    closers.push(() => running.close());
    const started = Date.now();
    const answer = await new Promise<string>((resolve) => {
      const socket = connect(running.port, '127.0.0.1', () => socket.write('GET /v1/health HTTP/1.1\r\nHost: relay\r\n'));
      let received = '';
      // One header byte every 100 ms: the headers never finish.
      const trickle = setInterval(() => socket.write('X'), 100);
      socket.on('data', (chunk) => {
        received += chunk.toString();
      });
      socket.on('close', () => {
        clearInterval(trickle);
        resolve(received);
      });
      socket.on('error', () => undefined);
    });
    expect(answer).toMatch(/^HTTP\/1\.1 408/);
    expect(Date.now() - started).toBeLessThan(5000);
  });
});

describe('the Node server with earlier flow versions', () => {
  it('verifies a session pinned to a version from PREVIOUS_FLOWS_DIR, and refuses one nobody kept', async () => {
    const flowsDir = mkdtempSync(join(tmpdir(), 'statechat-flows-'));
    const previousDir = mkdtempSync(join(tmpdir(), 'statechat-previous-'));
    closers.push(async () => {
      rmSync(flowsDir, { recursive: true, force: true });
      rmSync(previousDir, { recursive: true, force: true });
    });
    const v1 = restaurantFlow();
    const v2 = { ...restaurantFlow(), meta: { ...restaurantFlow().meta, version: '2.0.0' } };
    writeFileSync(join(flowsDir, 'restaurant.flow.json'), JSON.stringify(v2));
    writeFileSync(join(previousDir, 'restaurant-1.flow.json'), JSON.stringify(v1));
    const running = await startRelayServer({ flowsDir, port: 0, logger: captureLogs().sink, toolsModule: `${new URL('./support/counting-free-tools.ts', import.meta.url).pathname}`, env: { PREVIOUS_FLOWS_DIR: previousDir } });
    closers.push(() => running.close());
    const call = async (flow: typeof v1, sessionId: string) => {
      const visitor = new Visitor(flow, sessionId);
      const effect = visitor.trigger('CheckAvailability', { date: '2026-12-24', time: '19:30', partySize: 4 });
      const request = visitor.request(effect);
      return fetch(`http://127.0.0.1:${running.port}/v1/tools/CheckAvailability`, { method: 'POST', headers: request.headers, body: await request.text() });
    };
    expect((await call(v1, 'session-pinned-v1')).status).toBe(200);
    expect((await call(v2, 'session-on-v2')).status).toBe(200);
    expect((await call({ ...v1, meta: { ...v1.meta, version: '0.1.0' } }, 'session-forgotten')).status).toBe(403);
  }, 60_000);
});
