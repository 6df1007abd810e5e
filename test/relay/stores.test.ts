import { describe, expect, it } from 'vitest';
import { MemoryIdempotencyStore } from '../../relay/stores/memory.ts';

describe('memory idempotency store', () => {
  it('claims once, reports running, then done; lets only the holder complete', async () => {
    let now = 0;
    const store = new MemoryIdempotencyStore({ now: () => now });
    const claim = await store.claim('k', 'fp', 1000);
    expect(claim.state).toBe('claimed');
    expect(await store.claim('k', 'fp', 1000)).toMatchObject({ state: 'running', fingerprint: 'fp', retryAfterMs: 1000 });
    if (claim.state !== 'claimed') throw new Error('unreachable');
    await store.complete('k', 'someone-else', 'fp', { status: 200, body: 'wrong' }, 5000);
    await store.complete('k', claim.token, 'fp', { status: 200, body: { result: 1 } }, 5000);
    expect(await store.claim('k', 'fp', 1000)).toEqual({ state: 'done', fingerprint: 'fp', response: { status: 200, body: { result: 1 } } });
    now = 5001;
    expect((await store.claim('k', 'fp', 1000)).state).toBe('claimed');
  });

  it('frees a lapsed lease and a released key', async () => {
    let now = 0;
    const store = new MemoryIdempotencyStore({ now: () => now });
    const first = await store.claim('k', 'fp', 100);
    now = 101;
    expect((await store.claim('k', 'fp', 100)).state).toBe('claimed');
    if (first.state !== 'claimed') throw new Error('unreachable');
    const second = await store.claim('j', 'fp', 100);
    if (second.state !== 'claimed') throw new Error('unreachable');
    await store.release('j', second.token);
    expect((await store.claim('j', 'fp', 100)).state).toBe('claimed');
  });
});
