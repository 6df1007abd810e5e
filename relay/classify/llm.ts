import OpenAI from 'openai';
import type { LoadedFlow } from '../../flows/index.ts';
import { examplesWithLanguage } from '../../widget/nlu/index.ts';
import { describeContext, type ClassifyContext } from './context.ts';
import { classificationSchema, compileAnswerCheck, NO_INTENT, type AnswerCheck, type CheckedAnswer } from './llm-schema.ts';

/** One POST to the LLM, as the relay makes it. */
export interface LlmTransportRequest {
  url: string;
  headers: Record<string, string>;
  body: string;
  /** Aborted on timeout; the transport then rejects. */
  signal: AbortSignal;
  /** A larger answer is not read: `text` is `undefined`. */
  maxResponseBytes: number;
}

export interface LlmTransportResponse {
  status: number;
  /** The body, or `undefined` when it exceeded `maxResponseBytes`. */
  text: string | undefined;
}

/** Sends an LLM request; rejects when the request fails or its signal aborts. */
export type LlmTransport = (request: LlmTransportRequest) => Promise<LlmTransportResponse>;

/** An OpenAI-compatible chat completions endpoint. */
export interface LlmOptions {
  apiKey: string;
  model: string;
  /** Defaults to OpenAI's (`https://api.openai.com/v1`). */
  baseURL?: string;
  /** Sent as OpenAI's `OpenAI-Organization` / `OpenAI-Project` headers. */
  organization?: string;
  project?: string;
  /** Per call, until the whole answer has arrived; on timeout the local answer is used. Default 4000. */
  timeoutMs?: number;
  /** For the in-page demo only: in a browser the relay refuses an API key otherwise, since the page would expose it. */
  dangerouslyAllowBrowser?: boolean;
  /** A fetch to send with instead of the global one. */
  fetch?: typeof fetch;
  /**
   * Sends the request instead of `fetch` (takes precedence). The Node server
   * passes a keep-alive node:http one (`relay/node-llm-transport.ts`).
   */
  transport?: LlmTransport;
}

export type LlmAnswer = CheckedAnswer;

export type LlmOutcome =
  | { ok: true; answer: LlmAnswer }
  | { ok: false; reason: 'timeout' | 'http_error' | 'malformed' | 'outside_enum' | 'invalid_slots' | 'refused'; status?: number };

const DEFAULT_BASE_URL = 'https://api.openai.com/v1';
const EXAMPLES_PER_INTENT = 4;
/** A classification answer is a few hundred bytes; anything far larger is not one. */
const MAX_ANSWER_BYTES = 256 * 1024;

function describeIntents(flow: LoadedFlow, allowed: readonly string[]): string {
  return allowed
    .map((name) => {
      const intent = flow.definition.intents[name];
      const examples = examplesWithLanguage(intent?.examples, flow.language)
        .slice(0, EXAMPLES_PER_INTENT)
        .map((example) => JSON.stringify(example.text));
      const description = intent?.description ? ` — ${intent.description}` : '';
      return `- ${name}${description}. Examples: ${examples.join(', ')}`;
    })
    .join('\n');
}

function systemPrompt(flow: LoadedFlow, allowed: readonly string[]): string {
  return (
    `You classify one message of a visitor chatting with "${flow.definition.meta.name}". ` +
    `Pick the intent that fits, or "${NO_INTENT}" when none does. Fill a slot only with a value the message states; otherwise null. ` +
    'Placeholders such as <EMAIL_1> stand for personal data: copy them unchanged.\n' +
    `Intents:\n${describeIntents(flow, allowed)}`
  );
}

function runningInBrowser(): boolean {
  const scope = globalThis as { window?: { document?: unknown }; navigator?: unknown };
  return typeof scope.window?.document !== 'undefined' && typeof scope.navigator !== 'undefined';
}

/** Everything about a call that depends only on the flow, the state's intents and slots: built once. */
interface CallPlan {
  system: { role: 'system'; content: string };
  responseFormat: { type: 'json_schema'; json_schema: { name: string; strict: true; schema: Record<string, unknown> } };
  check: AnswerCheck;
}

/** The body as text, or `undefined` when it is over `maxBytes`. */
async function readLimited(response: Response, maxBytes: number): Promise<string | undefined> {
  const declared = response.headers.get('content-length');
  if (declared !== null) {
    if (!(Number(declared) <= maxBytes)) {
      // Not awaited: some bodies settle their cancellation only once drained.
      response.body?.cancel().catch(() => undefined);
      return undefined;
    }
    return response.text();
  }
  if (response.body === null) return '';
  const reader = response.body.getReader();
  const decoder = new TextDecoder();
  let text = '';
  let received = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) return text + decoder.decode();
    received += value.byteLength;
    if (received > maxBytes) {
      reader.cancel().catch(() => undefined);
      return undefined;
    }
    text += decoder.decode(value, { stream: true });
  }
}

/**
 * `work`, or a rejection as soon as `signal` aborts: not every fetch ends a
 * body that is still arriving when its signal aborts.
 */
async function unlessAborted<T>(work: Promise<T>, signal: AbortSignal, onAbort: () => void): Promise<T> {
  work.catch(() => undefined);
  let listener: (() => void) | undefined;
  const aborted = new Promise<never>((_, reject) => {
    listener = () => {
      onAbort();
      reject(signal.reason);
    };
    if (signal.aborted) listener();
    else signal.addEventListener('abort', listener, { once: true });
  });
  try {
    return await Promise.race([work, aborted]);
  } finally {
    if (listener) signal.removeEventListener('abort', listener);
  }
}

/** The default transport: `fetch`, any implementation (the global one, a test's, a browser's). */
export function fetchTransport(fetchImplementation: typeof fetch = (input, init) => fetch(input, init)): LlmTransport {
  return async ({ url, headers, body, signal, maxResponseBytes }) => {
    const response = await fetchImplementation(url, { method: 'POST', headers, body, signal });
    const text = await unlessAborted(readLimited(response, maxResponseBytes), signal, () => {
      response.body?.cancel().catch(() => undefined);
    });
    return { status: response.status, text };
  };
}

/**
 * The SDK's `fetch`, made of a transport: the transport bounds the answer's
 * size and ends a body that stalls once the call's signal aborts.
 */
function transportFetch(transport: LlmTransport): typeof fetch {
  return async (input, init) => {
    const url = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url;
    const headers: Record<string, string> = {};
    new Headers(init?.headers).forEach((value, name) => {
      headers[name] = value;
    });
    const answer = await transport({
      url,
      headers,
      body: typeof init?.body === 'string' ? init.body : '',
      signal: init?.signal ?? new AbortController().signal,
      maxResponseBytes: MAX_ANSWER_BYTES,
    });
    if (answer.text === undefined) throw new Error('the LLM answer is larger than a classification can be');
    return new Response(answer.text, { status: answer.status, headers: { 'content-type': 'application/json' } });
  };
}

/**
 * Asks an OpenAI-compatible chat completions endpoint once, through the
 * openai SDK, with a JSON schema built from the relay's copy of the flow,
 * and checks the answer again here: strict mode is a request to the
 * provider, not a guarantee, and OpenAI-compatible servers vary.
 *
 * One call with a timeout covering the whole answer and no retries (a slow
 * or failing LLM falls back to the local answer at once). The system
 * message, the schema and the answer check are built once per flow, intents
 * and slots.
 */
export class LlmClassifier {
  readonly #client: OpenAI;
  readonly #model: string;
  readonly #timeoutMs: number;
  // Keyed by flow, version, allowed intents and slots: flows are fixed when the
  // relay starts and states are checked before a call, so the map stays small.
  readonly #plans = new Map<string, CallPlan>();

  constructor(options: LlmOptions) {
    if (!options.dangerouslyAllowBrowser && runningInBrowser()) {
      throw new Error('The relay will not use an LLM API key in a browser, where the page would expose it; set `dangerouslyAllowBrowser` for a demo.');
    }
    this.#model = options.model;
    this.#timeoutMs = options.timeoutMs ?? 4000;
    this.#client = new OpenAI({
      apiKey: options.apiKey,
      baseURL: options.baseURL ?? DEFAULT_BASE_URL,
      maxRetries: 0,
      timeout: this.#timeoutMs,
      organization: options.organization ?? null,
      project: options.project ?? null,
      fetch: transportFetch(options.transport ?? fetchTransport(options.fetch)),
      ...(options.dangerouslyAllowBrowser ? { dangerouslyAllowBrowser: true } : {}),
    });
  }

  #planFor(flow: LoadedFlow, allowed: readonly string[], slotNames: readonly string[]): CallPlan {
    const key = `${flow.id}\u0000${flow.version}\u0000${allowed.join(',')}\u0000${slotNames.join(',')}`;
    let plan = this.#plans.get(key);
    if (!plan) {
      plan = {
        system: { role: 'system', content: systemPrompt(flow, allowed) },
        responseFormat: {
          type: 'json_schema',
          json_schema: { name: 'classification', strict: true, schema: classificationSchema(flow, allowed, slotNames) as Record<string, unknown> },
        },
        check: compileAnswerCheck(flow, allowed, slotNames),
      };
      this.#plans.set(key, plan);
    }
    return plan;
  }

  /** `context.lastBotMessage` and `maskedText` must already be masked. */
  async classify(flow: LoadedFlow, allowed: readonly string[], slotNames: readonly string[], maskedText: string, context?: ClassifyContext): Promise<LlmOutcome> {
    const plan = this.#planFor(flow, allowed, slotNames);
    const around = context === undefined ? null : describeContext(context);
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(), this.#timeoutMs);
    try {
      const completion = await this.#client.chat.completions.create(
        {
          model: this.#model,
          temperature: 0,
          messages: [plan.system, ...(around === null ? [] : [{ role: 'system' as const, content: around }]), { role: 'user', content: maskedText }],
          response_format: plan.responseFormat,
        },
        { signal: controller.signal },
      );
      return checkCompletion(completion.choices[0]?.message, plan.check);
    } catch (error) {
      if (controller.signal.aborted || error instanceof OpenAI.APIConnectionTimeoutError || error instanceof OpenAI.APIUserAbortError) {
        return { ok: false, reason: 'timeout' };
      }
      if (error instanceof OpenAI.APIError && typeof error.status === 'number') return { ok: false, reason: 'http_error', status: error.status };
      if (error instanceof SyntaxError) return { ok: false, reason: 'malformed' };
      return { ok: false, reason: 'http_error' };
    } finally {
      clearTimeout(timer);
    }
  }
}

function checkCompletion(message: { content?: unknown; refusal?: unknown } | null | undefined, check: AnswerCheck): LlmOutcome {
  if (message === null || typeof message !== 'object') return { ok: false, reason: 'malformed' };
  if (message.refusal) return { ok: false, reason: 'refused' };
  if (typeof message.content !== 'string') return { ok: false, reason: 'malformed' };
  let parsed: unknown;
  try {
    parsed = JSON.parse(message.content);
  } catch {
    return { ok: false, reason: 'malformed' };
  }
  const answer = check(parsed);
  return typeof answer === 'string' ? { ok: false, reason: answer } : { ok: true, answer };
}
