import { describe, expect, it } from 'vitest';
import { MemoryIdempotencyStore, MemoryRateLimitStore } from '../../relay/stores/memory.ts';

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

describe('memory stores stay bounded', () => {
  it('forgets the oldest finished idempotency records past the cap, sparing running ones', async () => {
    const store = new MemoryIdempotencyStore({ now: () => 0, maxEntries: 10 });
    // Two calls still running, claimed first (so the oldest).
    await store.claim('running-1', 'fp', 60_000);
    await store.claim('running-2', 'fp', 60_000);
    for (let index = 0; index < 30; index++) {
      const claim = await store.claim(`done-${index}`, 'fp', 60_000);
      if (claim.state !== 'claimed') throw new Error('unreachable');
      await store.complete(`done-${index}`, claim.token, 'fp', { status: 200, body: index }, 86_400_000);
    }
    expect((await store.claim('running-1', 'fp', 60_000)).state).toBe('running');
    expect((await store.claim('running-2', 'fp', 60_000)).state).toBe('running');
    expect((await store.claim('done-29', 'fp', 60_000)).state).toBe('done');
    // Forgotten: the key is free again.
    expect((await store.claim('done-0', 'fp', 60_000)).state).toBe('claimed');
  });

  it('keeps at most the cap of rate-limit windows, the newest', async () => {
    const store = new MemoryRateLimitStore({ now: () => 0, maxEntries: 10 });
    for (let index = 0; index < 50; index++) await store.hit(`session:${index}`, 60_000);
    expect(await store.hit('session:49', 60_000)).toEqual({ count: 2, resetInMs: 60_000 });
    expect(await store.hit('session:0', 60_000)).toEqual({ count: 1, resetInMs: 60_000 });
  });
});
