import type { LoadedTool } from '../../flows/index.ts';
import { RelayError } from '../errors.ts';
import { checkAgainstSchema } from './schema-validator.ts';
import type { ToolContext, ToolImplementation } from './types.ts';

export interface RunOutcome {
  result: unknown;
  attempts: number;
}

export interface RunSettings {
  /** Waits between attempts; injected so tests run on simulated time. */
  sleep: (milliseconds: number) => Promise<void>;
  /** First backoff; doubles each retry up to `maxBackoffMs`. */
  baseBackoffMs: number;
  maxBackoffMs: number;
}

export const defaultRunSettings: RunSettings = {
  sleep: (milliseconds) => new Promise((resolve) => setTimeout(resolve, milliseconds)),
  baseBackoffMs: 100,
  maxBackoffMs: 2000,
};

class AttemptTimeout extends Error {
  override readonly name = 'AttemptTimeout';
}

async function attemptOnce(
  implementation: ToolImplementation,
  args: Record<string, unknown>,
  context: Omit<ToolContext, 'signal' | 'attempt'>,
  attempt: number,
  timeoutMs: number,
): Promise<unknown> {
  const controller = new AbortController();
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      controller.abort();
      reject(new AttemptTimeout());
    }, timeoutMs);
  });
  try {
    const running = Promise.resolve().then(() =>
      implementation.handler(structuredClone(args), { ...context, attempt, signal: controller.signal }),
    );
    // The losing promise of the race must not surface as an unhandled rejection.
    running.catch(() => undefined);
    return await Promise.race([running, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Runs a tool with its per-attempt timeout and up to `retries` retries with
 * capped exponential backoff, then checks the result against the flow's
 * `result` schema. A `RelayError` thrown by the implementation is a deliberate
 * answer to the client and is neither retried nor hidden.
 *
 * Retrying after a timeout may run the side effect twice; implementations get
 * the idempotency key in their context to guard against that.
 */
export async function runTool(
  tool: LoadedTool,
  implementation: ToolImplementation,
  args: Record<string, unknown>,
  context: Omit<ToolContext, 'signal' | 'attempt'>,
  settings: RunSettings = defaultRunSettings,
): Promise<RunOutcome> {
  const maxAttempts = 1 + Math.max(0, Math.floor(tool.retries));
  let lastFailure: unknown;
  for (let attempt = 1; attempt <= maxAttempts; attempt++) {
    if (attempt > 1) {
      await settings.sleep(Math.min(settings.maxBackoffMs, settings.baseBackoffMs * 2 ** (attempt - 2)));
    }
    try {
      const result = await attemptOnce(implementation, args, context, attempt, tool.timeoutMs);
      // A JSON round trip: what the client will receive, and no `undefined`
      // or class instances for the validator to trip over.
      const normalised: unknown = JSON.parse(JSON.stringify(result ?? null) ?? 'null');
      if (tool.result) {
        const check = checkAgainstSchema(tool.result, normalised);
        if (!check.valid) {
          throw new RelayError(502, 'tool_result_invalid', 'The tool answered with a result its flow does not allow.');
        }
      }
      return { result: normalised, attempts: attempt };
    } catch (error) {
      if (error instanceof RelayError) throw error;
      lastFailure = error;
    }
  }
  if (lastFailure instanceof AttemptTimeout) {
    throw new RelayError(504, 'tool_timeout', 'The tool did not answer in time.');
  }
  throw new RelayError(502, 'tool_failed', 'The tool failed.');
}
