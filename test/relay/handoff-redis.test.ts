import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRelay } from '../../relay/index.ts';
import { RedisHandoffStore } from '../../relay/stores/redis.ts';
import type { HandoffRecord } from '../../relay/handoff/types.ts';
import { get, post } from './helpers.ts';
import { AGENT_TOKEN, collectEvents, handoffFlow, openBody, VISITOR_KEY } from './support/handoff.ts';
import { requireRedisServer, freePort } from './support/processes.ts';

requireRedisServer();

const agent = { authorization: `Bearer ${AGENT_TOKEN}` };
const visitor = { authorization: `Bearer ${VISITOR_KEY}` };
const quiet = { info: () => undefined, warn: () => undefined, error: () => undefined };

function record(id: string, createdAt: number): HandoffRecord {
  return { id, flowId: 'f', sessionId: `s-${id}`, reason: null, queue: 'q', status: 'waiting', agent: null, createdAt, updatedAt: createdAt, visitorKeyHash: 'h' };
}

describe('handoffs in Redis (real redis-server)', () => {
  let directory = '';
  let server: ChildProcess | undefined;
  let url = '';
  const connections: Redis[] = [];
  const stores: RedisHandoffStore[] = [];

  function connect(prefix = 'test:handoff:'): RedisHandoffStore {
    const redis = new Redis(url);
    connections.push(redis);
    const store = new RedisHandoffStore(redis, prefix);
    stores.push(store);
    return store;
  }

  beforeAll(async () => {
    directory = mkdtempSync(join(tmpdir(), 'statechat-handoff-redis-'));
    const port = await freePort();
    server = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', directory], { stdio: ['ignore', 'pipe', 'pipe'] });
    await new Promise<void>((resolve, reject) => {
      let seen = '';
      const timer = setTimeout(() => reject(new Error(`redis-server did not start: ${seen}`)), 10_000);
      server?.stdout?.on('data', (chunk: Buffer) => {
        seen += chunk.toString();
        if (/Ready to accept connections/.test(seen)) {
          clearTimeout(timer);
          resolve();
        }
      });
    });
    url = `redis://127.0.0.1:${port}`;
  });

  afterAll(async () => {
    for (const store of stores) await store.close();
    for (const redis of connections) redis.disconnect();
    if (server?.pid && server.exitCode === null) {
      await new Promise<void>((resolve) => {
        server?.once('exit', () => resolve());
        server?.kill('SIGTERM');
      });
    }
    rmSync(directory, { recursive: true, force: true });
  });

  it('creates once per open key, numbers events from 1, and keeps the transcript', async () => {
    const store = connect('t1:');
    const transcript = [{ role: 'visitor' as const, text: 'hi, I am ann@example.com', at: 5 }];
    const first = await store.create('open-1', record('h1', 100), transcript, 60_000);
    expect(first.created).toBe(true);
    const again = await store.create('open-1', record('h1-other', 100), transcript, 60_000);
    expect(again).toEqual({ created: false, record: record('h1', 100) });
    expect(await store.eventsAfter('h1', 0, 10)).toEqual([{ seq: 1, type: 'message', message: transcript[0] }]);
    expect(await store.get('h1-other')).toBeNull();
  });

  it('applies the status rules atomically: one join, nothing after the close, a visitor message once', async () => {
    const store = connect('t2:');
    await store.create('open', record('h2', 100), [], 60_000);
    const joins = await Promise.all(
      ['Ana', 'Bob', 'Cy'].map((name) => store.append('h2', { type: 'joined', agent: name, at: 1 }, { whileStatus: ['waiting'], setStatus: 'active', setAgent: name }, 60_000)),
    );
    expect(joins.filter((outcome) => outcome.kind === 'appended')).toHaveLength(1);
    const joined = (await store.get('h2')) as HandoffRecord;
    expect(joined.status).toBe('active');
    expect(['Ana', 'Bob', 'Cy']).toContain(joined.agent);
    const message = { type: 'message' as const, message: { role: 'visitor' as const, text: 'hello', at: 2 } };
    expect((await store.append('h2', message, { whileStatus: ['waiting', 'active'], dedupeKey: 'v:1' }, 60_000)).kind).toBe('appended');
    expect(await store.append('h2', message, { whileStatus: ['waiting', 'active'], dedupeKey: 'v:1' }, 60_000)).toMatchObject({ kind: 'duplicate', seq: 2 });
    expect((await store.append('h2', { type: 'closed', at: 3, by: 'agent' }, { whileStatus: ['waiting', 'active'], setStatus: 'closed' }, 60_000)).kind).toBe('appended');
    expect((await store.append('h2', message, { whileStatus: ['waiting', 'active'] }, 60_000)).kind).toBe('refused');
    expect((await store.append('missing', message, { whileStatus: ['waiting'] }, 60_000)).kind).toBe('missing');
    expect((await store.eventsAfter('h2', 0, 10)).map((event) => `${event.seq}:${event.type}`)).toEqual(['1:joined', '2:message', '3:closed']);
  });

  it('lists open handoffs newest first and forgets expired ones', async () => {
    const store = connect('t3:');
    await store.create('a', record('old', 100), [], 60_000);
    await store.create('b', record('new', 200), [], 60_000);
    await store.create('c', record('brief', 300), [], 50);
    await new Promise((resolve) => setTimeout(resolve, 120));
    expect((await store.listOpen(10)).map((handoff) => handoff.id)).toEqual(['new', 'old']);
    await store.append('new', { type: 'closed', at: 1, by: 'visitor' }, { whileStatus: ['waiting'], setStatus: 'closed' }, 60_000);
    expect((await store.listOpen(10)).map((handoff) => handoff.id)).toEqual(['old']);
  });

  it('two relays on one Redis: the agent writes on one, the visitor hears on the other, exactly once and in order, across a relay restart', async () => {
    const relay = (store: RedisHandoffStore) =>
      createRelay({ flows: [handoffFlow()], logger: quiet, rateLimits: { perIp: false, perSession: false }, handoff: { agentToken: AGENT_TOKEN, store, heartbeatMs: 5000 } });
    const storeA = connect('t4:');
    const storeB = connect('t4:');
    const relayA = relay(storeA);
    const relayB = relay(storeB);
    await storeB.ready();
    const opened = await relayB(post('/v1/handoffs', openBody()));
    const { handoff } = (await opened.json()) as { handoff: { id: string } };
    const listed = (await (await relayA(get('/v1/agent/handoffs', agent))).json()) as { handoffs: Array<{ id: string; messages: unknown[] }> };
    expect(listed.handoffs.map((item) => item.id)).toEqual([handoff.id]);
    expect(listed.handoffs[0]?.messages).toHaveLength(2);

    const texts = Array.from({ length: 20 }, (_, index) => `message ${index + 1}`);
    const hearing = collectEvents(await relayB(get(`/v1/handoffs/${handoff.id}/events`, visitor)), (events) => events.filter((event) => event.event === 'message').length >= 10, 8000);
    for (const text of texts.slice(0, 10)) await relayA(post(`/v1/agent/handoffs/${handoff.id}/messages`, { text, agent: 'Ana' }, agent));
    const firstHalf = await hearing;
    const lastSeen = firstHalf.at(-1)?.id ?? '0';

    // Relay B restarts: a new store on a new connection; the visitor resumes from the last event it had.
    const storeB2 = connect('t4:');
    const relayB2 = relay(storeB2);
    await storeB2.ready();
    const resumed = collectEvents(await relayB2(get(`/v1/handoffs/${handoff.id}/events`, { ...visitor, 'last-event-id': lastSeen })), (events) => events.filter((event) => event.event === 'message').length >= 10, 8000);
    for (const text of texts.slice(10)) await relayA(post(`/v1/agent/handoffs/${handoff.id}/messages`, { text }, agent));
    const secondHalf = await resumed;

    const heard = [...firstHalf, ...secondHalf].filter((event) => event.event === 'message').map((event) => (JSON.parse(event.data) as { message: { text: string } }).message.text);
    expect(heard).toEqual(texts);
    const ids = [...firstHalf, ...secondHalf].map((event) => Number(event.id));
    expect(ids).toEqual([...ids].sort((first, second) => first - second));
    expect(new Set(ids).size).toBe(ids.length);
  });
});
