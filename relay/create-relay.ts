import { Hono, type Context } from 'hono';
import { correctableSlots, intentsCarrying, NO_INTENT as NO, SMALL_TALK_INTENTS, YES_INTENT, type JsonSchemaObject, type SlotDefinition } from '../flows/index.ts';
import { basicParsers, classifyInContext, extractSlots, loadFullParsers, type SlotParsers } from '../widget/nlu/index.ts';
import { readClassifyContext } from './classify/context.ts';
import { LlmClassifier, type LlmOptions } from './classify/llm.ts';
import { relevantSlots } from './classify/llm-schema.ts';
import { describeError, errorResponse, RelayError } from './errors.ts';
import { registerFlows, type RegisteredFlow } from './flow-registry.ts';
import { installHandoffRoutes, type HandoffOptions } from './handoff/routes.ts';
import { defaultLogSink, MaskedLogger, type LogSink } from './logger.ts';
import { DEFAULT_BODY_LIMIT_BYTES } from './middleware/body-limit.ts';
import { cors } from './middleware/cors.ts';
import { readJsonObject, requireString, type JsonRecord } from './middleware/json-body.ts';
import { enforceRateLimit, type RateLimitRule } from './middleware/rate-limit.ts';
import { createPlaceholders } from './pii/mask.ts';
import { MemoryIdempotencyStore, MemoryRateLimitStore } from './stores/memory.ts';
import { DEFAULT_IDEMPOTENCY_TTL_MS, type IdempotencyStore, type RateLimitStore } from './stores/types.ts';
import { fingerprintOf } from './tools/fingerprint.ts';
import { decideTool, toolDenied } from './tools/policy.ts';
import { defaultRunSettings, runTool, type RunSettings } from './tools/run-tool.ts';
import { checkAgainstSchema } from './tools/schema-validator.ts';
import type { ToolImplementations } from './tools/types.ts';

/**
 * Everything `createRelay` needs. Only `flows` is required.
 *
 * @example
 * const handler = createRelay({
 *   flows: [restaurantFlow],
 *   tools: { CheckAvailability: { domain: 'reservations', handler: async (args) => ({ ok: true }) } },
 *   llm: { apiKey: process.env.OPENAI_API_KEY!, model: 'gpt-4o-mini' },
 *   allowedOrigins: ['https://restaurant.example'],
 * });
 * const response = await handler(new Request('https://relay.example/v1/health'));
 */
export interface RelayOptions {
  /** Flow definitions (parsed JSON or JSON text). Each is validated; an invalid one stops the relay from starting. */
  flows: readonly unknown[];
  /** Server implementations of the flows' tools. A tool without one is denied. */
  tools?: ToolImplementations;
  /** An OpenAI-compatible LLM, asked only when the local classifier is unsure. Without it, classification is local only. */
  llm?: LlmOptions;
  /** Browser origins allowed to call the relay (`https://shop.example`, or `'*'`). Default: none. */
  allowedOrigins?: readonly string[];
  /** Where idempotency records and rate-limit counters live. Default: this process's memory. */
  stores?: { idempotency?: IdempotencyStore; rateLimit?: RateLimitStore };
  /** Where log lines go (any pino logger). Every line is PII-masked first. Default: pino on stdout. */
  logger?: LogSink;
  /** Largest request body in bytes. Default 32 KiB. */
  bodyLimitBytes?: number;
  /** Per client address and per session; `false` turns one off. Defaults: 300 and 60 requests per minute. */
  rateLimits?: { perIp?: RateLimitRule | false; perSession?: RateLimitRule | false };
  /** How long a finished tool call's answer is kept for replay. Default 24 hours. */
  idempotencyTtlMs?: number;
  /** Replace PII with placeholders before text goes to the LLM (restored in the answer). Default true. */
  maskPiiForLlm?: boolean;
  /** The clock (epoch ms), read for relative dates in slots. Default `Date.now`. */
  now?: () => number;
  /** Backoff between tool retries; tests pass a fake `sleep`. */
  toolRetry?: Partial<RunSettings>;
  /**
   * Slot parsers for dates and phones. Default: the full ones (chrono-node,
   * libphonenumber-js), loaded on first use; the basic ones until then.
   */
  slotParsers?: SlotParsers;
  /**
   * Live handoff to a person (`/v1/handoffs`, `/v1/agent/…`): on when agents
   * can authenticate (`agentToken` or `authenticateAgent`).
   */
  handoff?: HandoffOptions;
}

/** What the host passes along with a request: what only the transport knows. */
export interface RelayRequestContext {
  /** The peer address, for per-IP rate limits. Absent: all such requests share one bucket. */
  clientAddress?: string;
}

export type RelayHandler = (request: Request, context?: RelayRequestContext) => Promise<Response>;

type RelayEnvironment = {
  Bindings: RelayRequestContext;
  Variables: { logFields: Record<string, unknown>; piiValues: string[] };
};

const MAX_ID_LENGTH = 128;
const MAX_TEXT_LENGTH = 2000;
const IDEMPOTENCY_KEY = /^[\x21-\x7e]{8,200}$/;
const DEFAULT_PER_IP: RateLimitRule = { limit: 300, windowMs: 60_000 };
const DEFAULT_PER_SESSION: RateLimitRule = { limit: 60, windowMs: 60_000 };
const JSON_HEADERS = { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' };

function json(body: unknown, status = 200, headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify(body), { status, headers: { ...JSON_HEADERS, ...headers } });
}

function stringValues(record: Record<string, unknown>, names: readonly string[]): string[] {
  const values: string[] = [];
  for (const name of names) {
    const value = Object.hasOwn(record, name) ? record[name] : undefined;
    if (typeof value === 'string' || typeof value === 'number') values.push(String(value));
  }
  return values;
}

const declaredNames = new WeakMap<JsonSchemaObject, Set<string>>();

/** The argument names a tool's schema declares (its top-level `properties`). */
function declaredArgNames(schema: JsonSchemaObject): Set<string> {
  let names = declaredNames.get(schema);
  if (!names) {
    const properties = schema.properties;
    names = new Set(properties !== null && typeof properties === 'object' && !Array.isArray(properties) ? Object.keys(properties) : []);
    declaredNames.set(schema, names);
  }
  return names;
}

/** The path (Hono's, percent-encoded) as text, so personal data in it (`ann%40example.com`) is masked like the rest. */
function decodedPath(path: string): string {
  try {
    return decodeURIComponent(path);
  } catch {
    return path;
  }
}

function etagMatches(header: string | undefined, etag: string): boolean {
  if (header === undefined) return false;
  return header.split(',').some((candidate) => {
    const trimmed = candidate.trim();
    return trimmed === '*' || trimmed.replace(/^W\//, '') === etag;
  });
}

/**
 * Builds the relay: a web-standard `(Request) → Response` handler with
 * `GET /v1/flows/:id`, `POST /v1/classify`, `POST /v1/tools/:name` and
 * `GET /v1/health`. It runs wherever `fetch` types do (Node, a browser page
 * under MSW, workers); Node-only pieces (server, Redis) live elsewhere.
 *
 * Throws `RelayConfigError`, listing every issue, when a flow is invalid.
 */
export function createRelay(options: RelayOptions): RelayHandler {
  const flows = registerFlows(options.flows);
  const tools = options.tools ?? {};
  const logger = new MaskedLogger(options.logger ?? defaultLogSink());
  const idempotency = options.stores?.idempotency ?? new MemoryIdempotencyStore();
  const rateLimitStore = options.stores?.rateLimit ?? new MemoryRateLimitStore();
  const perIp = options.rateLimits?.perIp === false ? undefined : (options.rateLimits?.perIp ?? DEFAULT_PER_IP);
  const perSession = options.rateLimits?.perSession === false ? undefined : (options.rateLimits?.perSession ?? DEFAULT_PER_SESSION);
  const bodyLimit = options.bodyLimitBytes ?? DEFAULT_BODY_LIMIT_BYTES;
  const idempotencyTtlMs = options.idempotencyTtlMs ?? DEFAULT_IDEMPOTENCY_TTL_MS;
  const maskForLlm = options.maskPiiForLlm ?? true;
  const now = options.now ?? Date.now;
  const runSettings: RunSettings = { ...defaultRunSettings, ...options.toolRetry };
  const llm = options.llm ? new LlmClassifier(options.llm) : undefined;

  let parsers: SlotParsers = options.slotParsers ?? basicParsers;
  let fullParsers: Promise<void> | undefined;
  function ensureParsers(): Promise<void> | undefined {
    if (options.slotParsers) return undefined;
    fullParsers ??= loadFullParsers().then(
      (loaded) => {
        parsers = loaded;
      },
      () => undefined,
    );
    return fullParsers;
  }

  const app = new Hono<RelayEnvironment>();

  app.use(async (context, next) => {
    const started = performance.now();
    context.set('logFields', {});
    context.set('piiValues', []);
    let failure: ReturnType<typeof describeError> | undefined;
    try {
      await next();
      // Hono hands a route's error to onError inside next(): it is found here, not caught.
      if (context.error !== undefined) failure = describeError(context.error);
    } catch (error) {
      failure = describeError(error);
      context.res = errorResponse(error);
    }
    logger.write(
      // A 500 is the relay's own fault: it is logged as an error, with its cause.
      failure?.code === 'internal_error' ? 'error' : 'info',
      {
        method: context.req.method,
        path: decodedPath(context.req.path),
        status: context.res.status,
        durationMs: Math.round((performance.now() - started) * 100) / 100,
        ...(failure ? { error: failure } : {}),
        ...context.get('logFields'),
      },
      'request',
      context.get('piiValues'),
    );
  });
  app.use(cors({ allowedOrigins: options.allowedOrigins ?? [] }));
  if (perIp) {
    app.use(async (context, next) => {
      await enforceRateLimit(rateLimitStore, `ip:${context.env?.clientAddress ?? 'unknown'}`, perIp);
      await next();
    });
  }

  function flowOf(flowId: string): RegisteredFlow {
    const registered = flows.get(flowId);
    if (!registered) throw new RelayError(404, 'flow_not_found', 'No flow with this id.');
    return registered;
  }

  async function limitSession(flowId: string, sessionId: string): Promise<void> {
    if (perSession) await enforceRateLimit(rateLimitStore, `session:${flowId}:${sessionId}`, perSession);
  }

  app.get('/v1/health', () => json({ status: 'ok', flows: flows.size, llm: llm ? 'configured' : 'off' }));

  app.get('/v1/flows/:id', (context) => {
    const registered = flowOf(context.req.param('id'));
    const headers = {
      etag: registered.etag,
      // Revalidate every time: a changed flow must reach visitors on their next load.
      'cache-control': 'public, max-age=0, must-revalidate',
    };
    if (etagMatches(context.req.header('if-none-match'), registered.etag)) {
      return new Response(null, { status: 304, headers });
    }
    return new Response(registered.json, { status: 200, headers: { ...headers, 'content-type': 'application/json; charset=utf-8' } });
  });

  app.post('/v1/classify', async (context) => {
    const body = await readJsonObject(context.req.raw, bodyLimit);
    const flowId = requireString(body, 'flowId', MAX_ID_LENGTH);
    const state = requireString(body, 'state', MAX_ID_LENGTH);
    const sessionId = requireString(body, 'sessionId', MAX_ID_LENGTH);
    const text = requireString(body, 'text', MAX_TEXT_LENGTH);
    // The slot the visitor's current question asks for: a hint for the slot parsers, ignored unless the flow has it.
    const asking = typeof body.asking === 'string' ? body.asking : undefined;
    const logFields = context.get('logFields');
    Object.assign(logFields, { flowId, state, sessionId, textLength: text.length });
    const { flow, classifier, states } = flowOf(flowId);
    await limitSession(flowId, sessionId);
    const stateInfo = states.get(state);
    if (stateInfo === undefined) throw new RelayError(400, 'unknown_state', 'The flow has no such state.');
    const { allowed } = stateInfo;
    const around = readClassifyContext(body, flow);
    // Filled slots that may be corrected here are read too ("actually make it 6").
    const correctable = correctableSlots(flow, state, Object.fromEntries(around.filled.map((name) => [name, true])));

    await ensureParsers();
    const extractFor = (intent: string | null): Record<string, unknown> => {
      const names = [...new Set([...relevantSlots(flow, state, intent === null ? [] : [intent]), ...(around.slot === null ? [] : [around.slot]), ...correctable])];
      const specs: Record<string, SlotDefinition> = {};
      for (const name of names) {
        const definition = flow.slots[name];
        if (definition) specs[name] = definition;
      }
      // The parsers scan the whole text whatever the slots, so skip them when no slot is wanted.
      if (names.length === 0) return {};
      return extractSlots(text, specs, {
        now: now(),
        timeZone: flow.definition.meta.timeZone ?? 'UTC',
        language: flow.language,
        parsers,
        ...(asking !== undefined && Object.hasOwn(specs, asking) ? { asking } : {}),
      });
    };
    const candidates = extractFor(null);
    const local = classifyInContext(classifier, text, {
      allowed,
      threshold: flow.threshold,
      social: SMALL_TALK_INTENTS,
      minor: [YES_INTENT, NO],
      ...(around.slot !== null && Object.hasOwn(candidates, around.slot) ? { answers: intentsCarrying(flow, around.slot, allowed) } : {}),
    });
    const localSlots = local.intent === null ? candidates : extractFor(local.intent);
    const piiValues = context.get('piiValues');
    piiValues.push(...stringValues(localSlots, flow.piiSlots));

    let answer = { intent: local.intent, confidence: local.confidence, slots: localSlots, source: 'local' as 'local' | 'llm' };
    if (llm && local.confidence < flow.threshold && allowed.length > 0) {
      const placeholders = createPlaceholders(maskForLlm ? stringValues(localSlots, flow.piiSlots) : []);
      const outgoing = maskForLlm ? placeholders.mask(text) : text;
      const lastBotMessage = around.lastBotMessage === null || !maskForLlm ? around.lastBotMessage : placeholders.mask(around.lastBotMessage);
      const outcome = await llm.classify(flow, allowed, stateInfo.llmSlots, outgoing, { ...around, lastBotMessage });
      logFields.llm = outcome.ok ? 'answered' : outcome.reason;
      if (outcome.ok) {
        const intentSlots = new Set(relevantSlots(flow, state, outcome.answer.intent === null ? [] : [outcome.answer.intent]));
        const restored = placeholders.restore(outcome.answer.slots) as Record<string, unknown>;
        const slots: Record<string, unknown> = {};
        for (const [name, value] of Object.entries(restored)) if (intentSlots.has(name)) slots[name] = value;
        // Locally parsed values win: they are normalised (ISO dates, E.164 phones).
        Object.assign(slots, extractFor(outcome.answer.intent));
        piiValues.push(...stringValues(slots, flow.piiSlots));
        answer = { intent: outcome.answer.intent, confidence: outcome.answer.confidence, slots, source: 'llm' };
      }
    }
    Object.assign(logFields, { intent: answer.intent, confidence: Math.round(answer.confidence * 1000) / 1000, source: answer.source });
    return json(answer);
  });

  app.post('/v1/tools/:name', async (context: Context<RelayEnvironment>) => {
    const name = context.req.param('name') ?? '';
    const body = await readJsonObject(context.req.raw, bodyLimit);
    const flowId = requireString(body, 'flowId', MAX_ID_LENGTH);
    const sessionId = requireString(body, 'sessionId', MAX_ID_LENGTH);
    const logFields = context.get('logFields');
    Object.assign(logFields, { tool: name, flowId, sessionId });
    const args = body.args ?? {};
    if (args === null || typeof args !== 'object' || Array.isArray(args)) {
      throw new RelayError(400, 'bad_request', '"args" must be a JSON object.');
    }
    const key = context.req.header('idempotency-key');
    if (key === undefined || !IDEMPOTENCY_KEY.test(key)) {
      throw new RelayError(400, 'idempotency_key_required', 'Send an Idempotency-Key header (8 to 200 visible ASCII characters).');
    }

    const registered = flows.get(flowId);
    if (!registered) {
      logFields.denied = 'unknown_flow';
      throw toolDenied();
    }
    await limitSession(flowId, sessionId);
    const decision = decideTool(registered.flow, name, tools);
    if (!decision.allowed) {
      logFields.denied = decision.reason;
      throw toolDenied();
    }
    const { tool, implementation } = decision;
    const piiValues = context.get('piiValues');
    piiValues.push(...stringValues(args as JsonRecord, tool.pii), ...stringValues(args as JsonRecord, registered.flow.piiSlots));
    // Argument names only: values may hold personal data the masker cannot
    // recognise (a name in free text), and the log does not need them. Names
    // the tool does not declare are the client's free text too: only counted.
    const declared = declaredArgNames(tool.args);
    const argNames = Object.keys(args).filter((argName) => declared.has(argName));
    const otherArgs = Object.keys(args).length - argNames.length;
    logFields.args = argNames;
    if (otherArgs > 0) logFields.otherArgs = otherArgs;

    const check = checkAgainstSchema(tool.args, args);
    if (!check.valid) throw new RelayError(422, 'invalid_arguments', `The arguments do not fit the tool's schema (${check.problem ?? 'invalid'}).`);

    const fingerprint = fingerprintOf({ flowId, tool: name, args });
    const recordKey = `${flowId}:${sessionId}:${key}`;
    // Long enough for every attempt and backoff; a crashed relay frees the key after it.
    const leaseMs = (tool.retries + 1) * (tool.timeoutMs + runSettings.maxBackoffMs) + 1000;
    const claim = await idempotency.claim(recordKey, fingerprint, leaseMs);
    if (claim.state !== 'claimed') {
      if (claim.fingerprint !== fingerprint) {
        throw new RelayError(422, 'idempotency_key_reused', 'This Idempotency-Key was used with different arguments.');
      }
      if (claim.state === 'running') {
        throw new RelayError(409, 'idempotency_in_progress', 'A call with this Idempotency-Key is still running.', {
          'retry-after': String(Math.max(1, Math.ceil(Math.min(claim.retryAfterMs, 5000) / 1000))),
        });
      }
      logFields.outcome = 'replayed';
      return json(claim.response.body, claim.response.status, { 'idempotent-replayed': 'true' });
    }

    const started = performance.now();
    let outcome = 'ok';
    let attempts = 0;
    try {
      const run = await runTool(tool, implementation, args as JsonRecord, { flowId, sessionId, idempotencyKey: key }, runSettings);
      attempts = run.attempts;
      const responseBody = { result: run.result };
      await idempotency.complete(recordKey, claim.token, fingerprint, { status: 200, body: responseBody }, idempotencyTtlMs);
      return json(responseBody);
    } catch (error) {
      outcome = describeError(error).code;
      await idempotency.release(recordKey, claim.token);
      throw error;
    } finally {
      logger.write(
        outcome === 'ok' ? 'info' : 'warn',
        { tool: name, flowId, sessionId, durationMs: Math.round((performance.now() - started) * 100) / 100, outcome, attempts: attempts || undefined, args: argNames, otherArgs: otherArgs || undefined },
        'tool call',
        piiValues,
      );
    }
  });

  installHandoffRoutes(app, options.handoff ?? {}, {
    flows,
    log: (level, fields, message) => logger.write(level, fields, message),
    bodyLimit,
    now,
    newId: () => globalThis.crypto.randomUUID(),
    limitSession,
  });

  app.notFound(() => errorResponse(new RelayError(404, 'not_found', 'No such endpoint.')));
  app.onError((error) => errorResponse(error));

  return (request, context) => Promise.resolve(app.fetch(request, context ?? {}));
}
