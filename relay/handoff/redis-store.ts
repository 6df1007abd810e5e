/**
 * Handoffs in Redis, for several relays behind a load balancer: records and
 * events survive a relay restart, and a change made on one relay is
 * published so streams held by the others hear of it at once. Node only.
 *
 * Keys (under the prefix): `h:<id>` the record (JSON), `e:<id>` the events
 * (a list: an event's number is its position), `d:<id>` visitor message keys
 * already appended, `k:<open key>` the handoff an open request made, `open`
 * the open handoffs by creation time; the channel `notify` carries ids.
 *
 * @example
 * const redis = new Redis(process.env.REDIS_URL);
 * createRelay({ ..., handoff: { store: new RedisHandoffStore(redis), agentToken } });
 */
import type { Redis } from 'ioredis';
import { NotifyHub } from './notify-hub.ts';
import type { AppendOutcome, AppendRule, HandoffEvent, HandoffMessage, HandoffRecord, HandoffStore, NewHandoffEvent } from './types.ts';

// Each change is one Lua script, so two relays racing on one handoff cannot
// both join it, or append past its close. (`redis.eval` is Redis's EVAL: these
// fixed scripts run inside Redis; no JavaScript is evaluated.)
const CREATE = `
local existing = redis.call('GET', KEYS[1])
if existing then
  local record = redis.call('GET', ARGV[6] .. existing)
  if record then return {0, record} end
end
redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[3])
redis.call('SET', KEYS[2], ARGV[2], 'PX', ARGV[3])
redis.call('DEL', KEYS[3])
for index = 7, #ARGV do redis.call('RPUSH', KEYS[3], ARGV[index]) end
if #ARGV >= 7 then redis.call('PEXPIRE', KEYS[3], ARGV[3]) end
redis.call('ZADD', KEYS[4], ARGV[4], ARGV[1])
redis.call('PUBLISH', ARGV[5], ARGV[1])
return {1, ARGV[2]}`;

const APPEND = `
local current = redis.call('GET', KEYS[1])
if not current then return {'missing'} end
local record = cjson.decode(current)
if ARGV[5] ~= '' then
  local seen = redis.call('HGET', KEYS[3], ARGV[5])
  if seen then return {'duplicate', current, tonumber(seen)} end
end
local allowed = false
for status in string.gmatch(ARGV[2], '[^,]+') do
  if status == record.status then allowed = true end
end
if not allowed then return {'refused', current} end
local seq = redis.call('RPUSH', KEYS[2], ARGV[1])
if ARGV[5] ~= '' then
  redis.call('HSET', KEYS[3], ARGV[5], seq)
  redis.call('PEXPIRE', KEYS[3], ARGV[6])
end
if ARGV[3] ~= '' then record.status = ARGV[3] end
if ARGV[4] ~= '' then record.agent = string.sub(ARGV[4], 2) end
record.updatedAt = tonumber(ARGV[7])
local encoded = cjson.encode(record)
redis.call('SET', KEYS[1], encoded, 'PX', ARGV[6])
redis.call('PEXPIRE', KEYS[2], ARGV[6])
if record.status == 'closed' then redis.call('ZREM', KEYS[4], ARGV[9]) end
redis.call('PUBLISH', ARGV[8], ARGV[9])
return {'appended', encoded, seq}`;

function parseRecord(text: string): HandoffRecord {
  const parsed = JSON.parse(text) as HandoffRecord;
  // cjson writes an empty or null field back as null: keep the record's shape.
  return { ...parsed, reason: parsed.reason ?? null, queue: parsed.queue ?? null, agent: parsed.agent ?? null };
}

export class RedisHandoffStore implements HandoffStore {
  readonly #hub = new NotifyHub();
  #subscriber: Redis | undefined;
  #subscribing: Promise<unknown> | undefined;

  constructor(
    private readonly redis: Redis,
    private readonly prefix = 'statechat:handoff:',
  ) {}

  async create(openKey: string, record: HandoffRecord, transcript: readonly HandoffMessage[], retentionMs: number): Promise<{ created: boolean; record: HandoffRecord }> {
    const events = transcript.map((message) => JSON.stringify({ type: 'message', message }));
    const [created, stored] = (await this.redis.eval(
      CREATE,
      4,
      `${this.prefix}k:${openKey}`,
      `${this.prefix}h:${record.id}`,
      `${this.prefix}e:${record.id}`,
      `${this.prefix}open`,
      record.id,
      JSON.stringify(record),
      String(retentionMs),
      String(record.createdAt),
      `${this.prefix}notify`,
      `${this.prefix}h:`,
      ...events,
    )) as [number, string];
    return { created: created === 1, record: parseRecord(stored) };
  }

  async get(id: string): Promise<HandoffRecord | null> {
    const stored = await this.redis.get(`${this.prefix}h:${id}`);
    return stored === null ? null : parseRecord(stored);
  }

  async listOpen(limit: number): Promise<HandoffRecord[]> {
    const ids = await this.redis.zrevrange(`${this.prefix}open`, 0, Math.max(0, limit - 1));
    if (ids.length === 0) return [];
    const stored = await this.redis.mget(ids.map((id) => `${this.prefix}h:${id}`));
    const open: HandoffRecord[] = [];
    const expired: string[] = [];
    stored.forEach((text, index) => {
      if (text === null) expired.push(ids[index] as string);
      else {
        const record = parseRecord(text);
        if (record.status !== 'closed') open.push(record);
      }
    });
    // Retention removed these records: the index forgets them too.
    if (expired.length > 0) await this.redis.zrem(`${this.prefix}open`, ...expired);
    return open;
  }

  async append(id: string, event: NewHandoffEvent, rule: AppendRule, retentionMs: number): Promise<AppendOutcome> {
    const answer = (await this.redis.eval(
      APPEND,
      4,
      `${this.prefix}h:${id}`,
      `${this.prefix}e:${id}`,
      `${this.prefix}d:${id}`,
      `${this.prefix}open`,
      JSON.stringify(event),
      rule.whileStatus.join(','),
      rule.setStatus ?? '',
      // A leading mark tells setting the agent apart from leaving it as it is.
      rule.setAgent === undefined ? '' : `=${rule.setAgent}`,
      rule.dedupeKey ?? '',
      String(retentionMs),
      String(Date.now()),
      `${this.prefix}notify`,
      id,
    )) as [string, string?, number?];
    const [kind, stored, seq] = answer;
    if (kind === 'missing' || stored === undefined) return { kind: 'missing' };
    const record = parseRecord(stored);
    if (kind === 'duplicate') return { kind: 'duplicate', seq: Number(seq), record };
    if (kind === 'refused') return { kind: 'refused', record };
    return { kind: 'appended', event: { ...event, seq: Number(seq) } as HandoffEvent, record };
  }

  async eventsAfter(id: string, afterSeq: number, limit: number): Promise<HandoffEvent[]> {
    const start = Math.max(0, afterSeq);
    const items = await this.redis.lrange(`${this.prefix}e:${id}`, start, start + limit - 1);
    return items.map((text, index) => ({ ...(JSON.parse(text) as NewHandoffEvent), seq: start + index + 1 }) as HandoffEvent);
  }

  subscribe(id: string, listener: (id: string) => void): () => void {
    this.#listen();
    return this.#hub.subscribe(id, listener);
  }

  /** Ends the subscriber connection (the main one is the caller's). */
  async close(): Promise<void> {
    const subscriber = this.#subscriber;
    this.#subscriber = undefined;
    if (subscriber) await subscriber.quit().catch(() => subscriber.disconnect());
  }

  /** One subscriber connection per relay, opened on the first stream, fans notices out in the process. */
  #listen(): void {
    if (this.#subscriber) return;
    const subscriber = this.redis.duplicate();
    this.#subscriber = subscriber;
    subscriber.on('error', () => undefined);
    subscriber.on('message', (_channel: string, id: string) => this.#hub.notify(id));
    this.#subscribing = subscriber.subscribe(`${this.prefix}notify`).catch(() => undefined);
  }

  /** Resolves once the subscriber listens (tests wait for it before publishing). */
  async ready(): Promise<void> {
    this.#listen();
    await this.#subscribing;
  }
}
