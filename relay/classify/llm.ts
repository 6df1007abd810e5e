import OpenAI from 'openai';
import type { JsonSchemaObject, LoadedFlow } from '../../flows/index.ts';
import { checkAgainstSchema } from '../tools/schema-validator.ts';
import { classificationSchema, NO_INTENT } from './llm-schema.ts';

/** An OpenAI-compatible chat completions endpoint. */
export interface LlmOptions {
  apiKey: string;
  model: string;
  /** Defaults to OpenAI's. */
  baseURL?: string;
  /** Per call; on timeout the local answer is used. Default 4000. */
  timeoutMs?: number;
  /** For the in-page demo only: the openai SDK refuses to run in a browser otherwise. */
  dangerouslyAllowBrowser?: boolean;
  /** A fetch to use instead of the global one. */
  fetch?: typeof fetch;
}

export interface LlmAnswer {
  intent: string | null;
  confidence: number;
  slots: Record<string, unknown>;
}

export type LlmOutcome =
  | { ok: true; answer: LlmAnswer }
  | { ok: false; reason: 'timeout' | 'http_error' | 'malformed' | 'outside_enum' | 'invalid_slots' | 'refused'; status?: number };

const EXAMPLES_PER_INTENT = 4;

function describeIntents(flow: LoadedFlow, allowed: readonly string[]): string {
  return allowed
    .map((name) => {
      const intent = flow.definition.intents[name];
      const examples = (intent?.examples ?? []).slice(0, EXAMPLES_PER_INTENT).map((example) => JSON.stringify(example));
      const description = intent?.description ? ` — ${intent.description}` : '';
      return `- ${name}${description}. Examples: ${examples.join(', ')}`;
    })
    .join('\n');
}

/**
 * Asks the LLM once, with a JSON schema built from the relay's copy of the
 * flow, and checks the answer again here: strict mode is a request to the
 * provider, not a guarantee, and OpenAI-compatible servers vary.
 */
export class LlmClassifier {
  readonly #client: OpenAI;
  readonly #model: string;

  constructor(options: LlmOptions) {
    this.#model = options.model;
    this.#client = new OpenAI({
      apiKey: options.apiKey,
      baseURL: options.baseURL,
      timeout: options.timeoutMs ?? 4000,
      // One call, no SDK retries: a slow or failing LLM falls back to the local answer at once.
      maxRetries: 0,
      dangerouslyAllowBrowser: options.dangerouslyAllowBrowser ?? false,
      ...(options.fetch ? { fetch: options.fetch } : {}),
    });
  }

  // Per flow, state intents and slots: the schemas are rebuilt only when those change,
  // and the validator compiled for one is reused.
  readonly #schemas = new Map<string, { request: JsonSchemaObject; validation: JsonSchemaObject }>();

  #schemasFor(flow: LoadedFlow, allowed: readonly string[], slotNames: readonly string[]) {
    const key = `${flow.id}\u0000${flow.version}\u0000${allowed.join(',')}\u0000${slotNames.join(',')}`;
    let schemas = this.#schemas.get(key);
    if (!schemas) {
      schemas = { request: classificationSchema(flow, allowed, slotNames), validation: classificationSchema(flow, allowed, slotNames, true) };
      this.#schemas.set(key, schemas);
    }
    return schemas;
  }

  async classify(flow: LoadedFlow, allowed: readonly string[], slotNames: readonly string[], maskedText: string): Promise<LlmOutcome> {
    const schemas = this.#schemasFor(flow, allowed, slotNames);
    const schema = schemas.request;
    let content: string | null | undefined;
    try {
      const completion = await this.#client.chat.completions.create({
        model: this.#model,
        temperature: 0,
        messages: [
          {
            role: 'system',
            content:
              `You classify one message of a visitor chatting with "${flow.definition.meta.name}". ` +
              `Pick the intent that fits, or "${NO_INTENT}" when none does. Fill a slot only with a value the message states; otherwise null. ` +
              'Placeholders such as <EMAIL_1> stand for personal data: copy them unchanged.\n' +
              `Intents:\n${describeIntents(flow, allowed)}`,
          },
          { role: 'user', content: maskedText },
        ],
        response_format: {
          type: 'json_schema',
          json_schema: { name: 'classification', strict: true, schema: schema as Record<string, unknown> },
        },
      });
      const choice = completion.choices[0];
      if (choice?.message.refusal) return { ok: false, reason: 'refused' };
      content = choice?.message.content;
    } catch (error) {
      if (error instanceof OpenAI.APIConnectionTimeoutError) return { ok: false, reason: 'timeout' };
      if (error instanceof OpenAI.APIError) return { ok: false, reason: 'http_error', status: error.status };
      return { ok: false, reason: 'http_error' };
    }
    return parseAnswer(schemas.validation, allowed, content);
  }
}

function parseAnswer(validationSchema: JsonSchemaObject, allowed: readonly string[], content: string | null | undefined): LlmOutcome {
  if (typeof content !== 'string') return { ok: false, reason: 'malformed' };
  let parsed: unknown;
  try {
    parsed = JSON.parse(content);
  } catch {
    return { ok: false, reason: 'malformed' };
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) return { ok: false, reason: 'malformed' };
  const { intent } = parsed as { intent?: unknown };
  if (typeof intent !== 'string' || (intent !== NO_INTENT && !allowed.includes(intent))) {
    return { ok: false, reason: 'outside_enum' };
  }
  const check = checkAgainstSchema(validationSchema, parsed);
  if (!check.valid) return { ok: false, reason: 'invalid_slots' };
  const answer = parsed as { intent: string; confidence: number; slots: Record<string, unknown> };
  const slots: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(answer.slots)) if (value !== null) slots[name] = value;
  return {
    ok: true,
    answer: {
      intent: answer.intent === NO_INTENT ? null : answer.intent,
      confidence: Math.min(1, Math.max(0, Number.isFinite(answer.confidence) ? answer.confidence : 0)),
      slots,
    },
  };
}
