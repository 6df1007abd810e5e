/**
 * Redis-backed stores for several relay instances behind a load balancer.
 * Node only (ioredis); the relay core never imports this module.
 *
 * @example
 * import { Redis } from 'ioredis';
 * const redis = new Redis(process.env.REDIS_URL);
 * createRelay({ ..., stores: redisStores(redis) });
 */
import type { Redis } from 'ioredis';
// Handoffs for several relays live beside the other stores: `statechat-relay/redis`.
export { RedisHandoffStore } from '../handoff/redis-store.ts';
import { DEFAULT_KEYS_PER_CLIENT, type IdempotencyClaim, type IdempotencyStore, type RateLimitStore, type StoredResponse } from './types.ts';

// Every check-and-set runs as one Lua script, so two instances racing on one
// key cannot both claim it. (`redis.eval` is Redis's EVAL command: these fixed
// scripts run inside Redis; no JavaScript is evaluated.)
// KEYS[1] the record, KEYS[2] the client's set of live keys (scored by expiry).
// ARGV: record, lease ms, now ms, keys per client, key name (member of the set).
// A record is never evicted to make room: past the quota the claim is refused.
const CLAIM = `
local current = redis.call('GET', KEYS[1])
if current then return {current, redis.call('PTTL', KEYS[1])} end
local now = tonumber(ARGV[3])
redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', now)
if redis.call('ZCARD', KEYS[2]) >= tonumber(ARGV[4]) then return {'quota', 0} end
redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
redis.call('ZADD', KEYS[2], now + tonumber(ARGV[2]), ARGV[5])
redis.call('PEXPIRE', KEYS[2], ARGV[2])
return false`;

const EXTEND = `
local current = redis.call('GET', KEYS[1])
if not current then return 0 end
local record = cjson.decode(current)
if record.state ~= 'running' or record.token ~= ARGV[1] then return 0 end
if redis.call('PTTL', KEYS[1]) < tonumber(ARGV[2]) then redis.call('PEXPIRE', KEYS[1], ARGV[2]) end
redis.call('ZADD', KEYS[2], 'GT', tonumber(ARGV[3]) + tonumber(ARGV[2]), ARGV[4])
if redis.call('PTTL', KEYS[2]) < tonumber(ARGV[2]) then redis.call('PEXPIRE', KEYS[2], ARGV[2]) end
return 1`;

const COMPLETE = `
local current = redis.call('GET', KEYS[1])
if not current then return 0 end
local record = cjson.decode(current)
if record.state ~= 'running' or record.token ~= ARGV[1] then return 0 end
redis.call('SET', KEYS[1], ARGV[2], 'PX', ARGV[3])
redis.call('ZADD', KEYS[2], tonumber(ARGV[4]) + tonumber(ARGV[3]), ARGV[5])
if redis.call('PTTL', KEYS[2]) < tonumber(ARGV[3]) then redis.call('PEXPIRE', KEYS[2], ARGV[3]) end
return 1`;

const RELEASE = `
local current = redis.call('GET', KEYS[1])
if not current then return 0 end
local record = cjson.decode(current)
if record.state ~= 'running' or record.token ~= ARGV[1] then return 0 end
redis.call('DEL', KEYS[1])
redis.call('ZREM', KEYS[2], ARGV[2])
return 1`;

const HIT = `
local count = redis.call('INCR', KEYS[1])
local ttl = redis.call('PTTL', KEYS[1])
if ttl < 0 then
  redis.call('PEXPIRE', KEYS[1], ARGV[1])
  ttl = tonumber(ARGV[1])
end
return {count, ttl}`;

type StoredRecord =
  | { state: 'running'; token: string; fingerprint: string; client: string }
  | { state: 'done'; fingerprint: string; response: StoredResponse; client: string };

function randomToken(): string {
  return globalThis.crypto.randomUUID();
}

export interface RedisIdempotencyOptions {
  prefix?: string;
  /** Live keys one client may hold. Default 5,000. */
  keysPerClient?: number;
  now?: () => number;
}

/**
 * Idempotency records in Redis, shared by every relay instance. Records are
 * kept for their TTL; a client past its quota of live keys is refused rather
 * than anyone's key forgotten. Run Redis with `maxmemory-policy noeviction`
 * (its default) so Redis itself never drops a live key either.
 */
export class RedisIdempotencyStore implements IdempotencyStore {
  private readonly prefix: string;
  private readonly keysPerClient: number;
  private readonly now: () => number;

  constructor(
    private readonly redis: Redis,
    options: RedisIdempotencyOptions | string = {},
  ) {
    const settings = typeof options === 'string' ? { prefix: options } : options;
    this.prefix = settings.prefix ?? 'statechat:idempotency:';
    this.keysPerClient = settings.keysPerClient ?? DEFAULT_KEYS_PER_CLIENT;
    this.now = settings.now ?? Date.now;
  }

  private clientKey(client: string): string {
    return `${this.prefix}client:${client}`;
  }

  async claim(key: string, fingerprint: string, leaseMs: number, client: string): Promise<IdempotencyClaim> {
    const token = randomToken();
    const record: StoredRecord = { state: 'running', token, fingerprint, client };
    const answer = (await this.redis.eval(
      CLAIM,
      2,
      this.prefix + key,
      this.clientKey(client),
      JSON.stringify(record),
      String(leaseMs),
      String(this.now()),
      String(this.keysPerClient),
      key,
    )) as [string, number] | null;
    if (answer === null) return { state: 'claimed', token };
    const [current, remainingMs] = answer;
    if (current === 'quota') return { state: 'refused', reason: 'client_quota', retryAfterMs: 60_000 };
    const existing = JSON.parse(current) as StoredRecord;
    if (existing.state === 'done') return { state: 'done', fingerprint: existing.fingerprint, response: existing.response };
    return { state: 'running', fingerprint: existing.fingerprint, retryAfterMs: Math.max(0, remainingMs) };
  }

  async extend(key: string, token: string, leaseMs: number): Promise<boolean> {
    const current = await this.redis.get(this.prefix + key);
    if (current === null) return false;
    const record = JSON.parse(current) as StoredRecord;
    const extended = await this.redis.eval(EXTEND, 2, this.prefix + key, this.clientKey(record.client), token, String(leaseMs), String(this.now()), key);
    return extended === 1;
  }

  async complete(key: string, token: string, fingerprint: string, response: StoredResponse, ttlMs: number): Promise<void> {
    const current = await this.redis.get(this.prefix + key);
    if (current === null) return;
    const client = (JSON.parse(current) as StoredRecord).client;
    const record: StoredRecord = { state: 'done', fingerprint, response, client };
    await this.redis.eval(COMPLETE, 2, this.prefix + key, this.clientKey(client), token, JSON.stringify(record), String(ttlMs), String(this.now()), key);
  }

  async release(key: string, token: string): Promise<void> {
    const current = await this.redis.get(this.prefix + key);
    if (current === null) return;
    const client = (JSON.parse(current) as StoredRecord).client;
    await this.redis.eval(RELEASE, 2, this.prefix + key, this.clientKey(client), token, key);
  }
}

export class RedisRateLimitStore implements RateLimitStore {
  constructor(
    private readonly redis: Redis,
    private readonly prefix = 'statechat:rate:',
  ) {}

  async hit(key: string, windowMs: number): Promise<{ count: number; resetInMs: number }> {
    const [count, ttl] = (await this.redis.eval(HIT, 1, this.prefix + key, String(windowMs))) as [number, number];
    return { count, resetInMs: ttl };
  }
}

/** Both stores on one connection. */
export function redisStores(redis: Redis, prefix = 'statechat:', options: Omit<RedisIdempotencyOptions, 'prefix'> = {}) {
  return {
    idempotency: new RedisIdempotencyStore(redis, { ...options, prefix: `${prefix}idempotency:` }),
    rateLimit: new RedisRateLimitStore(redis, `${prefix}rate:`),
  };
}
