import type { IdempotencyClaim, IdempotencyStore, RateLimitStore, StoredResponse } from './types.ts';

type Clock = () => number;

type IdempotencyRecord =
  | { state: 'running'; token: string; fingerprint: string; expiresAt: number }
  | { state: 'done'; fingerprint: string; response: StoredResponse; expiresAt: number };

// Expired entries are swept every so many writes instead of on a timer, so an
// idle relay holds no timer and importing the module starts nothing.
const SWEEP_EVERY = 1024;
/** Default cap on entries per store: clients choose session ids and idempotency keys, so memory needs a bound. */
export const DEFAULT_MAX_ENTRIES = 100_000;

function sweep<Value extends { expiresAt: number }>(entries: Map<string, Value>, now: number): void {
  for (const [key, entry] of entries) if (entry.expiresAt <= now) entries.delete(key);
}

/**
 * Past `maxEntries`, drops expired entries, then the oldest (Map order is
 * insertion order), `keep` first spared, down to nine tenths of the cap so the
 * work is done once per many writes rather than on each.
 */
function enforceCap<Value extends { expiresAt: number }>(entries: Map<string, Value>, maxEntries: number, now: number, spare: (entry: Value) => boolean = () => false): void {
  if (entries.size <= maxEntries) return;
  sweep(entries, now);
  const target = Math.floor(maxEntries * 0.9);
  for (const pass of [true, false]) {
    for (const [key, entry] of entries) {
      if (entries.size <= target) return;
      if (pass && spare(entry)) continue;
      entries.delete(key);
    }
  }
}

export interface MemoryStoreOptions {
  now?: Clock;
  /** Entries kept at most; past it the oldest go first. Default 100,000. */
  maxEntries?: number;
}

let tokenCounter = 0;
function newToken(): string {
  tokenCounter += 1;
  return `${Date.now().toString(36)}-${tokenCounter.toString(36)}-${Math.random().toString(36).slice(2, 10)}`;
}

/**
 * Idempotency records in this process's memory: right for a single relay
 * instance. At most `maxEntries` records: past that, finished calls are
 * forgotten oldest first (a retry with a forgotten key runs the tool again),
 * and running ones only if nothing else is left.
 */
export class MemoryIdempotencyStore implements IdempotencyStore {
  readonly #records = new Map<string, IdempotencyRecord>();
  readonly #now: Clock;
  readonly #maxEntries: number;
  #writes = 0;

  constructor(options: MemoryStoreOptions = {}) {
    this.#now = options.now ?? Date.now;
    this.#maxEntries = options.maxEntries ?? DEFAULT_MAX_ENTRIES;
  }

  async claim(key: string, fingerprint: string, leaseMs: number): Promise<IdempotencyClaim> {
    const now = this.#now();
    const existing = this.#records.get(key);
    if (existing && existing.expiresAt > now) {
      if (existing.state === 'done') return { state: 'done', fingerprint: existing.fingerprint, response: existing.response };
      return { state: 'running', fingerprint: existing.fingerprint, retryAfterMs: existing.expiresAt - now };
    }
    const token = newToken();
    this.#write(key, { state: 'running', token, fingerprint, expiresAt: now + leaseMs });
    return { state: 'claimed', token };
  }

  async complete(key: string, token: string, fingerprint: string, response: StoredResponse, ttlMs: number): Promise<void> {
    const existing = this.#records.get(key);
    if (existing?.state !== 'running' || existing.token !== token) return;
    this.#write(key, { state: 'done', fingerprint, response, expiresAt: this.#now() + ttlMs });
  }

  async release(key: string, token: string): Promise<void> {
    const existing = this.#records.get(key);
    if (existing?.state === 'running' && existing.token === token) this.#records.delete(key);
  }

  #write(key: string, record: IdempotencyRecord): void {
    // Deleted first so the Map's order stays least recently written first.
    this.#records.delete(key);
    this.#records.set(key, record);
    this.#writes += 1;
    if (this.#writes % SWEEP_EVERY === 0) sweep(this.#records, this.#now());
    enforceCap(this.#records, this.#maxEntries, this.#now(), (entry) => entry.state === 'running');
  }
}

/**
 * Fixed-window counters in this process's memory, at most `maxEntries` of
 * them: past that, the oldest windows are forgotten (their keys start afresh).
 */
export class MemoryRateLimitStore implements RateLimitStore {
  readonly #windows = new Map<string, { count: number; expiresAt: number }>();
  readonly #now: Clock;
  readonly #maxEntries: number;
  #writes = 0;

  constructor(options: MemoryStoreOptions = {}) {
    this.#now = options.now ?? Date.now;
    this.#maxEntries = options.maxEntries ?? DEFAULT_MAX_ENTRIES;
  }

  async hit(key: string, windowMs: number): Promise<{ count: number; resetInMs: number }> {
    const now = this.#now();
    let window = this.#windows.get(key);
    if (!window || window.expiresAt <= now) {
      window = { count: 0, expiresAt: now + windowMs };
      this.#windows.delete(key);
      this.#windows.set(key, window);
      this.#writes += 1;
      if (this.#writes % SWEEP_EVERY === 0) sweep(this.#windows, now);
      enforceCap(this.#windows, this.#maxEntries, now);
    }
    window.count += 1;
    return { count: window.count, resetInMs: window.expiresAt - now };
  }
}
