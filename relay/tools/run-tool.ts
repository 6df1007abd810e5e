import type { LoadedTool } from '../../flows/index.ts';
import { isRelayError, RelayError } from '../errors.ts';
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

type Settlement = { ok: true; value: unknown } | { ok: false; error: unknown };

/**
 * The answer when an attempt outlived its timeout and, aborted, did not stop
 * within the grace period either. It may still perform its side effect, so
 * the caller keeps the idempotency key claimed until `straggler` settles, and
 * stores the late result if there is one.
 */
export class ToolStillRunningError extends RelayError {
  constructor(readonly straggler: Promise<{ ok: true; result: unknown } | { ok: false }>) {
    super(504, 'tool_timeout', 'The tool did not answer in time.');
  }
}

function settle(run: () => unknown): Promise<Settlement> {
  return Promise.resolve()
    .then(run)
    .then(
      (value): Settlement => ({ ok: true, value }),
      (error: unknown): Settlement => ({ ok: false, error }),
    );
}

function within(settled: Promise<Settlement>, milliseconds: number): Promise<Settlement | 'timeout'> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<'timeout'>((resolve) => {
    timer = setTimeout(() => resolve('timeout'), milliseconds);
  });
  return Promise.race([settled, timeout]).finally(() => clearTimeout(timer));
}

/** A JSON round trip (what the client will receive), checked against the flow's `result` schema. */
function normalise(tool: LoadedTool, value: unknown): unknown {
  const text = JSON.stringify(value ?? null, (_key, item: unknown) => {
    if (typeof item === 'number' && !Number.isFinite(item)) throw new RelayError(502, 'tool_result_invalid', 'The tool answered with a number JSON cannot carry.');
    return item;
  });
  const normalised: unknown = JSON.parse(text ?? 'null');
  if (tool.result) {
    const check = checkAgainstSchema(tool.result, normalised);
    if (!check.valid) throw new RelayError(502, 'tool_result_invalid', 'The tool answered with a result its flow does not allow.');
  }
  return normalised;
}

/**
 * Runs a tool with its per-attempt timeout and up to `retries` retries with
 * capped exponential backoff, then checks the result against the flow's
 * `result` schema. A `RelayError` thrown by the implementation (from any copy
 * of the class) is a deliberate answer to the client and is neither retried
 * nor hidden.
 *
 * Attempts never overlap: a timed-out attempt is aborted and waited for
 * (another `timeout_ms` at most) before the next one starts; if it then
 * succeeds, its late result is the answer. One that does not stop at all ends
 * the run with `ToolStillRunningError`. Implementations get the idempotency
 * key in their context, so a backend can deduplicate too.
 */
export async function runTool(
  tool: LoadedTool,
  implementation: ToolImplementation,
  args: Record<string, unknown>,
  context: Omit<ToolContext, 'signal' | 'attempt'>,
  settings: RunSettings = defaultRunSettings,
): Promise<RunOutcome> {
  const maxAttempts = 1 + Math.max(0, Math.floor(tool.retries));
  let timedOut = false;
  for (let attempt = 1; attempt <= maxAttempts; attempt++) {
    if (attempt > 1) {
      await settings.sleep(Math.min(settings.maxBackoffMs, settings.baseBackoffMs * 2 ** (attempt - 2)));
    }
    const controller = new AbortController();
    const settled = settle(() => implementation.handler(structuredClone(args), { ...context, attempt, signal: controller.signal }));
    let outcome = await within(settled, tool.timeoutMs);
    if (outcome === 'timeout') {
      timedOut = true;
      controller.abort();
      outcome = await within(settled, tool.timeoutMs);
      if (outcome === 'timeout') {
        throw new ToolStillRunningError(
          settled.then((late) => {
            if (!late.ok) return { ok: false as const };
            try {
              return { ok: true as const, result: normalise(tool, late.value) };
            } catch {
              return { ok: false as const };
            }
          }),
        );
      }
    }
    if (outcome.ok) return { result: normalise(tool, outcome.value), attempts: attempt };
    if (isRelayError(outcome.error)) {
      // Rebuilt as our own class, so a copy's subclass or extra fields go no further.
      const error = outcome.error;
      throw new RelayError(error.status, error.code, error.message, error.headers);
    }
  }
  if (timedOut) throw new RelayError(504, 'tool_timeout', 'The tool did not answer in time.');
  throw new RelayError(502, 'tool_failed', 'The tool failed.');
}
