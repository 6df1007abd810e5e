/**
 * One run per key, under the findings of the security review: a flood of
 * other calls, a tool that outlives its timeout, and (in redis.test.ts) two
 * relays behind one Redis.
 */
import { describe, expect, it } from 'vitest';
import type { Flow } from '../../flows/types.ts';
import { createRelay, MemoryIdempotencyStore, type ToolImplementations } from '../../relay/index.ts';
import { captureLogs, restaurantFlow } from './fixtures.ts';
import { errorOf } from './helpers.ts';
import { Visitor } from './support/visitor.ts';

const booking = { date: '2026-12-24', time: '19:30', partySize: 4, name: 'Ada Lovelace', phone: '+44 20 7946 0958' };
const NOW = Date.parse('2026-11-23T15:00:00Z');

describe('exactly once', () => {
  it('a flood of other clients\' calls does not make a retried booking run again', async () => {
    const runs: string[] = [];
    const tools: ToolImplementations = {
      CreateBooking: { domain: 'reservations', handler: (_args, context) => (runs.push(context.idempotencyKey), { bookingId: `B-${runs.length}` }) },
      CheckAvailability: { domain: 'reservations', handler: () => ({ ok: true }) },
    };
    const handler = createRelay({
      flows: [restaurantFlow()],
      tools,
      logger: captureLogs().sink,
      now: () => NOW,
      rateLimits: { perIp: false, perSession: false },
      stores: { idempotency: new MemoryIdempotencyStore({ keysPerClient: 100, maxEntries: 100_000 }) },
    });
    const victim = new Visitor(restaurantFlow(), 'session-victim');
    const call = victim.trigger('CreateBooking', booking);
    expect((await handler(victim.request(call), { clientAddress: '203.0.113.1' })).status).toBe(200);

    // Real conversations, one per call, from one address: the attacker's quota runs out, nobody's record is forgotten.
    const statuses: number[] = [];
    for (let index = 0; index < 300; index++) {
      const attacker = new Visitor(restaurantFlow(), `session-flood-${index}`);
      const flood = attacker.trigger('CheckAvailability', { date: '2026-12-24', time: '12:00', partySize: 2 });
      statuses.push((await handler(attacker.request(flood), { clientAddress: '198.51.100.7' })).status);
    }
    expect(statuses.filter((status) => status === 200)).toHaveLength(100);
    expect(statuses.filter((status) => status === 429)).toHaveLength(200);

    const retry = await handler(victim.request(call), { clientAddress: '203.0.113.1' });
    expect(retry.status).toBe(200);
    expect(retry.headers.get('idempotent-replayed')).toBe('true');
    expect(await retry.json()).toMatchObject({ result: { bookingId: 'B-1' } });
    expect(runs).toEqual([call.idempotencyKey]);
  });

  it('a tool that outlives its timeout holds its key: no overlapping attempt, no second run, and the retry gets the late result', async () => {
    const flow: Flow = restaurantFlow();
    flow.tools = { ...flow.tools, CreateBooking: { ...flow.tools?.CreateBooking, timeout_ms: 50, retries: 3 } as NonNullable<Flow['tools']>[string] };
    let running = 0;
    let overlapped = false;
    const runs: number[] = [];
    let finish: () => void = () => undefined;
    const finished = new Promise<void>((resolve) => {
      finish = resolve;
    });
    const tools: ToolImplementations = {
      CreateBooking: {
        domain: 'reservations',
        // Ignores the abort signal, as a careless backend would, and books late.
        handler: async () => {
          running += 1;
          if (running > 1) overlapped = true;
          runs.push(runs.length + 1);
          await finished;
          running -= 1;
          return { bookingId: 'B-late' };
        },
      },
    };
    const handler = createRelay({ flows: [flow], tools, logger: captureLogs().sink, now: () => NOW, toolRetry: { sleep: async () => undefined }, rateLimits: { perIp: false, perSession: false } });
    const visitor = new Visitor(flow, 'session-slow');
    const call = visitor.trigger('CreateBooking', booking);

    const first = await handler(visitor.request(call));
    expect(first.status).toBe(504);
    expect((await errorOf(first)).code).toBe('tool_timeout');
    // The attempt is still alive: retries are told to wait, nothing starts again.
    for (let retry = 0; retry < 3; retry++) {
      const again = await handler(visitor.request(call));
      expect(again.status).toBe(409);
      expect((await errorOf(again)).code).toBe('idempotency_in_progress');
    }
    finish();
    await new Promise((resolve) => setTimeout(resolve, 20));
    const late = await handler(visitor.request(call));
    expect(late.status).toBe(200);
    expect(await late.json()).toMatchObject({ result: { bookingId: 'B-late' } });
    expect(runs).toEqual([1]);
    expect(overlapped).toBe(false);
  });

  it('a timed-out attempt that stops when aborted is waited for before the next one starts', async () => {
    const flow: Flow = restaurantFlow();
    flow.tools = { ...flow.tools, CreateBooking: { ...flow.tools?.CreateBooking, timeout_ms: 30, retries: 2 } as NonNullable<Flow['tools']>[string] };
    let running = 0;
    let maxRunning = 0;
    let attempts = 0;
    const tools: ToolImplementations = {
      CreateBooking: {
        domain: 'reservations',
        handler: (_args, context) =>
          new Promise((resolve, reject) => {
            attempts += 1;
            running += 1;
            maxRunning = Math.max(maxRunning, running);
            const attempt = attempts;
            // Stops 10 ms after the abort, the third attempt answers in time.
            const timer = setTimeout(() => {
              running -= 1;
              resolve({ bookingId: `B-${attempt}` });
            }, attempt === 3 ? 5 : 1000);
            context.signal.addEventListener('abort', () => {
              setTimeout(() => {
                clearTimeout(timer);
                running -= 1;
                reject(new Error('aborted'));
              }, 10);
            });
          }),
      },
    };
    const handler = createRelay({ flows: [flow], tools, logger: captureLogs().sink, now: () => NOW, toolRetry: { sleep: async () => undefined }, rateLimits: { perIp: false, perSession: false } });
    const visitor = new Visitor(flow, 'session-abortable');
    const call = visitor.trigger('CreateBooking', booking);
    const response = await handler(visitor.request(call));
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ result: { bookingId: 'B-3' } });
    expect(maxRunning).toBe(1);
  });
});
