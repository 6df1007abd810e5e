import { describe, expect, it } from 'vitest';
import { MemoryIdempotencyStore, MemoryRateLimitStore } from '../../relay/stores/memory.ts';

describe('memory idempotency store', () => {
  it('claims once, reports running, then done; lets only the holder complete', async () => {
    let now = 0;
    const store = new MemoryIdempotencyStore({ now: () => now });
    const claim = await store.claim('k', 'fp', 1000, 'ip:a');
    expect(claim.state).toBe('claimed');
    expect(await store.claim('k', 'fp', 1000, 'ip:a')).toMatchObject({ state: 'running', fingerprint: 'fp', retryAfterMs: 1000 });
    if (claim.state !== 'claimed') throw new Error('unreachable');
    await store.complete('k', 'someone-else', 'fp', { status: 200, body: 'wrong' }, 5000);
    await store.complete('k', claim.token, 'fp', { status: 200, body: { result: 1 } }, 5000);
    expect(await store.claim('k', 'fp', 1000, 'ip:a')).toEqual({ state: 'done', fingerprint: 'fp', response: { status: 200, body: { result: 1 } } });
    now = 5001;
    expect((await store.claim('k', 'fp', 1000, 'ip:a')).state).toBe('claimed');
  });

  it('frees a lapsed lease and a released key; an extended lease does not lapse', async () => {
    let now = 0;
    const store = new MemoryIdempotencyStore({ now: () => now });
    const first = await store.claim('k', 'fp', 100, 'ip:a');
    now = 101;
    expect((await store.claim('k', 'fp', 100, 'ip:a')).state).toBe('claimed');
    if (first.state !== 'claimed') throw new Error('unreachable');
    const second = await store.claim('j', 'fp', 100, 'ip:a');
    if (second.state !== 'claimed') throw new Error('unreachable');
    await store.release('j', second.token);
    expect((await store.claim('j', 'fp', 100, 'ip:a')).state).toBe('claimed');

    const held = await store.claim('held', 'fp', 100, 'ip:a');
    if (held.state !== 'claimed') throw new Error('unreachable');
    for (let tick = 0; tick < 10; tick++) {
      now += 90;
      expect(await store.extend('held', held.token, 100)).toBe(true);
    }
    expect((await store.claim('held', 'fp', 100, 'ip:a')).state).toBe('running');
    expect(await store.extend('held', 'not-the-token', 100)).toBe(false);
  });
});

describe('memory stores stay bounded without forgetting live keys', () => {
  it('a flood of one client\'s keys hits that client\'s quota; another client\'s finished key is still answered', async () => {
    const store = new MemoryIdempotencyStore({ now: () => 0, keysPerClient: 50, maxEntries: 1000 });
    const booking = await store.claim('victim-booking', 'fp', 60_000, 'ip:victim');
    if (booking.state !== 'claimed') throw new Error('unreachable');
    await store.complete('victim-booking', booking.token, 'fp', { status: 200, body: { bookingId: 'B-1' } }, 86_400_000);
    const outcomes: string[] = [];
    for (let index = 0; index < 500; index++) outcomes.push((await store.claim(`flood-${index}`, 'fp', 60_000, 'ip:attacker')).state);
    expect(outcomes.filter((state) => state === 'claimed')).toHaveLength(50);
    expect(outcomes.filter((state) => state === 'refused')).toHaveLength(450);
    expect(await store.claim('victim-booking', 'fp', 60_000, 'ip:victim')).toMatchObject({ state: 'done', response: { body: { bookingId: 'B-1' } } });
  });

  it('past the whole store\'s cap refuses new keys rather than evicting old ones', async () => {
    const store = new MemoryIdempotencyStore({ now: () => 0, keysPerClient: 1000, maxEntries: 10 });
    for (let index = 0; index < 10; index++) expect((await store.claim(`k-${index}`, 'fp', 60_000, `ip:${index}`)).state).toBe('claimed');
    expect(await store.claim('k-10', 'fp', 60_000, 'ip:10')).toMatchObject({ state: 'refused', reason: 'store_full' });
    expect((await store.claim('k-0', 'fp', 60_000, 'ip:0')).state).toBe('running');
  });

  it('frees quota as records expire', async () => {
    let now = 0;
    const store = new MemoryIdempotencyStore({ now: () => now, keysPerClient: 2 });
    await store.claim('a', 'fp', 1000, 'ip:x');
    await store.claim('b', 'fp', 1000, 'ip:x');
    expect((await store.claim('c', 'fp', 1000, 'ip:x')).state).toBe('refused');
    now = 5000;
    expect((await store.claim('c', 'fp', 1000, 'ip:x')).state).toBe('claimed');
  });

  it('keeps at most the cap of rate-limit windows, the newest', async () => {
    const store = new MemoryRateLimitStore({ now: () => 0, maxEntries: 10 });
    for (let index = 0; index < 50; index++) await store.hit(`session:${index}`, 60_000);
    expect(await store.hit('session:49', 60_000)).toEqual({ count: 2, resetInMs: 60_000 });
    expect(await store.hit('session:0', 60_000)).toEqual({ count: 1, resetInMs: 60_000 });
  });
});
