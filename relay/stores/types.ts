/**
 * Where the relay keeps its only state: idempotency records and rate-limit
 * counters. The memory stores serve one instance; the Redis stores
 * (`statechat-relay/redis`, Node only) serve several behind a load balancer.
 */

/** A finished tool call as it was answered, replayed for a repeated key. */
export interface StoredResponse {
  status: number;
  body: unknown;
}

export type IdempotencyClaim =
  /** Nobody held the key: the caller owns it now and must `complete` or `release` it. */
  | { state: 'claimed'; token: string }
  /** Another call with this key is still running. */
  | { state: 'running'; fingerprint: string; retryAfterMs: number }
  /** A call with this key finished; its answer is stored. */
  | { state: 'done'; fingerprint: string; response: StoredResponse }
  /**
   * No room for a new key: the client already holds its quota of live keys,
   * or the store is full. Live keys are never evicted to make room, so a
   * flood of one client's calls cannot make another's retry run twice.
   */
  | { state: 'refused'; reason: 'client_quota' | 'store_full'; retryAfterMs: number };

export interface IdempotencyStore {
  /**
   * Atomically claims `key` for a call whose arguments hash to `fingerprint`,
   * on behalf of `client` (the caller's identity or address, for quotas), or
   * reports what holds it. The claim lapses after `leaseMs` unless extended,
   * so a relay that dies mid-call does not block the key forever.
   */
  claim(key: string, fingerprint: string, leaseMs: number, client: string): Promise<IdempotencyClaim>;
  /** Keeps a claim alive while its tool may still run; false when the claim is no longer this token's. */
  extend(key: string, token: string, leaseMs: number): Promise<boolean>;
  /** Stores the answer for `ttlMs`; only the holder of `token` may. */
  complete(key: string, token: string, fingerprint: string, response: StoredResponse, ttlMs: number): Promise<void>;
  /** Gives the key back after a failed call, so the client may retry with it. */
  release(key: string, token: string): Promise<void>;
}

export interface RateLimitStore {
  /** Counts one hit on `key` in the current fixed window of `windowMs`. */
  hit(key: string, windowMs: number): Promise<{ count: number; resetInMs: number }>;
}

/** Kept for 24 hours: longer than any client's offline outbox is expected to wait. */
export const DEFAULT_IDEMPOTENCY_TTL_MS = 24 * 60 * 60 * 1000;
/** Live idempotency keys one client (identity or address) may hold at once. */
export const DEFAULT_KEYS_PER_CLIENT = 5000;
