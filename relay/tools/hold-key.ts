import type { IdempotencyStore, StoredResponse } from '../stores/types.ts';

export interface HoldOptions {
  store: IdempotencyStore;
  key: string;
  token: string;
  leaseMs: number;
  fingerprint: string;
  ttlMs: number;
  /** Settles when the timed-out attempt finally stops: with its (checked) result, or without. */
  straggler: Promise<{ ok: true; result: unknown } | { ok: false }>;
  complete: (result: unknown) => StoredResponse;
  /** Longest the key is held for an attempt that never settles; then its lease lapses. */
  maxHoldMs: number;
  onSettled?: (outcome: 'late_result' | 'failed' | 'store_error' | 'abandoned') => void;
}

/**
 * Keeps an idempotency key claimed while an attempt that outlived its
 * timeout is still running, renewing the lease, so a retry with the key
 * gets "in progress" instead of starting the side effect a second time.
 * When the attempt stops, a late result is stored as the key's answer (the
 * retry receives it), and a failure frees the key.
 */
export function holdWhileRunning(options: HoldOptions): void {
  const { store, key, token, leaseMs } = options;
  const holdUntil = performance.now() + options.maxHoldMs;
  const renew = setInterval(() => {
    if (performance.now() > holdUntil) {
      // A promise that never settles cannot be told from a dead one: past this, the lease is left to lapse.
      clearInterval(renew);
      options.onSettled?.('abandoned');
      return;
    }
    store.extend(key, token, leaseMs).catch(() => undefined);
  }, Math.max(50, Math.floor(leaseMs / 3)));
  // In Node, an attempt held this way must not keep the process alive on its own.
  (renew as { unref?: () => void }).unref?.();
  void options.straggler
    .then(async (late) => {
      clearInterval(renew);
      if (late.ok) {
        await store.complete(key, token, options.fingerprint, options.complete(late.result), options.ttlMs);
        options.onSettled?.('late_result');
      } else {
        await store.release(key, token);
        options.onSettled?.('failed');
      }
    })
    .catch(() => {
      clearInterval(renew);
      options.onSettled?.('store_error');
    });
}
