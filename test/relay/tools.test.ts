import { describe, expect, it } from 'vitest';
import type { JsonObject } from '../../flows/types.ts';
import { restaurantFlow } from './fixtures.ts';
import { errorOf, post, testRelay } from './helpers.ts';
import { verifiedCall } from './support/visitor.ts';

const booking = { date: '2026-12-24', time: '19:30', partySize: 4, name: 'Ada Lovelace', phone: '+44 20 7946 0958' };

/** A bare request, without a conversation: for what the relay refuses before it replays anything. */
function callTool(name: string, body: unknown, key: string | null = 'key-00000001') {
  return post(`/v1/tools/${name}`, body, key === null ? {} : { 'idempotency-key': key });
}

/** A call a conversation of the fixture flow made (the engine derives its idempotency key from the session and position). */
function run(name: string, sessionId: string, args: JsonObject) {
  return verifiedCall(restaurantFlow(), sessionId, name, args).request();
}

describe('POST /v1/tools/:name', () => {
  it('runs an allowed tool and validates its result', async () => {
    const { handler, counters } = testRelay();
    const response = await handler(run('CheckAvailability', 'session-s1', { date: '2026-12-24', time: '19:30', partySize: 4 }));
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ result: { ok: true } });
    expect(counters.checkAvailability).toBe(1);
  });

  it.each([
    ['an unknown flow', 'CheckAvailability', 'nope'],
    ['an unknown tool', 'Nope', 'restaurant'],
    ['a tool of another flow and domain', 'LookupOrder', 'restaurant'],
    ["a tool from the restaurant's domain called from the shop flow", 'CheckAvailability', 'shop'],
    ['a tool without a domain (flow without domains)', 'NoDomainTool', 'no-domains'],
    ['a tool whose implementation is in another domain', 'MismatchedTool', 'restaurant'],
    ['a declared tool without implementation', 'UnimplementedTool', 'restaurant'],
    ['a prototype name', 'constructor', 'restaurant'],
    ['a prototype name', '__proto__', 'restaurant'],
    ['a prototype name', 'toString', 'restaurant'],
  ])('denies %s with one opaque 403', async (_label, tool, flowId) => {
    const { handler } = testRelay();
    const response = await handler(callTool(tool, { flowId, sessionId: 's1', args: {} }));
    expect(response.status).toBe(403);
    const error = await errorOf(response);
    expect(error).toEqual({ code: 'tool_not_allowed', message: 'This tool is not available to this flow.' });
    expect(JSON.stringify(error)).not.toMatch(/CheckAvailability|CreateBooking|reservations/);
  });

  it.each([
    ['a missing argument', { date: '2026-12-24', time: '19:30' }],
    ['a wrong type', { date: '2026-12-24', time: '19:30', partySize: 'four' }],
    ['an extra property', { date: '2026-12-24', time: '19:30', partySize: 4, admin: true }],
    ['an oversized string', { date: 'x'.repeat(5000), time: '19:30', partySize: 4 }],
  ])('refuses %s with 422', async (_label, args) => {
    const { handler, counters } = testRelay();
    const response = await handler(callTool('CheckAvailability', { flowId: 'restaurant', sessionId: 's1', args }));
    expect(response.status).toBe(422);
    expect((await errorOf(response)).code).toBe('invalid_arguments');
    expect(counters.checkAvailability).toBe(0);
  });

  it('refuses __proto__ and constructor keys in the payload', async () => {
    const { handler } = testRelay();
    for (const raw of [
      '{"flowId":"restaurant","sessionId":"s1","args":{"__proto__":{"admin":true}}}',
      '{"flowId":"restaurant","sessionId":"s1","args":{"constructor":{"prototype":{"admin":true}}}}',
    ]) {
      const response = await handler(callTool('CheckAvailability', raw));
      expect(response.status).toBe(400);
      expect((await errorOf(response)).code).toBe('forbidden_key');
    }
    expect(({} as Record<string, unknown>).admin).toBeUndefined();
  });

  it('requires an Idempotency-Key of sane shape', async () => {
    const { handler } = testRelay();
    for (const key of [null, 'short', 'x'.repeat(201), 'has space in it']) {
      const response = await handler(callTool('CheckAvailability', { flowId: 'restaurant', sessionId: 's1', args: {} }, key));
      expect(response.status).toBe(400);
      expect((await errorOf(response)).code).toBe('idempotency_key_required');
    }
  });

  it('replays the stored result for the same key and arguments without running again', async () => {
    const { handler, counters } = testRelay();
    const first = await handler(run('CreateBooking', 'session-s1', booking));
    const second = await handler(run('CreateBooking', 'session-s1', { ...booking }));
    expect(await first.json()).toMatchObject({ result: { bookingId: 'B-1' } });
    expect(await second.json()).toMatchObject({ result: { bookingId: 'B-1' } });
    expect(second.headers.get('idempotent-replayed')).toBe('true');
    expect(counters.createBooking).toBe(1);
  });

  it('keys records by session: another session with the same key runs', async () => {
    const { handler, counters } = testRelay();
    await handler(run('CreateBooking', 'session-s1', booking));
    const other = await handler(run('CreateBooking', 'session-s2', booking));
    expect(await other.json()).toMatchObject({ result: { bookingId: 'B-2' } });
    expect(counters.createBooking).toBe(2);
  });

  it('answers 422 when a key is reused with different arguments', async () => {
    const { handler, counters } = testRelay();
    await handler(run('CreateBooking', 'session-s1', booking));
    const reused = await handler(run('CreateBooking', 'session-s1', { ...booking, partySize: 5 }));
    expect(reused.status).toBe(422);
    expect((await errorOf(reused)).code).toBe('idempotency_key_reused');
    expect(counters.createBooking).toBe(1);
  });

  it('answers 409 with Retry-After while the first call still runs', async () => {
    const { handler, counters } = testRelay({}, { slowMs: 100 });
    const [first, second] = await Promise.all([handler(run('CreateBooking', 'session-s1', booking)), handler(run('CreateBooking', 'session-s1', booking))]);
    const statuses = [first.status, second.status].sort();
    expect(statuses).toEqual([200, 409]);
    const conflict = first.status === 409 ? first : second;
    expect(conflict.headers.get('retry-after')).toMatch(/^\d+$/);
    expect((await errorOf(conflict)).code).toBe('idempotency_in_progress');
    expect(counters.createBooking).toBe(1);
  });

  it('times out a slow tool with 504 after its retries', async () => {
    const { handler } = testRelay();
    const started = performance.now();
    const response = await handler(run('SlowTool', 'session-s1', { value: 'x' }));
    expect(response.status).toBe(504);
    expect((await errorOf(response)).code).toBe('tool_timeout');
    expect(performance.now() - started).toBeLessThan(1000);
  });

  it('retries a throwing tool, then answers 502 without its message', async () => {
    const { handler, counters, logs } = testRelay();
    const response = await handler(run('ThrowingTool', 'session-s1', {}));
    expect(response.status).toBe(502);
    const text = await response.text();
    expect(text).not.toMatch(/hunter2|10\.0\.0\.5|stack|at /);
    expect(JSON.parse(text)).toEqual({ error: { code: 'tool_failed', message: 'The tool failed.' } });
    expect(counters.throwing).toBe(3);
    expect(logs.text()).not.toContain('hunter2');
  });

  it('frees the key after a failure so the client may retry it', async () => {
    const { handler, counters } = testRelay();
    await handler(run('ThrowingTool', 'session-s1', {}));
    await handler(run('ThrowingTool', 'session-s1', {}));
    expect(counters.throwing).toBe(6);
  });

  it('refuses a result outside the result schema with 502', async () => {
    const { handler } = testRelay();
    const response = await handler(run('BadResultTool', 'session-s1', {}));
    expect(response.status).toBe(502);
    expect((await errorOf(response)).code).toBe('tool_result_invalid');
  });

  it('logs one line per tool call with name, duration and outcome', async () => {
    const { handler, logs } = testRelay();
    await handler(run('CheckAvailability', 'session-s1', { date: '2026-12-24', time: '19:30', partySize: 4 }));
    const toolLines = logs.parsed().filter((line) => line.msg === 'tool call');
    expect(toolLines).toHaveLength(1);
    expect(toolLines[0]).toMatchObject({ tool: 'CheckAvailability', outcome: 'ok', attempts: 1 });
    expect(typeof toolLines[0]?.durationMs).toBe('number');
  });
});
