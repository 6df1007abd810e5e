import { DEFAULT_KEYS_PER_CLIENT, type IdempotencyClaim, type IdempotencyStore, type RateLimitStore, type StoredResponse } from './types.ts';

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

export interface MemoryIdempotencyOptions {
  now?: Clock;
  /** Records held at most; past it new keys are refused (never evicted). Default 100,000. */
  maxEntries?: number;
  /** Live keys one client may hold. Default 5,000. */
  keysPerClient?: number;
}

type OwnedRecord = IdempotencyRecord & { client: string };

/** Sweeps at most this often when a quota or the cap is hit, so a flood cannot make every request scan the store. */
const SWEEP_INTERVAL_MS = 1000;

/**
 * Idempotency records in this process's memory: right for a single relay
 * instance. Records live until their TTL (finished calls) or lease (running
 * ones) ends and are never evicted early: room is bounded by a quota of live
 * keys per client and a cap on the whole store, and a claim past either is
 * refused (429 / 503) rather than forgetting someone else's key.
 */
export class MemoryIdempotencyStore implements IdempotencyStore {
  readonly #records = new Map<string, OwnedRecord>();
  readonly #perClient = new Map<string, number>();
  readonly #now: Clock;
  readonly #maxEntries: number;
  readonly #keysPerClient: number;
  #writes = 0;
  #lastSweep = Number.NEGATIVE_INFINITY;

  constructor(options: MemoryIdempotencyOptions = {}) {
    this.#now = options.now ?? Date.now;
    this.#maxEntries = options.maxEntries ?? DEFAULT_MAX_ENTRIES;
    this.#keysPerClient = options.keysPerClient ?? DEFAULT_KEYS_PER_CLIENT;
  }

  /** Records held now (expired ones included until the next sweep). */
  get size(): number {
    return this.#records.size;
  }

  async claim(key: string, fingerprint: string, leaseMs: number, client: string): Promise<IdempotencyClaim> {
    const now = this.#now();
    const existing = this.#records.get(key);
    if (existing && existing.expiresAt > now) {
      if (existing.state === 'done') return { state: 'done', fingerprint: existing.fingerprint, response: existing.response };
      return { state: 'running', fingerprint: existing.fingerprint, retryAfterMs: existing.expiresAt - now };
    }
    if (existing) this.#delete(key, existing);
    if ((this.#perClient.get(client) ?? 0) >= this.#keysPerClient || this.#records.size >= this.#maxEntries) {
      this.#sweepSometimes(now);
      if ((this.#perClient.get(client) ?? 0) >= this.#keysPerClient) return { state: 'refused', reason: 'client_quota', retryAfterMs: 60_000 };
      if (this.#records.size >= this.#maxEntries) return { state: 'refused', reason: 'store_full', retryAfterMs: 60_000 };
    }
    const token = newToken();
    this.#records.set(key, { state: 'running', token, fingerprint, expiresAt: now + leaseMs, client });
    this.#perClient.set(client, (this.#perClient.get(client) ?? 0) + 1);
    this.#writes += 1;
    if (this.#writes % SWEEP_EVERY === 0) this.#sweep(now);
    return { state: 'claimed', token };
  }

  async extend(key: string, token: string, leaseMs: number): Promise<boolean> {
    const existing = this.#records.get(key);
    if (existing?.state !== 'running' || existing.token !== token) return false;
    existing.expiresAt = Math.max(existing.expiresAt, this.#now() + leaseMs);
    return true;
  }

  async complete(key: string, token: string, fingerprint: string, response: StoredResponse, ttlMs: number): Promise<void> {
    const existing = this.#records.get(key);
    if (existing?.state !== 'running' || existing.token !== token) return;
    this.#records.set(key, { state: 'done', fingerprint, response, expiresAt: this.#now() + ttlMs, client: existing.client });
  }

  async release(key: string, token: string): Promise<void> {
    const existing = this.#records.get(key);
    if (existing?.state === 'running' && existing.token === token) this.#delete(key, existing);
  }

  #delete(key: string, record: OwnedRecord): void {
    this.#records.delete(key);
    const count = (this.#perClient.get(record.client) ?? 1) - 1;
    if (count <= 0) this.#perClient.delete(record.client);
    else this.#perClient.set(record.client, count);
  }

  #sweepSometimes(now: number): void {
    if (now - this.#lastSweep >= SWEEP_INTERVAL_MS) this.#sweep(now);
  }

  #sweep(now: number): void {
    this.#lastSweep = now;
    for (const [key, record] of this.#records) if (record.expiresAt <= now) this.#delete(key, record);
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
