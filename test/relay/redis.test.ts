import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RedisIdempotencyStore, RedisRateLimitStore } from '../../relay/stores/redis.ts';
import { restaurantFlow } from './fixtures.ts';
import { verifiedCall } from './support/visitor.ts';
import { requireRedisServer, repositoryRoot, freePort, waitForLine, stop } from './support/processes.ts';

requireRedisServer();

describe('Redis stores (real redis-server)', () => {
  let directory = '';
  let redisProcess: ChildProcess | undefined;
  let redisUrl = '';
  let redis: Redis;
  const relays: ChildProcess[] = [];
  const relayPorts: number[] = [];

  beforeAll(async () => {
    directory = mkdtempSync(join(tmpdir(), 'statechat-redis-'));
    const port = await freePort();
    redisProcess = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', directory], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    await waitForLine(redisProcess, /Ready to accept connections/, 10_000);
    redisUrl = `redis://127.0.0.1:${port}`;
    redis = new Redis(redisUrl);

    writeFileSync(join(directory, 'restaurant.flow.json'), JSON.stringify(restaurantFlow()));
    for (let index = 0; index < 2; index++) {
      const child = spawn(process.execPath, ['--import', 'tsx', join(repositoryRoot, 'test/relay/support/relay-process.ts')], {
        cwd: repositoryRoot,
        env: { ...process.env, REDIS_URL: redisUrl, FLOWS_DIR: directory, OPENAI_API_KEY: '', RELAY_SECRETS: 'shared-secret-of-the-two-relays-0123456789' },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      relays.push(child);
    }
    const ports = await Promise.all(relays.map((child) => waitForLine(child, /LISTENING (\d+)/, 20_000)));
    relayPorts.push(...ports.map((match) => Number(match[1])));
  }, 40_000);

  afterAll(async () => {
    await Promise.all(relays.map(stop));
    await redis?.quit();
    await stop(redisProcess);
    if (directory) rmSync(directory, { recursive: true, force: true });
  });

  it('claims a key once across clients and counts rate limits atomically', async () => {
    const second = new Redis(redisUrl);
    const stores = [new RedisIdempotencyStore(redis, 'unit:'), new RedisIdempotencyStore(second, 'unit:')];
    const claims = await Promise.all(Array.from({ length: 10 }, (_, index) => stores[index % 2]?.claim('k', 'fp', 5000, 'ip:a')));
    await second.quit();
    expect(claims.filter((claim) => claim?.state === 'claimed')).toHaveLength(1);
    const limiter = new RedisRateLimitStore(redis, 'unit-rate:');
    const hits = await Promise.all(Array.from({ length: 20 }, () => limiter.hit('ip:x', 60_000)));
    expect(hits.map((hit) => hit.count).sort((left, right) => left - right)).toEqual(Array.from({ length: 20 }, (_, index) => index + 1));
  });

  it('keeps a client within its quota of live keys, without forgetting anyone else\'s', async () => {
    const store = new RedisIdempotencyStore(redis, { prefix: 'quota:', keysPerClient: 20 });
    const victim = await store.claim('victim', 'fp', 60_000, 'ip:victim');
    if (victim.state !== 'claimed') throw new Error('unreachable');
    await store.complete('victim', victim.token, 'fp', { status: 200, body: { bookingId: 'B-1' } }, 86_400_000);
    const flood = await Promise.all(Array.from({ length: 200 }, (_, index) => store.claim(`flood-${index}`, 'fp', 60_000, 'ip:attacker')));
    expect(flood.filter((claim) => claim.state === 'claimed')).toHaveLength(20);
    expect(flood.filter((claim) => claim.state === 'refused')).toHaveLength(180);
    expect(await store.claim('victim', 'fp', 60_000, 'ip:victim')).toMatchObject({ state: 'done', response: { body: { bookingId: 'B-1' } } });
    const held = await store.claim('held', 'fp', 200, 'ip:other');
    if (held.state !== 'claimed') throw new Error('unreachable');
    expect(await store.extend('held', held.token, 5000)).toBe(true);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect((await store.claim('held', 'fp', 200, 'ip:other')).state).toBe('running');
  });

  it('two relay processes sharing Redis run a tool once for concurrent requests with one key', async () => {
    const { visitor, effect } = verifiedCall(restaurantFlow(), 'session-two-relays', 'CreateBooking', {
      date: '2026-12-24',
      time: '19:30',
      partySize: 4,
      name: 'Ada Lovelace',
      phone: '+44 20 7946 0958',
    });
    const call = (port: number) =>
      fetch(`http://127.0.0.1:${port}/v1/tools/CreateBooking`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'idempotency-key': effect.idempotencyKey },
        body: JSON.stringify(visitor.body(effect)),
      });
    const responses = await Promise.all(Array.from({ length: 12 }, (_, index) => call(relayPorts[index % 2] ?? 0)));
    const statuses = responses.map((response) => response.status);
    expect(statuses.every((status) => status === 200 || status === 409)).toBe(true);
    expect(statuses.filter((status) => status === 200)).toHaveLength(1);
    expect(responses.find((response) => response.status === 409)?.headers.get('retry-after')).toMatch(/^\d+$/);
    expect(await redis.get('test:create-booking-runs')).toBe('1');

    const [first, second] = await Promise.all([call(relayPorts[0] ?? 0), call(relayPorts[1] ?? 0)]);
    const bodies = (await Promise.all([first.json(), second.json()])) as { result: unknown; checkpoint: string }[];
    expect(bodies[0]?.result).toEqual(bodies[1]?.result);
    // Both relays sign with the shared secret: either one's checkpoint is good at the other.
    expect(bodies[0]?.checkpoint).toEqual(bodies[1]?.checkpoint);
    expect(first.headers.get('idempotent-replayed')).toBe('true');
    expect(await redis.get('test:create-booking-runs')).toBe('1');
  });
});
