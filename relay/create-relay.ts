import { sha256 } from '@noble/hashes/sha2.js';
import { bytesToHex, utf8ToBytes } from '@noble/hashes/utils.js';
import { Hono, type Context } from 'hono';
import { correctableSlots, intentsCarrying, NO_INTENT as NO, SMALL_TALK_INTENTS, YES_INTENT, type Json, type JsonObject, type JsonSchemaObject, type LoadedFlow, type SlotDefinition } from '../flows/index.ts';
import { checkSlotValue } from '../widget/engine/index.ts';
import { basicParsers, classifyInContext, loadFullParsers, trainClassifier, type Classifier, type SlotParsers } from '../widget/nlu/index.ts';
import { readClassifyContext } from './classify/context.ts';
import { LlmClassifier, type LlmOptions } from './classify/llm.ts';
import { relevantSlots } from './classify/llm-schema.ts';
import { inlineSlotExtractor, type SlotExtractor } from './classify/slot-extractor.ts';
import { describeError, errorResponse, RelayError } from './errors.ts';
import { registerFlows, type RegisteredFlow } from './flow-registry.ts';
import { installHandoffRoutes, type HandoffOptions } from './handoff/routes.ts';
import { defaultLogSink, LogThrottle, MaskedLogger, type LogSink } from './logger.ts';
import { identify, type Authenticate } from './middleware/authenticate.ts';
import { DEFAULT_BODY_LIMIT_BYTES } from './middleware/body-limit.ts';
import { cors } from './middleware/cors.ts';
import { readJsonObject, requireString, type JsonRecord } from './middleware/json-body.ts';
import { pathForLog } from './middleware/log-path.ts';
import { enforceRateLimit, type RateLimitRule } from './middleware/rate-limit.ts';
import { createPlaceholders } from './pii/mask.ts';
import { issueCheckpoint, snapshotDigest } from './proof/checkpoint.ts';
import { ephemeralSecret, Signer } from './proof/signer.ts';
import {
  classificationClaim,
  ProofRefusedError,
  VerificationUnavailableError,
  toolResultClaim,
  verifyConversation,
  type VerifiedConversation,
  type VerifySettings,
} from './proof/verify-conversation.ts';
import { MemoryIdempotencyStore, MemoryRateLimitStore } from './stores/memory.ts';
import { DEFAULT_IDEMPOTENCY_TTL_MS, type IdempotencyStore, type RateLimitStore } from './stores/types.ts';
import { fingerprintOf } from './tools/fingerprint.ts';
import { holdWhileRunning } from './tools/hold-key.ts';
import { decideTool, toolDenied } from './tools/policy.ts';
import { defaultRunSettings, runTool, ToolStillRunningError, type RunSettings } from './tools/run-tool.ts';
import { checkAgainstSchema } from './tools/schema-validator.ts';
import type { Identity, ToolImplementations } from './tools/types.ts';

/**
 * Everything `createRelay` needs. Only `flows` is required.
 *
 * @example
 * const handler = createRelay({
 *   flows: [restaurantFlow],
 *   tools: { CheckAvailability: { domain: 'reservations', handler: async (args) => ({ ok: true }) } },
 *   llm: { apiKey: process.env.OPENAI_API_KEY!, model: 'gpt-4o-mini' },
 *   allowedOrigins: ['https://restaurant.example'],
 *   secrets: [process.env.RELAY_SECRET!],
 * });
 * const response = await handler(new Request('https://relay.example/v1/health'));
 */
export interface RelayOptions {
  /** Flow definitions (parsed JSON or JSON text). Each is validated; an invalid one stops the relay from starting. */
  flows: readonly unknown[];
  /**
   * Earlier versions of those flows, kept so sessions pinned to them (a
   * visitor mid-conversation when the flow changed) can still be verified.
   */
  previousFlows?: readonly unknown[];
  /** Server implementations of the flows' tools. A tool without one is denied. */
  tools?: ToolImplementations;
  /** An OpenAI-compatible LLM, asked only when the local classifier is unsure. Without it, classification is local only. */
  llm?: LlmOptions;
  /** Browser origins allowed to call the relay (`https://shop.example`, or `'*'`). Default: none. */
  allowedOrigins?: readonly string[];
  /**
   * Secrets (32+ characters) the relay signs classifications, tool results
   * and checkpoints with. The first signs; all verify, so rotate by putting
   * a new one first and dropping the old one later. Several instances need
   * the same list. Default: a random secret per process (signatures then do
   * not survive a restart).
   */
  secrets?: readonly string[];
  /**
   * Run a tool only when the visitor's journal, replayed here, calls it with
   * these arguments and this key. Default true; `false` only for relays whose
   * tools are harmless to anyone (and for measuring what verification costs).
   */
  verifyConversations?: boolean;
  /** Who is calling: an identity for tools and rate limits, `null` for anonymous, or a thrown `RelayError` to refuse. */
  authenticate?: Authenticate;
  /** Where idempotency records and rate-limit counters live. Default: this process's memory. */
  stores?: { idempotency?: IdempotencyStore; rateLimit?: RateLimitStore };
  /** Where log lines go (any pino logger). Every line is PII-masked first. Default: pino on stdout. */
  logger?: LogSink;
  /** Largest request body in bytes. Default 32 KiB. */
  bodyLimitBytes?: number;
  /** Largest tool call or checkpoint body (they carry the journal). Default 1 MiB. */
  proofBodyLimitBytes?: number;
  /** Longest journal one call may carry; longer conversations send the part since their checkpoint. Default 5,000 events. */
  maxProofEntries?: number;
  /** How far ahead of the relay's clock a visitor's events may be dated. Default 5 minutes. */
  maxClockSkewMs?: number;
  /** Per client address, per session and per identity; `false` turns one off. Defaults: 300, 60 and 120 requests per minute. */
  rateLimits?: { perIp?: RateLimitRule | false; perSession?: RateLimitRule | false; perIdentity?: RateLimitRule | false };
  /** How long a finished tool call's answer is kept for replay. Default 24 hours. */
  idempotencyTtlMs?: number;
  /** Replace PII with placeholders before text goes to the LLM (restored in the answer). Default true. */
  maskPiiForLlm?: boolean;
  /** The clock (epoch ms), read for relative dates in slots and the plausibility of events. Default `Date.now`. */
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
  /**
   * Runs the slot parsers. Default: on the event loop, the text bounded.
   * The Node server runs them on worker threads with a time budget
   * (`createWorkerSlotExtractor` in `relay/node-slot-worker.ts`).
   */
  slotExtractor?: SlotExtractor;
}

/** What the host passes along with a request: what only the transport knows. */
export interface RelayRequestContext {
  /** The peer address, for per-IP rate limits. Absent: all such requests share one bucket. */
  clientAddress?: string;
}

export type RelayHandler = (request: Request, context?: RelayRequestContext) => Promise<Response>;

export type RelayEnvironment = {
  Bindings: RelayRequestContext;
  Variables: {
    logFields: Record<string, unknown>;
    piiValues: string[];
    identity: Identity | undefined;
    /** What went wrong, for the request's log line (Hono's `onError` sees the error; the logging middleware only the response). */
    failure: ReturnType<typeof describeError> | undefined;
  };
};

/** A BCP 47 language tag as a visitor's browser gives it (`fr`, `en-GB`, `zh-Hant-TW`). */
const LANGUAGE_TAG = /^[A-Za-z]{2,3}(?:-[A-Za-z0-9]{1,8}){0,3}$/;
const MAX_ID_LENGTH = 128;
const MAX_TEXT_LENGTH = 2000;
/**
 * Slot parsers read at most this much of a message: a slot answer is a few
 * words, and a parser's cost grows with its input, so no text can buy
 * unbounded work on the event loop.
 */
const MAX_SLOT_TEXT_LENGTH = 500;
const IDEMPOTENCY_KEY = /^[\x21-\x7e]{8,200}$/;
const DEFAULT_PER_IP: RateLimitRule = { limit: 300, windowMs: 60_000 };
const DEFAULT_PER_SESSION: RateLimitRule = { limit: 60, windowMs: 60_000 };
const DEFAULT_PER_IDENTITY: RateLimitRule = { limit: 120, windowMs: 60_000 };
const DEFAULT_PROOF_BODY_LIMIT_BYTES = 1024 * 1024;
const DEFAULT_MAX_PROOF_ENTRIES = 5000;
const DEFAULT_MAX_CLOCK_SKEW_MS = 5 * 60_000;
/** A browser clock corrected backwards (NTP) between two events is fine; a journal that jumps back further is not. */
const MAX_CLOCK_REWIND_MS = 60_000;
/** A replay gives the event loop back after this much work (entries, and local answers checked again, see `LOCAL_CHECK_WORK`), a few milliseconds' worth, so one long journal cannot delay other requests. */
const REPLAY_SLICE_WORK = 128;
/** How long a key stays claimed for a timed-out attempt that never stops (then its lease lapses). */
const MAX_HOLD_MS = 10 * 60_000;
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

function etagMatches(header: string | undefined, etag: string): boolean {
  if (header === undefined) return false;
  return header.split(',').some((candidate) => {
    const trimmed = candidate.trim();
    return trimmed === '*' || trimmed.replace(/^W\//, '') === etag;
  });
}

function yieldToLoop(): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, 0));
}

function optionalString(body: JsonRecord, field: string, maxLength: number): string | undefined {
  if (body[field] === undefined) return undefined;
  return requireString(body, field, maxLength);
}

/**
 * Keeps the LLM's slot values that fit the flow's slot types (a date that is
 * HTML, a party size of 1e9 are dropped): the relay never passes on a value
 * the widget would have to reject.
 */
/** What the log shows for an id the relay does not know (as paths do). */
const OTHER = '[OTHER]';
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * A session id as the log shows it: the widget's (a random UUID) as it is;
 * any other a client chose (a name, a passport number) only as a digest,
 * which still ties one session's lines together.
 */
export function sessionForLog(sessionId: string): string {
  return UUID.test(sessionId) ? sessionId : `s-${bytesToHex(sha256(utf8ToBytes(sessionId))).slice(0, 16)}`;
}

function typedSlots(flow: LoadedFlow, slots: Record<string, unknown>): JsonObject {
  const checked: JsonObject = {};
  for (const [name, value] of Object.entries(slots)) {
    const definition = Object.hasOwn(flow.slots, name) ? flow.slots[name] : undefined;
    if (!definition) continue;
    const check = checkSlotValue(definition, value as Json);
    if (check.ok) checked[name] = check.value;
  }
  return checked;
}

/**
 * The personal slots a state asks for (the one the widget says it asked, or
 * all the state collects): an answer to such a question is personal as a
 * whole.
 */
function personalSlotsAsked(flow: LoadedFlow, state: string, asked: string | undefined): string[] {
  const definition = Object.hasOwn(flow.definition.states, state) ? flow.definition.states[state] : undefined;
  const collected = (definition?.collect ?? []).map((item) => item.slot);
  const candidates = asked !== undefined && collected.includes(asked) ? [asked] : collected;
  return candidates.filter((slot) => flow.piiSlots.includes(slot));
}

/**
 * Builds the relay: a web-standard `(Request) → Response` handler with
 * `GET /v1/flows/:id`, `POST /v1/classify`, `POST /v1/tools/:name`,
 * `POST /v1/checkpoint` and `GET /v1/health`. It runs wherever `fetch` types
 * do (Node, a browser page under MSW, workers); Node-only pieces (server,
 * Redis) live elsewhere.
 *
 * Throws `RelayConfigError`, listing every issue, when a flow is invalid.
 */
export function createRelay(options: RelayOptions): RelayHandler {
  const flows = registerFlows(options.flows, options.previousFlows);
  const tools = options.tools ?? {};
  const logger = new MaskedLogger(options.logger ?? defaultLogSink());
  const idempotency = options.stores?.idempotency ?? new MemoryIdempotencyStore();
  const rateLimitStore = options.stores?.rateLimit ?? new MemoryRateLimitStore();
  const perIp = options.rateLimits?.perIp === false ? undefined : (options.rateLimits?.perIp ?? DEFAULT_PER_IP);
  const perSession = options.rateLimits?.perSession === false ? undefined : (options.rateLimits?.perSession ?? DEFAULT_PER_SESSION);
  const perIdentity = options.rateLimits?.perIdentity === false ? undefined : (options.rateLimits?.perIdentity ?? DEFAULT_PER_IDENTITY);
  const bodyLimit = options.bodyLimitBytes ?? DEFAULT_BODY_LIMIT_BYTES;
  const proofBodyLimit = options.proofBodyLimitBytes ?? DEFAULT_PROOF_BODY_LIMIT_BYTES;
  const idempotencyTtlMs = options.idempotencyTtlMs ?? DEFAULT_IDEMPOTENCY_TTL_MS;
  const maskForLlm = options.maskPiiForLlm ?? true;
  const now = options.now ?? Date.now;
  const runSettings: RunSettings = { ...defaultRunSettings, ...options.toolRetry };
  const llm = options.llm ? new LlmClassifier(options.llm) : undefined;
  const verifying = options.verifyConversations ?? true;
  const signer = new Signer(options.secrets ?? [ephemeralSecret()]);
  const throttled429 = new LogThrottle(20, 10_000);

  // The words a log line may show in a path: flow ids and tool names the relay knows.
  const knownIds = new Set<string>();
  for (const [flowId, registered] of flows) {
    knownIds.add(flowId);
    for (const version of registered.versions.values()) for (const name of Object.keys(version.tools)) knownIds.add(name);
  }

  let parsers: SlotParsers = options.slotParsers ?? basicParsers;
  let fullParsers: Promise<void> | undefined;
  function ensureParsers(): Promise<void> | undefined {
    // Parsers given, or run elsewhere (worker threads): nothing to load on this thread, whose event loop it would hold up.
    if (options.slotParsers || options.slotExtractor) return undefined;
    fullParsers ??= loadFullParsers().then(
      (loaded) => {
        parsers = loaded;
      },
      () => undefined,
    );
    return fullParsers;
  }

  const extract: SlotExtractor =
    options.slotExtractor ?? inlineSlotExtractor(() => ({ full: parsers === basicParsers ? undefined : parsers, basic: options.slotParsers ?? basicParsers }));
  const fullParsersLoaded = (): boolean => options.slotExtractor !== undefined || parsers !== basicParsers;

  const classifiers = new WeakMap<LoadedFlow, Classifier>();
  for (const registered of flows.values()) classifiers.set(registered.flow, registered.classifier);
  function verifySettings(): VerifySettings {
    return {
      signer,
      now: now(),
      maxClockSkewMs: options.maxClockSkewMs ?? DEFAULT_MAX_CLOCK_SKEW_MS,
      maxClockRewindMs: MAX_CLOCK_REWIND_MS,
      maxEntries: options.maxProofEntries ?? DEFAULT_MAX_PROOF_ENTRIES,
      classifierOf(flow) {
        let classifier = classifiers.get(flow);
        if (!classifier) {
          classifier = trainClassifier(flow.definition.intents, { language: flow.language });
          classifiers.set(flow, classifier);
        }
        return classifier;
      },
      // The widget answers with the basic parsers until the full ones load (or offline, for good).
      parserSets: fullParsersLoaded() ? ['full', 'basic'] : ['basic'],
      extract,
      maxSlotTextLength: MAX_SLOT_TEXT_LENGTH,
      sliceWork: REPLAY_SLICE_WORK,
      yieldToLoop,
    };
  }

  const app = new Hono<RelayEnvironment>();

  app.use(async (context, next) => {
    const started = performance.now();
    context.set('logFields', {});
    context.set('piiValues', []);
    context.set('failure', undefined);
    try {
      await next();
    } catch (error) {
      context.res = errorResponse(error);
      context.set('failure', describeError(error));
    }
    const status = context.res.status;
    const failure = context.get('failure');
    let suppressed: number | undefined;
    if (status === 429) {
      suppressed = throttled429.admit();
      if (suppressed === undefined) return;
    }
    logger.write(
      status >= 500 ? 'error' : status >= 400 ? 'warn' : 'info',
      {
        method: context.req.method,
        path: pathForLog(context.req.path, knownIds),
        status,
        durationMs: Math.round((performance.now() - started) * 100) / 100,
        ...(failure ? { error: failure } : {}),
        ...(suppressed ? { suppressed } : {}),
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
  app.use(async (context, next) => {
    const identity = context.req.method === 'POST' ? await identify(options.authenticate, context.req.raw) : undefined;
    context.set('identity', identity);
    if (identity) {
      context.get('logFields').identified = true;
      if (perIdentity) await enforceRateLimit(rateLimitStore, `identity:${identity.id}`, perIdentity);
    }
    await next();
  });

  function flowOf(flowId: string): RegisteredFlow {
    const registered = flows.get(flowId);
    if (!registered) throw new RelayError(404, 'flow_not_found', 'No flow with this id.');
    return registered;
  }

  async function limitSession(flowId: string, sessionId: string): Promise<void> {
    if (perSession) await enforceRateLimit(rateLimitStore, `session:${flowId}:${sessionId}`, perSession);
  }

  /** Replays the proof; a refusal is a 403 whose reason the log line names. */
  async function verified(
    context: Context<RelayEnvironment>,
    body: JsonRecord,
    registered: RegisteredFlow,
    target: { flowId: string; sessionId: string; call?: { tool: string; args: JsonObject; idempotencyKey: string }; handoffAt?: number },
  ): Promise<VerifiedConversation> {
    await ensureParsers();
    const flowVersion = optionalString(body, 'flowVersion', MAX_ID_LENGTH);
    const logFields = context.get('logFields');
    try {
      const result = await verifyConversation(
        body.proof,
        { ...target, versions: registered.versions, startVersion: flowVersion ?? registered.flow.version },
        verifySettings(),
      );
      logFields.verifiedEntries = Array.isArray((body.proof as { entries?: unknown } | undefined)?.entries) ? (body.proof as { entries: unknown[] }).entries.length : 0;
      return result;
    } catch (error) {
      if (error instanceof VerificationUnavailableError) {
        logFields.cause = 'slot_parsers_busy';
        throw new RelayError(503, 'verification_busy', 'The relay is too busy to check this call now; try again shortly.', { 'retry-after': '1' });
      }
      if (!(error instanceof ProofRefusedError)) throw error;
      logFields.denied = error.reason;
      if (error.seq !== undefined) logFields.deniedAt = error.seq;
      throw new RelayError(403, 'conversation_unverified', `This call does not follow from the conversation (${error.reason}).`);
    }
  }

  function checkpointFor(flowId: string, sessionId: string, conversation: VerifiedConversation): string {
    const { snapshot, flow, at } = conversation;
    return issueCheckpoint(signer, { flowId, flowVersion: flow.version, sessionId, seq: snapshot.seq, digest: snapshotDigest(snapshot), at });
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
    // The slot the visitor's current question asks for: a hint for the slot parsers (ignored unless the
    // flow has it), and the question whose answer is personal as a whole when the slot is.
    const asking = typeof body.asking === 'string' && body.asking.length <= MAX_ID_LENGTH ? body.asking : undefined;
    // The visitor's language (BCP 47): "demain à 19h" is read with the French rules in a flow written in English.
    const language = typeof body.language === 'string' && LANGUAGE_TAG.test(body.language) ? body.language : undefined;
    const logFields = context.get('logFields');
    // Ids the relay does not know are the client's free text: never logged as they are.
    const known = flows.get(flowId);
    Object.assign(logFields, { flowId: known ? flowId : OTHER, state: known?.states.has(state) ? state : OTHER, sessionId: sessionForLog(sessionId), textLength: text.length });
    const { flow, classifier, states } = flowOf(flowId);
    await limitSession(flowId, sessionId);
    const stateInfo = states.get(state);
    if (stateInfo === undefined) throw new RelayError(400, 'unknown_state', 'The flow has no such state.');
    const { allowed } = stateInfo;
    const around = readClassifyContext(body, flow);
    // Filled slots that may be corrected here are read too ("actually make it 6").
    const correctable = correctableSlots(flow, state, Object.fromEntries(around.filled.map((name) => [name, true])));

    await ensureParsers();
    const timeZone = flow.definition.meta.timeZone ?? 'UTC';
    const extractFor = async (intent: string | null): Promise<Record<string, unknown>> => {
      const names = [...new Set([...relevantSlots(flow, state, intent === null ? [] : [intent]), ...(around.slot === null ? [] : [around.slot]), ...correctable])];
      const specs: Record<string, SlotDefinition> = {};
      for (const name of names) {
        const definition = flow.slots[name];
        if (definition) specs[name] = definition;
      }
      // The parsers scan the whole text whatever the slots, so skip them when no slot is wanted, or the text is no slot answer.
      if (names.length === 0 || text.length > MAX_SLOT_TEXT_LENGTH) return {};
      const found = await extract({
        text,
        specs,
        now: now(),
        timeZone,
        language: language ?? flow.language,
        parsers: fullParsersLoaded() ? 'full' : 'basic',
        ...(asking !== undefined && Object.hasOwn(specs, asking) ? { asking } : {}),
      });
      return found ?? {};
    };
    const candidates = await extractFor(null);
    const local = classifyInContext(classifier, text, {
      allowed,
      threshold: flow.threshold,
      social: SMALL_TALK_INTENTS,
      minor: [YES_INTENT, NO],
      ...(around.slot !== null && Object.hasOwn(candidates, around.slot) ? { answers: intentsCarrying(flow, around.slot, allowed) } : {}),
    });
    const localSlots = local.intent === null ? candidates : await extractFor(local.intent);
    const piiValues = context.get('piiValues');
    piiValues.push(...stringValues(localSlots, flow.piiSlots));

    let answer: { intent: string | null; confidence: number; slots: JsonObject; source: 'local' | 'llm' } = {
      intent: local.intent,
      confidence: local.confidence,
      slots: typedSlots(flow, localSlots),
      source: 'local',
    };
    if (llm && local.confidence < flow.threshold && allowed.length > 0) {
      const known = maskForLlm ? stringValues(localSlots, flow.piiSlots) : [];
      // An answer to a question for a personal slot (a name, an address, a birth date) is personal as a whole:
      // the parsers find the name at best, not the street address written after it.
      const wholeAnswer = maskForLlm && personalSlotsAsked(flow, state, asking).length > 0;
      if (wholeAnswer) piiValues.push(text);
      const placeholders = createPlaceholders(wholeAnswer ? [text, ...known] : known);
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
        Object.assign(slots, await extractFor(outcome.answer.intent));
        const checked = typedSlots(flow, slots);
        if (Object.keys(checked).length < Object.keys(slots).length) logFields.droppedSlots = Object.keys(slots).length - Object.keys(checked).length;
        piiValues.push(...stringValues(checked, flow.piiSlots));
        answer = { intent: outcome.answer.intent, confidence: outcome.answer.confidence, slots: checked, source: 'llm' };
      }
    }
    Object.assign(logFields, { intent: answer.intent, confidence: Math.round(answer.confidence * 1000) / 1000, source: answer.source });
    // Signed, so a tool call's journal can carry it and the relay knows it said so.
    const signature = signer.sign('classification', classificationClaim(flowId, sessionId, state, text, answer));
    return json({ ...answer, signature });
  });

  app.post('/v1/checkpoint', async (context) => {
    const body = await readJsonObject(context.req.raw, proofBodyLimit);
    const flowId = requireString(body, 'flowId', MAX_ID_LENGTH);
    const sessionId = requireString(body, 'sessionId', MAX_ID_LENGTH);
    Object.assign(context.get('logFields'), { flowId: flows.has(flowId) ? flowId : OTHER, sessionId: sessionForLog(sessionId) });
    const registered = flowOf(flowId);
    await limitSession(flowId, sessionId);
    const conversation = await verified(context, body, registered, { flowId, sessionId });
    return json({ checkpoint: checkpointFor(flowId, sessionId, conversation), seq: conversation.snapshot.seq });
  });

  app.post('/v1/tools/:name', async (context: Context<RelayEnvironment>) => {
    const name = context.req.param('name') ?? '';
    const body = await readJsonObject(context.req.raw, proofBodyLimit);
    const flowId = requireString(body, 'flowId', MAX_ID_LENGTH);
    const sessionId = requireString(body, 'sessionId', MAX_ID_LENGTH);
    const logFields = context.get('logFields');
    Object.assign(logFields, { tool: knownIds.has(name) ? name : OTHER, flowId: flows.has(flowId) ? flowId : OTHER, sessionId: sessionForLog(sessionId) });
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
    let decision = decideTool(registered.flow, name, tools);
    if (!decision.allowed) {
      logFields.denied = decision.reason;
      throw toolDenied();
    }
    const identity = context.get('identity');
    if (decision.implementation.requiresIdentity && !identity) {
      logFields.denied = 'identity_required';
      throw new RelayError(401, 'identity_required', 'This tool needs a signed-in visitor.');
    }
    const piiValues = context.get('piiValues');
    piiValues.push(...stringValues(args as JsonRecord, decision.tool.pii), ...stringValues(args as JsonRecord, registered.flow.piiSlots));
    // Argument names only: values may hold personal data the masker cannot
    // recognise (a name in free text), and the log does not need them. Names
    // the tool does not declare are the client's free text too: only counted.
    const declared = declaredArgNames(decision.tool.args);
    const argNames = Object.keys(args).filter((argName) => declared.has(argName));
    const otherArgs = Object.keys(args).length - argNames.length;
    logFields.args = argNames;
    if (otherArgs > 0) logFields.otherArgs = otherArgs;

    const schemaCheck = checkAgainstSchema(decision.tool.args, args);
    if (!schemaCheck.valid) throw new RelayError(422, 'invalid_arguments', `The arguments do not fit the tool's schema (${schemaCheck.problem ?? 'invalid'}).`);

    let conversation: VerifiedConversation | undefined;
    if (verifying) {
      conversation = await verified(context, body, registered, { flowId, sessionId, call: { tool: name, args: args as JsonObject, idempotencyKey: key } });
      // A session pinned to an earlier version runs that version's declaration of the tool.
      if (conversation.flow !== registered.flow) {
        decision = decideTool(conversation.flow, name, tools);
        if (!decision.allowed) {
          logFields.denied = decision.reason;
          throw toolDenied();
        }
      }
    }
    const { tool, implementation } = decision;
    // With the snapshot the replay reached: the widget sends it back with its next call, which then carries only what follows.
    const checkpoint = conversation ? { checkpoint: checkpointFor(flowId, sessionId, conversation), snapshot: conversation.snapshot } : {};

    const fingerprint = fingerprintOf({ flowId, tool: name, args });
    const recordKey = `${flowId}:${sessionId}:${key}`;
    // Long enough for every attempt, grace and backoff; a crashed relay frees the key after it.
    const leaseMs = (tool.retries + 1) * (2 * tool.timeoutMs + runSettings.maxBackoffMs) + 1000;
    const claim = await idempotency.claim(recordKey, fingerprint, leaseMs, identity ? `identity:${identity.id}` : `ip:${context.env?.clientAddress ?? 'unknown'}`);
    if (claim.state === 'refused') {
      logFields.denied = claim.reason;
      const retryAfter = { 'retry-after': String(Math.ceil(claim.retryAfterMs / 1000)) };
      if (claim.reason === 'client_quota') throw new RelayError(429, 'idempotency_quota', 'Too many tool calls are still remembered for this client; try later.', retryAfter);
      throw new RelayError(503, 'idempotency_store_full', 'The relay cannot take new tool calls right now.', retryAfter);
    }
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
      const stored = claim.response.body;
      return json(stored !== null && typeof stored === 'object' ? { ...stored, ...checkpoint } : stored, claim.response.status, { 'idempotent-replayed': 'true' });
    }

    const started = performance.now();
    let outcome = 'ok';
    let attempts = 0;
    try {
      const run = await runTool(tool, implementation, args as JsonRecord, { flowId, sessionId, idempotencyKey: key, now: now(), ...(identity ? { identity } : {}) }, runSettings);
      attempts = run.attempts;
      const responseBody = { result: run.result, signature: signer.sign('tool-result', toolResultClaim(flowId, sessionId, name, key, run.result)) };
      await idempotency.complete(recordKey, claim.token, fingerprint, { status: 200, body: responseBody }, idempotencyTtlMs);
      return json({ ...responseBody, ...checkpoint });
    } catch (error) {
      outcome = describeError(error).code;
      if (error instanceof ToolStillRunningError) {
        // The attempt may still book the table: the key stays claimed until it stops, and a late result is kept for the retry.
        holdWhileRunning({
          store: idempotency,
          key: recordKey,
          token: claim.token,
          leaseMs,
          straggler: error.straggler,
          complete: (result) => ({ status: 200, body: { result, signature: signer.sign('tool-result', toolResultClaim(flowId, sessionId, name, key, result)) } }),
          fingerprint,
          ttlMs: idempotencyTtlMs,
          maxHoldMs: MAX_HOLD_MS,
          onSettled: (late) => logger.write('warn', { tool: name, flowId, sessionId, outcome: late }, 'timed-out tool call settled'),
        });
      } else {
        await idempotency.release(recordKey, claim.token);
      }
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
    proofBodyLimit,
    logIds: (flowId, sessionId) => ({ flowId: flows.has(flowId) ? flowId : OTHER, sessionId: sessionForLog(sessionId) }),
    // A handoff is checked like a tool call: the visitor's journal must reach the step that made it.
    verifyHandoff: verifying
      ? async (context, body, registered, flowId, sessionId, handoffAt) => {
          const conversation = await verified(context, body, registered, { flowId, sessionId, handoffAt });
          return conversation.handoff ?? { reason: null, queue: null };
        }
      : undefined,
  });

  app.notFound((context) => {
    const error = new RelayError(404, 'not_found', 'No such endpoint.');
    context.set('failure', describeError(error));
    return errorResponse(error);
  });
  app.onError((error, context) => {
    context.set('failure', describeError(error));
    return errorResponse(error);
  });

  return (request, context) => Promise.resolve(app.fetch(request, context ?? {}));
}
