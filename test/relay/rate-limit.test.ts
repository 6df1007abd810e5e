import { describe, expect, it } from 'vitest';
import { enforceRateLimit } from '../../relay/middleware/rate-limit.ts';
import { MemoryRateLimitStore } from '../../relay/stores/memory.ts';
import { errorOf, get, post, testRelay } from './helpers.ts';

describe('rate limits', () => {
  it('counts a fixed window and answers 429 with Retry-After', async () => {
    let now = 0;
    const store = new MemoryRateLimitStore({ now: () => now });
    const rule = { limit: 2, windowMs: 10_000 };
    await enforceRateLimit(store, 'ip:a', rule);
    await enforceRateLimit(store, 'ip:a', rule);
    await expect(enforceRateLimit(store, 'ip:a', rule)).rejects.toMatchObject({ status: 429, headers: { 'retry-after': '10' } });
    await enforceRateLimit(store, 'ip:b', rule);
    now = 10_001;
    await enforceRateLimit(store, 'ip:a', rule);
  });

  it('limits per client address through the relay', async () => {
    const { handler } = testRelay({ rateLimits: { perIp: { limit: 2, windowMs: 60_000 }, perSession: false } });
    const context = { clientAddress: '203.0.113.9' };
    expect((await handler(get('/v1/health'), context)).status).toBe(200);
    expect((await handler(get('/v1/health'), context)).status).toBe(200);
    const limited = await handler(get('/v1/health'), context);
    expect(limited.status).toBe(429);
    expect(limited.headers.get('retry-after')).toBe('60');
    expect((await errorOf(limited)).code).toBe('rate_limited');
    expect((await handler(get('/v1/health'), { clientAddress: '203.0.113.10' })).status).toBe(200);
  });

  it('limits per session through the relay', async () => {
    const { handler } = testRelay({ rateLimits: { perIp: false, perSession: { limit: 1, windowMs: 60_000 } } });
    const body = (sessionId: string) => ({ flowId: 'restaurant', state: 'Start', sessionId, text: 'when are you open' });
    expect((await handler(post('/v1/classify', body('a')))).status).toBe(200);
    expect((await handler(post('/v1/classify', body('a')))).status).toBe(429);
    expect((await handler(post('/v1/classify', body('b')))).status).toBe(200);
  });
});
