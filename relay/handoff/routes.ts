/**
 * The handoff endpoints. Visitor side (the widget, holding the secret it
 * chose when it opened the handoff):
 *
 *   POST /v1/handoffs                     open (idempotent per session and key)
 *   GET  /v1/handoffs/:id/events          SSE: the agent's messages, the join, the close
 *   POST /v1/handoffs/:id/messages        { id, text }: to the agent (idempotent per id)
 *   POST /v1/handoffs/:id/leave           the flow moved on (nobody answered in time)
 *
 * Agent side (a bearer token, or the host's `authenticateAgent`):
 *
 *   GET  /v1/agent/handoffs               open handoffs, newest first
 *   GET  /v1/agent/handoffs/:id           one handoff with its transcript
 *   GET  /v1/agent/handoffs/:id/events    SSE: every event of that handoff
 *   GET  /v1/agent/stream                 SSE: a summary whenever any handoff changes
 *   POST /v1/agent/handoffs/:id/messages  { text, agent? }
 *   POST /v1/agent/handoffs/:id/close     { event?, data? }
 *
 * Transcripts are the agent's to read in full; the request log records ids,
 * counts and outcomes, never a message's text.
 */
import type { Context, Hono } from 'hono';
import type { Json } from '../../flows/index.ts';
import { installAgentConsole, type AgentConsoleAssets } from '../agent-console/serve.ts';
import { RelayError } from '../errors.ts';
import type { RelayEnvironment } from '../create-relay.ts';
import type { RegisteredFlow } from '../flow-registry.ts';
import { readJsonObject, requireString, type JsonRecord } from '../middleware/json-body.ts';
import { bearerToken, constantTimeEqual, tokenAuthenticator, unauthorized, type AgentIdentity, type AuthenticateAgent } from './agent-auth.ts';
import { handoffEventStream, handoffListStream, lastEventIdOf } from './event-stream.ts';
import { MemoryHandoffStore } from './memory-store.ts';
import { sendHandoffNotice, type HandoffWebhookOptions } from './webhook.ts';
import type { HandoffMessage, HandoffRecord, HandoffStore } from './types.ts';
import { DEFAULT_HANDOFF_RETENTION_MS } from './types.ts';

/**
 * Live handoff settings. Handoffs are on when agents can authenticate:
 * `agentToken` or `authenticateAgent`. Without either, the widget's request
 * to open one is refused and the flow's handoff stays a notice.
 *
 * @example
 * createRelay({ flows, handoff: { agentToken: process.env.AGENT_TOKEN } });
 */
export interface HandoffOptions {
  /** Where handoffs live. Default: this process's memory (one relay); `RedisHandoffStore` for several. */
  store?: HandoffStore;
  /** The bearer token agents send (`Authorization: Bearer …`); several to rotate. */
  agentToken?: string | readonly string[];
  /** Decides who is an agent instead of (or besides) the token: return null to refuse with 401. */
  authenticateAgent?: AuthenticateAgent;
  /** How long a handoff is kept after its last change. Default 24 hours. */
  retentionMs?: number;
  /** Heartbeat (and store re-read) interval of event streams. Default 15 s. */
  heartbeatMs?: number;
  /** Event streams this relay holds at most; past it a new one gets 503. Default 10,000. */
  maxStreams?: number;
  /** A JSON notice to this webhook for each new handoff (`HANDOFF_WEBHOOK_URL`), retried with backoff, never holding up the visitor. */
  webhook?: HandoffWebhookOptions;
  /** Called once per new handoff, after the visitor has the answer. */
  onOpened?: (handoff: HandoffSummary) => void;
  /** Open event streams end when this aborts (the relay is shutting down; clients reconnect elsewhere). */
  signal?: AbortSignal;
  /** The agent console to serve at `/agent` (the Node server loads the built one with `loadAgentConsole`). */
  console?: AgentConsoleAssets;
}

/** What an agent reads about a handoff (`messages` with the full transcript). */
export interface HandoffSummary {
  id: string;
  flowId: string;
  sessionId: string;
  reason: string | null;
  queue: string | null;
  status: HandoffRecord['status'];
  agent: string | null;
  createdAt: number;
  updatedAt: number;
}

export interface HandoffRouteDependencies {
  flows: ReadonlyMap<string, RegisteredFlow>;
  /** The relay's masked log (the webhook's outcome). */
  log: (level: 'info' | 'warn', fields: Record<string, unknown>, message: string) => void;
  bodyLimit: number;
  now: () => number;
  newId: () => string;
  limitSession: (flowId: string, sessionId: string) => Promise<void>;
  /** The body limit of requests that carry a conversation's journal. */
  proofBodyLimit: number;
  /** A flow and session id as the log may show them (ids the relay does not know are the client's free text). */
  logIds: (flowId: string, sessionId: string) => { flowId: string; sessionId: string };
  /**
   * Replays the body's `proof` (as for a tool call) and returns the handoff
   * the flow made at journal position `handoffAt`, or throws the 403/503 a
   * tool call would get. Absent when the relay does not verify conversations.
   */
  verifyHandoff: ((context: Context<HandoffEnvironment>, body: JsonRecord, registered: RegisteredFlow, flowId: string, sessionId: string, handoffAt: number) => Promise<{ reason: string | null; queue: string | null }>) | undefined;
}

// The relay's request environment: the handoff routes are mounted on its app.
type HandoffEnvironment = RelayEnvironment;

const MAX_ID_LENGTH = 128;
const MAX_TEXT_LENGTH = 2000;
const MAX_REASON_LENGTH = 300;
const MAX_TRANSCRIPT = 200;
const MAX_LISTED = 100;
const VISITOR_KEY = /^[A-Za-z0-9_-]{32,128}$/;
const CLIENT_KEY = /^[\x21-\x7e]{1,128}$/;
const EVENT_NAME = /^[A-Za-z][\w.:-]{0,63}$/;
const RETRY_MS = 2000;
const JSON_HEADERS = { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' };

function json(body: unknown, status = 200): Response {
  return new Response(JSON.stringify(body), { status, headers: JSON_HEADERS });
}

async function sha256Hex(text: string): Promise<string> {
  const digest = await globalThis.crypto.subtle.digest('SHA-256', new TextEncoder().encode(text));
  return [...new Uint8Array(digest)].map((byte) => byte.toString(16).padStart(2, '0')).join('');
}

/** The queues a flow's `handoff` actions name (`null` for a handoff without one); empty when it never hands off. */
export function handoffQueuesOf(definition: unknown): Set<string | null> {
  const queues = new Set<string | null>();
  const visit = (value: unknown): void => {
    if (Array.isArray(value)) {
      for (const item of value) visit(item);
      return;
    }
    if (value === null || typeof value !== 'object') return;
    for (const [key, inner] of Object.entries(value)) {
      if (key === 'handoff' && (inner === true || (inner !== null && typeof inner === 'object' && !Array.isArray(inner)))) {
        const queue = inner === true ? undefined : (inner as { queue?: unknown }).queue;
        queues.add(typeof queue === 'string' ? queue : null);
      }
      visit(inner);
    }
  };
  visit(definition);
  return queues;
}

function optionalString(body: JsonRecord, field: string, maxLength: number): string | null {
  const value = body[field];
  if (value === undefined || value === null) return null;
  if (typeof value !== 'string') throw new RelayError(400, 'bad_request', `"${field}" must be a string.`);
  if (value.length > maxLength) throw new RelayError(400, 'bad_request', `"${field}" is longer than ${maxLength} characters.`);
  return value;
}

function readTranscript(body: JsonRecord, now: number): HandoffMessage[] {
  const value = body.transcript ?? [];
  if (!Array.isArray(value)) throw new RelayError(400, 'bad_request', '"transcript" must be an array of { role, text, at }.');
  if (value.length > MAX_TRANSCRIPT) throw new RelayError(400, 'bad_request', `"transcript" has more than ${MAX_TRANSCRIPT} messages.`);
  return value.map((item, index) => {
    if (item === null || typeof item !== 'object' || Array.isArray(item)) throw new RelayError(400, 'bad_request', `transcript[${index}] must be an object.`);
    const { role, text, at } = item as Record<string, unknown>;
    if (role !== 'visitor' && role !== 'bot') throw new RelayError(400, 'bad_request', `transcript[${index}].role must be "visitor" or "bot".`);
    if (typeof text !== 'string' || text.length > MAX_TEXT_LENGTH) throw new RelayError(400, 'bad_request', `transcript[${index}].text must be a string of at most ${MAX_TEXT_LENGTH} characters.`);
    // The visitor's clock may be wrong; a time in the future is the relay's now.
    const time = typeof at === 'number' && Number.isFinite(at) && at > 0 ? Math.min(at, now) : now;
    return { role, text, at: time };
  });
}

export function summaryOf(record: HandoffRecord): HandoffSummary {
  return {
    id: record.id,
    flowId: record.flowId,
    sessionId: record.sessionId,
    reason: record.reason,
    queue: record.queue,
    status: record.status,
    agent: record.agent,
    createdAt: record.createdAt,
    updatedAt: record.updatedAt,
  };
}

/** Mounts the handoff endpoints on the relay's app. Returns the store (for shutdown and tests). */
export function installHandoffRoutes(app: Hono<HandoffEnvironment>, options: HandoffOptions, dependencies: HandoffRouteDependencies): HandoffStore {
  const store = options.store ?? new MemoryHandoffStore({ now: dependencies.now });
  const retentionMs = options.retentionMs ?? DEFAULT_HANDOFF_RETENTION_MS;
  const heartbeatMs = options.heartbeatMs ?? 15_000;
  const maxStreams = options.maxStreams ?? 10_000;
  const streams = new Set<unknown>();
  const tokens = options.agentToken === undefined ? [] : typeof options.agentToken === 'string' ? [options.agentToken] : [...options.agentToken];
  const byToken = tokens.some((token) => token !== '') ? tokenAuthenticator(tokens) : undefined;
  const enabled = byToken !== undefined || options.authenticateAgent !== undefined;
  const queuesByFlow = new Map<string, Set<string | null>>();
  const { now, bodyLimit } = dependencies;
  // A transcript is longer than one message: it gets room for MAX_TRANSCRIPT of them.
  // An open carries the transcript, and the journal since the last checkpoint when it is verified.
  const openBodyLimit = Math.max(bodyLimit, 256 * 1024, dependencies.verifyHandoff ? dependencies.proofBodyLimit : 0);

  function requireEnabled(): void {
    if (!enabled) throw new RelayError(404, 'handoff_unavailable', 'Live handoff is not set up on this relay.');
  }

  function streamSignals(context: Context<HandoffEnvironment>): AbortSignal[] {
    if (streams.size >= maxStreams) throw new RelayError(503, 'too_many_streams', 'This relay holds as many event streams as it may; try again shortly.', { 'retry-after': '5' });
    return [context.req.raw.signal, ...(options.signal ? [options.signal] : [])];
  }

  async function agentOf(context: Context<HandoffEnvironment>): Promise<AgentIdentity> {
    requireEnabled();
    const request = context.req.raw;
    const fromToken = byToken ? await byToken(request) : null;
    const identity = fromToken ?? (options.authenticateAgent ? await options.authenticateAgent(request) : null);
    if (identity === null) throw unauthorized(bearerToken(request) === null ? 'Send the agent token as Authorization: Bearer <token>.' : 'The agent token is not valid.');
    context.get('logFields').agent = true;
    return identity;
  }

  /** The handoff, if the request carries the visitor secret it was opened with (404 either way otherwise, so ids cannot be probed). */
  async function visitorHandoff(context: Context<HandoffEnvironment>): Promise<HandoffRecord> {
    requireEnabled();
    const id = context.req.param('id') ?? '';
    context.get('logFields').handoffId = id;
    const key = bearerToken(context.req.raw);
    const record = id.length <= MAX_ID_LENGTH ? await store.get(id) : null;
    if (!record || key === null || !constantTimeEqual(await sha256Hex(key), record.visitorKeyHash)) {
      throw new RelayError(404, 'handoff_not_found', 'No such handoff for this visitor.');
    }
    return record;
  }

  async function agentHandoff(context: Context<HandoffEnvironment>): Promise<HandoffRecord> {
    const id = context.req.param('id') ?? '';
    context.get('logFields').handoffId = id;
    const record = id.length <= MAX_ID_LENGTH ? await store.get(id) : null;
    if (!record) throw new RelayError(404, 'handoff_not_found', 'No such handoff (it may have expired).');
    return record;
  }

  async function messagesOf(id: string): Promise<HandoffMessage[]> {
    const messages: HandoffMessage[] = [];
    let after = 0;
    for (;;) {
      const events = await store.eventsAfter(id, after, 500);
      for (const event of events) if (event.type === 'message') messages.push(event.message);
      if (events.length < 500) return messages;
      after = (events[events.length - 1] as { seq: number }).seq;
    }
  }

  async function fullHandoff(record: HandoffRecord) {
    return { ...summaryOf(record), messages: await messagesOf(record.id) };
  }

  if (enabled && options.console) installAgentConsole(app, options.console);

  // ---- the visitor ---------------------------------------------------------------------------

  app.post('/v1/handoffs', async (context) => {
    requireEnabled();
    const body = await readJsonObject(context.req.raw, openBodyLimit);
    const flowId = requireString(body, 'flowId', MAX_ID_LENGTH);
    const sessionId = requireString(body, 'sessionId', MAX_ID_LENGTH);
    const key = requireString(body, 'key', MAX_ID_LENGTH);
    const visitorKey = requireString(body, 'visitorKey', 128);
    if (!VISITOR_KEY.test(visitorKey)) throw new RelayError(400, 'bad_request', '"visitorKey" must be 32 to 128 URL-safe characters.');
    if (!CLIENT_KEY.test(key)) throw new RelayError(400, 'bad_request', '"key" must be visible ASCII.');
    let reason = optionalString(body, 'reason', MAX_REASON_LENGTH);
    let queue = optionalString(body, 'queue', MAX_ID_LENGTH);
    const transcript = readTranscript(body, now());
    const logFields = context.get('logFields');
    Object.assign(logFields, { ...dependencies.logIds(flowId, sessionId), transcriptLength: transcript.length });
    const registered = dependencies.flows.get(flowId);
    if (!registered) throw new RelayError(404, 'flow_not_found', 'No flow with this id.');
    await dependencies.limitSession(flowId, sessionId);
    let queues = queuesByFlow.get(flowId);
    if (!queues) {
      queues = handoffQueuesOf(registered.flow.definition);
      queuesByFlow.set(flowId, queues);
    }
    // The relay's own copy of the flow says where it may hand off: a page cannot invent a queue.
    if (!queues.has(queue)) throw new RelayError(403, 'handoff_not_allowed', 'This flow does not hand off to that queue.');
    if (dependencies.verifyHandoff) {
      // The widget keys a handoff by the journal position of the step that made it.
      const handoffAt = /^[1-9]\d{0,14}$/.test(key) ? Number(key) : Number.NaN;
      if (!Number.isSafeInteger(handoffAt)) throw new RelayError(400, 'bad_request', '"key" must be the journal position of the step that handed off.');
      // The reason and queue are the flow's, as the relay's replay made them, not what the page says.
      ({ reason, queue } = await dependencies.verifyHandoff(context, body, registered, flowId, sessionId, handoffAt));
    }
    logFields.queue = queue;
    const at = now();
    const record: HandoffRecord = {
      id: dependencies.newId(),
      flowId,
      sessionId,
      reason,
      queue,
      status: 'waiting',
      agent: null,
      createdAt: at,
      updatedAt: at,
      visitorKeyHash: await sha256Hex(visitorKey),
    };
    const opened = await store.create(`${flowId}:${sessionId}:${key}`, record, transcript, retentionMs);
    if (!opened.created && !constantTimeEqual(opened.record.visitorKeyHash, record.visitorKeyHash)) {
      throw new RelayError(409, 'handoff_exists', 'This session opened that handoff with another key.');
    }
    context.get('logFields').handoffId = opened.record.id;
    if (opened.created) {
      const summary = summaryOf(opened.record);
      // Notices never hold up the visitor: they start once this answer is on its way.
      setTimeout(() => {
        options.onOpened?.(summary);
        const webhook = options.webhook;
        if (webhook) {
          void sendHandoffNotice(summary, webhook).then((outcome) =>
            dependencies.log(outcome.delivered ? 'info' : 'warn', { ...outcome }, 'handoff notice'),
          );
        }
      }, 0);
    }
    return json({ handoff: { id: opened.record.id, status: opened.record.status, agent: opened.record.agent } }, opened.created ? 201 : 200);
  });

  app.get('/v1/handoffs/:id/events', async (context) => {
    const record = await visitorHandoff(context);
    const afterSeq = lastEventIdOf(context.req.raw);
    if (afterSeq === null) throw new RelayError(400, 'bad_request', 'Last-Event-ID must be an event number.');
    return handoffEventStream({
      store,
      id: record.id,
      afterSeq,
      heartbeatMs,
      retryMs: RETRY_MS,
      signals: streamSignals(context),
      registry: streams,
      // The transcript and the visitor's own messages are already in the widget.
      include: (event) => event.type !== 'message' || event.message.role === 'agent',
    });
  });

  app.post('/v1/handoffs/:id/messages', async (context) => {
    const record = await visitorHandoff(context);
    const body = await readJsonObject(context.req.raw, bodyLimit);
    const messageId = requireString(body, 'id', MAX_ID_LENGTH);
    const text = requireString(body, 'text', MAX_TEXT_LENGTH);
    await dependencies.limitSession(record.flowId, record.sessionId);
    const outcome = await store.append(
      record.id,
      { type: 'message', message: { role: 'visitor', text, at: now() } },
      { whileStatus: ['waiting', 'active'], dedupeKey: `visitor:${messageId}` },
      retentionMs,
    );
    context.get('logFields').outcome = outcome.kind;
    if (outcome.kind === 'missing') throw new RelayError(404, 'handoff_not_found', 'No such handoff for this visitor.');
    if (outcome.kind === 'refused') throw new RelayError(410, 'handoff_closed', 'This handoff has ended.');
    return json({ seq: outcome.kind === 'duplicate' ? outcome.seq : outcome.event.seq }, outcome.kind === 'appended' ? 201 : 200);
  });

  app.post('/v1/handoffs/:id/leave', async (context) => {
    const record = await visitorHandoff(context);
    const outcome = await store.append(record.id, { type: 'closed', at: now(), by: 'visitor' }, { whileStatus: ['waiting', 'active'], setStatus: 'closed' }, retentionMs);
    context.get('logFields').outcome = outcome.kind;
    return json({ handoff: { id: record.id, status: 'closed' } });
  });

  // ---- the agent -----------------------------------------------------------------------------

  app.get('/v1/agent/handoffs', async (context) => {
    await agentOf(context);
    const open = await store.listOpen(MAX_LISTED);
    context.get('logFields').listed = open.length;
    return json({ handoffs: await Promise.all(open.map(fullHandoff)) });
  });

  app.get('/v1/agent/stream', async (context) => {
    await agentOf(context);
    return handoffListStream({
      store,
      heartbeatMs,
      retryMs: RETRY_MS,
      signals: streamSignals(context),
      registry: streams,
      describe: async (id) => {
        const record = await store.get(id);
        return record ? summaryOf(record) : null;
      },
    });
  });

  app.get('/v1/agent/handoffs/:id', async (context) => {
    await agentOf(context);
    return json(await fullHandoff(await agentHandoff(context)));
  });

  app.get('/v1/agent/handoffs/:id/events', async (context) => {
    await agentOf(context);
    const record = await agentHandoff(context);
    const afterSeq = lastEventIdOf(context.req.raw);
    if (afterSeq === null) throw new RelayError(400, 'bad_request', 'Last-Event-ID must be an event number.');
    return handoffEventStream({ store, id: record.id, afterSeq, heartbeatMs, retryMs: RETRY_MS, signals: streamSignals(context), registry: streams });
  });

  app.post('/v1/agent/handoffs/:id/messages', async (context) => {
    const identity = await agentOf(context);
    const record = await agentHandoff(context);
    const body = await readJsonObject(context.req.raw, bodyLimit);
    const text = requireString(body, 'text', MAX_TEXT_LENGTH);
    const agent = optionalString(body, 'agent', 80)?.trim() || identity.name?.trim() || record.agent || 'Staff';
    if (record.status === 'waiting') {
      // The first answer is the join: the widget shows the agent's name, the flow hears `handoff.accepted`.
      await store.append(record.id, { type: 'joined', agent, at: now() }, { whileStatus: ['waiting'], setStatus: 'active', setAgent: agent }, retentionMs);
    }
    const outcome = await store.append(record.id, { type: 'message', message: { role: 'agent', text, at: now(), agent } }, { whileStatus: ['waiting', 'active'] }, retentionMs);
    context.get('logFields').outcome = outcome.kind;
    if (outcome.kind === 'missing') throw new RelayError(404, 'handoff_not_found', 'No such handoff (it may have expired).');
    if (outcome.kind !== 'appended') throw new RelayError(410, 'handoff_closed', 'This handoff has ended.');
    return json({ seq: outcome.event.seq, handoff: summaryOf(outcome.record) }, 201);
  });

  app.post('/v1/agent/handoffs/:id/close', async (context) => {
    await agentOf(context);
    const record = await agentHandoff(context);
    const body = await readJsonObject(context.req.raw, bodyLimit);
    const event = optionalString(body, 'event', 64);
    if (event !== null && !EVENT_NAME.test(event)) throw new RelayError(400, 'bad_request', '"event" must be an event name (letters, digits, . _ : -).');
    const data = body.data as Json | undefined;
    const outcome = await store.append(
      record.id,
      { type: 'closed', at: now(), by: 'agent', ...(event !== null ? { event } : {}), ...(data !== undefined ? { data } : {}) },
      { whileStatus: ['waiting', 'active'], setStatus: 'closed' },
      retentionMs,
    );
    context.get('logFields').outcome = outcome.kind;
    if (outcome.kind === 'missing') throw new RelayError(404, 'handoff_not_found', 'No such handoff (it may have expired).');
    return json(await fullHandoff(outcome.record));
  });

  return store;
}
