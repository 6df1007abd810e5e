import { describe, expect, it } from 'vitest';
import { errorOf, get, testRelay } from './helpers.ts';

describe('CORS allow-list', () => {
  const { handler } = testRelay({ allowedOrigins: ['https://restaurant.example'] });

  it('answers a preflight from an allowed origin', async () => {
    const response = await handler(
      new Request('https://relay.test/v1/tools/CreateBooking', {
        method: 'OPTIONS',
        headers: { origin: 'https://restaurant.example', 'access-control-request-method': 'POST' },
      }),
    );
    expect(response.status).toBe(204);
    expect(response.headers.get('access-control-allow-origin')).toBe('https://restaurant.example');
    expect(response.headers.get('access-control-allow-headers')).toContain('idempotency-key');
  });

  it('adds the headers to an allowed request', async () => {
    const response = await handler(get('/v1/health', { origin: 'https://restaurant.example' }));
    expect(response.status).toBe(200);
    expect(response.headers.get('access-control-allow-origin')).toBe('https://restaurant.example');
    expect(response.headers.get('vary')).toContain('Origin');
  });

  it('refuses other origins, preflight or not', async () => {
    for (const method of ['OPTIONS', 'GET']) {
      const response = await handler(new Request('https://relay.test/v1/health', { method, headers: { origin: 'https://evil.example' } }));
      expect(response.status).toBe(403);
      expect(response.headers.get('access-control-allow-origin')).toBeNull();
      expect((await errorOf(response)).code).toBe('origin_not_allowed');
    }
  });

  it('lets requests without an Origin through (servers, curl)', async () => {
    expect((await handler(get('/v1/health'))).status).toBe(200);
  });

  it("allows any origin with '*'", async () => {
    const open = testRelay({ allowedOrigins: ['*'] }).handler;
    const response = await open(get('/v1/health', { origin: 'https://anything.example' }));
    expect(response.headers.get('access-control-allow-origin')).toBe('https://anything.example');
  });
});
