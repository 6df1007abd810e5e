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
import type { IdempotencyClaim, IdempotencyStore, RateLimitStore, StoredResponse } from './types.ts';

// Every check-and-set runs as one Lua script, so two instances racing on one
// key cannot both claim it. (`redis.eval` is Redis's EVAL command: these fixed
// scripts run inside Redis; no JavaScript is evaluated.)
const CLAIM = `
local current = redis.call('GET', KEYS[1])
if current then return {current, redis.call('PTTL', KEYS[1])} end
redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
return false`;

const COMPLETE = `
local current = redis.call('GET', KEYS[1])
if not current then return 0 end
local record = cjson.decode(current)
if record.state ~= 'running' or record.token ~= ARGV[1] then return 0 end
redis.call('SET', KEYS[1], ARGV[2], 'PX', ARGV[3])
return 1`;

const RELEASE = `
local current = redis.call('GET', KEYS[1])
if not current then return 0 end
local record = cjson.decode(current)
if record.state ~= 'running' or record.token ~= ARGV[1] then return 0 end
redis.call('DEL', KEYS[1])
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
  | { state: 'running'; token: string; fingerprint: string }
  | { state: 'done'; fingerprint: string; response: StoredResponse };

function randomToken(): string {
  return globalThis.crypto.randomUUID();
}

export class RedisIdempotencyStore implements IdempotencyStore {
  constructor(
    private readonly redis: Redis,
    private readonly prefix = 'statechat:idempotency:',
  ) {}

  async claim(key: string, fingerprint: string, leaseMs: number): Promise<IdempotencyClaim> {
    const token = randomToken();
    const record: StoredRecord = { state: 'running', token, fingerprint };
    const answer = (await this.redis.eval(CLAIM, 1, this.prefix + key, JSON.stringify(record), String(leaseMs))) as
      | [string, number]
      | null;
    if (answer === null) return { state: 'claimed', token };
    const [current, remainingMs] = answer;
    const existing = JSON.parse(current) as StoredRecord;
    if (existing.state === 'done') return { state: 'done', fingerprint: existing.fingerprint, response: existing.response };
    return { state: 'running', fingerprint: existing.fingerprint, retryAfterMs: Math.max(0, remainingMs) };
  }

  async complete(key: string, token: string, fingerprint: string, response: StoredResponse, ttlMs: number): Promise<void> {
    const record: StoredRecord = { state: 'done', fingerprint, response };
    await this.redis.eval(COMPLETE, 1, this.prefix + key, token, JSON.stringify(record), String(ttlMs));
  }

  async release(key: string, token: string): Promise<void> {
    await this.redis.eval(RELEASE, 1, this.prefix + key, token);
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
export function redisStores(redis: Redis, prefix = 'statechat:') {
  return {
    idempotency: new RedisIdempotencyStore(redis, `${prefix}idempotency:`),
    rateLimit: new RedisRateLimitStore(redis, `${prefix}rate:`),
  };
}
