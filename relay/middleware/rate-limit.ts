import { RelayError } from '../errors.ts';
import type { RateLimitStore } from '../stores/types.ts';

export interface RateLimitRule {
  /** Requests allowed per window. */
  limit: number;
  windowMs: number;
}

/**
 * Counts one request against `rule` for `key` (`ip:…` or `session:…`) and
 * refuses it with 429 and `Retry-After` (seconds) when the window is full.
 */
export async function enforceRateLimit(store: RateLimitStore, key: string, rule: RateLimitRule): Promise<void> {
  const { count, resetInMs } = await store.hit(key, rule.windowMs);
  if (count > rule.limit) {
    throw new RelayError(429, 'rate_limited', 'Too many requests; slow down.', {
      'retry-after': String(Math.max(1, Math.ceil(resetInMs / 1000))),
    });
  }
}
