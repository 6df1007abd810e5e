import { QueryClient } from '@tanstack/query-core';
import type { Flow, Json, JsonObject } from '../../flows/types.ts';
import type { ClassifyContext, ConversationProof, EngineEvent, Env, Snapshot } from '../engine/types.ts';

export type { ConversationProof, ProofEntry } from '../engine/types.ts';
import { errorFromResponse, RelayRequestError } from './relay-request-error.ts';

export interface ClassifyBody {
  flowId: string;
  state: string;
  text: string;
  sessionId: string;
  /** The slot the current question asks for. */
  asking?: string;
  /** The conversation's language (BCP 47): the relay reads dates and numbers with its rules. */
  language?: string;
  /** The question asked, the names of the filled slots and the bot's last message (personal values replaced), for the LLM. */
  context?: ClassifyContext;
}

export interface ClassifyAnswer {
  intent: string | null;
  confidence: number;
  slots: JsonObject;
  source: string;
  /** The relay's signature of this answer; kept with the journal entry and sent back with tool calls. */
  signature?: string;
}

export interface ToolBody {
  flowId: string;
  sessionId: string;
  args: JsonObject;
  /** The flow version the session runs (the relay replays with its own copy of it). */
  flowVersion?: string;
  proof?: ConversationProof;
}

export interface ToolAnswer {
  result: Json;
  /** The relay's signature of the result: the journal entry of `tool.result` keeps it. */
  signature?: string;
  /** A new checkpoint: the relay's token and the snapshot its replay reached, sent back with the next call. */
  checkpoint?: { token: string; snapshot: Snapshot };
}

export interface CheckpointBody {
  flowId: string;
  sessionId: string;
  flowVersion?: string;
  proof: ConversationProof;
}

export interface CachedFlow {
  definition: Flow;
  etag?: string;
}

export interface FetchedFlow {
  definition: Flow;
  etag: string | undefined;
  /** False when the relay answered 304 (the cached copy is current). */
  changed: boolean;
}

export interface RelayClientOptions {
  /** The relay's base URL, e.g. `https://example.com/statechat`. */
  baseUrl: string;
  /** Defaults to the global `fetch`, looked up on each call (so test interceptors apply). */
  fetch?: typeof fetch;
  queryClient: QueryClient;
  classifyTimeoutMs?: number;
}

const DEFAULT_CLASSIFY_TIMEOUT_MS = 15_000;

/** The relay's signature of an answer, when it sent one. */
function signed(answer: Record<string, unknown>): { signature?: string } {
  return typeof answer.signature === 'string' ? { signature: answer.signature } : {};
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

interface RequestOptions {
  method?: 'GET' | 'POST';
  /** Sent as the JSON body. */
  json?: unknown;
  headers?: Record<string, string>;
  /** The caller's cancellation (TanStack's query signal). */
  signal?: AbortSignal;
  /** Until the response's headers arrive. */
  timeoutMs: number;
}

/**
 * The relay's endpoints over `fetch`. Every failure becomes a
 * `RelayRequestError`; retrying is the caller's business (the outbox's
 * mutations, the flow query), so this client never retries.
 *
 * Plain `fetch` rather than ky (issue #9): with retries, hooks and HTTP
 * errors all handled here, ky only joined URLs and timed requests out, for
 * 3.5 KB gzip of the widget's download.
 */
export class RelayClient {
  readonly #fetch: typeof fetch;
  readonly #prefix: string;
  readonly #queryClient: QueryClient;
  readonly #classifyTimeoutMs: number;

  readonly #options: RelayClientOptions;
  constructor(options: RelayClientOptions) {
    this.#options = options;
    this.#fetch = options.fetch ?? ((input: RequestInfo | URL, init?: RequestInit) => globalThis.fetch(input, init));
    this.#prefix = options.baseUrl.replace(/\/+$/, '');
    this.#queryClient = options.queryClient;
    this.#classifyTimeoutMs = options.classifyTimeoutMs ?? DEFAULT_CLASSIFY_TIMEOUT_MS;
  }

  get baseUrl(): string {
    return this.#options.baseUrl;
  }

  /** `path` relative to the base URL; answers every HTTP status but 2xx and 304 with the relay's error. */
  async #request(label: string, path: string, options: RequestOptions): Promise<Response> {
    const controller = new AbortController();
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      controller.abort();
    }, options.timeoutMs);
    const cancel = (): void => controller.abort(options.signal?.reason);
    if (options.signal?.aborted) cancel();
    options.signal?.addEventListener('abort', cancel);
    let response: Response;
    try {
      response = await this.#fetch(`${this.#prefix}/${path}`, {
        method: options.method ?? 'GET',
        headers: { ...(options.json === undefined ? {} : { 'content-type': 'application/json' }), ...options.headers },
        ...(options.json === undefined ? {} : { body: JSON.stringify(options.json) }),
        signal: controller.signal,
      });
    } catch (error) {
      if (timedOut) throw new RelayRequestError('timeout', `${label} timed out`, null, true, null, { cause: error });
      throw new RelayRequestError('network', `${label} could not reach the relay`, null, true, null, { cause: error });
    } finally {
      clearTimeout(timer);
      options.signal?.removeEventListener('abort', cancel);
    }
    if (!response.ok && response.status !== 304) throw await errorFromResponse(response, label);
    return response;
  }

  /**
   * The flow as the relay serves it, revalidated with its ETag: a 304 keeps
   * `cached`. Goes through the query cache, so concurrent asks share one request.
   */
  fetchFlow(flowId: string, cached: CachedFlow | undefined): Promise<FetchedFlow> {
    return this.#queryClient.fetchQuery({
      queryKey: ['statechat', 'flow', this.#options.baseUrl, flowId],
      staleTime: 0,
      retry: (failureCount, error) => error instanceof RelayRequestError && error.transient && failureCount < 2,
      retryDelay: (failureCount) => Math.min(500 * 2 ** failureCount, 2000),
      queryFn: async ({ signal }) => {
        const label = `GET /v1/flows/${flowId}`;
        const headers: Record<string, string> = cached?.etag ? { 'if-none-match': cached.etag } : {};
        const response = await this.#request(label, `v1/flows/${encodeURIComponent(flowId)}`, { headers, signal, timeoutMs: 10_000 });
        if (response.status === 304 && cached) return { definition: cached.definition, etag: cached.etag, changed: false };
        const body: unknown = await response.json().catch(() => undefined);
        if (!isRecord(body)) throw new RelayRequestError('bad_response', `${label} did not answer a flow`, response.status, false);
        return { definition: body as unknown as Flow, etag: response.headers.get('etag') ?? undefined, changed: true };
      },
    });
  }

  /** POSTs `json` to `path`: the answer when `valid` recognises it, a `bad_response` error otherwise. */
  async #post(path: string, json: unknown, timeoutMs: number, valid: (answer: Record<string, unknown>) => boolean, headers?: Record<string, string>): Promise<Record<string, unknown>> {
    const label = `POST /${path}`;
    const response = await this.#request(label, path, { method: 'POST', json, timeoutMs, ...(headers ? { headers } : {}) });
    const answer: unknown = await response.json().catch(() => undefined);
    if (!isRecord(answer) || !valid(answer)) throw new RelayRequestError('bad_response', `${label} answered something unexpected`, response.status, false);
    return answer;
  }

  async classify(body: ClassifyBody): Promise<ClassifyAnswer> {
    const answer = await this.#post(
      'v1/classify',
      body,
      this.#classifyTimeoutMs,
      (answer) => (answer.intent === null || typeof answer.intent === 'string') && typeof answer.confidence === 'number' && (answer.slots === undefined || isRecord(answer.slots)),
    );
    return {
      intent: answer.intent as string | null,
      confidence: answer.confidence as number,
      slots: (answer.slots ?? {}) as JsonObject,
      source: typeof answer.source === 'string' ? answer.source : 'relay',
      ...signed(answer),
    };
  }

  async callTool(name: string, body: ToolBody, idempotencyKey: string, timeoutMs: number): Promise<ToolAnswer> {
    const answer = await this.#post(`v1/tools/${encodeURIComponent(name)}`, body, timeoutMs, (answer) => 'result' in answer, { 'idempotency-key': idempotencyKey });
    return {
      result: answer.result as Json,
      ...signed(answer),
      ...(typeof answer.checkpoint === 'string' && isRecord(answer.snapshot) ? { checkpoint: { token: answer.checkpoint, snapshot: answer.snapshot as unknown as Snapshot } } : {}),
    };
  }

  /** A checkpoint at the end of `body.proof`: asked before a flow upgrade, which starts the journal afresh. */
  async checkpoint(body: CheckpointBody): Promise<string> {
    const answer = await this.#post('v1/checkpoint', body, 15_000, (answer) => typeof answer.checkpoint === 'string');
    return answer.checkpoint as string;
  }
}
