import pino from 'pino';
import { maskText, maskValue } from './pii/mask.ts';

/** The part of a pino logger the relay writes to; any pino instance fits. */
export interface LogSink {
  info(fields: object, message: string): void;
  warn(fields: object, message: string): void;
  error(fields: object, message: string): void;
}

export type LogLevel = 'info' | 'warn' | 'error';

/**
 * Fields whose values the relay itself chooses (codes, counts, outcomes).
 * A value a client flagged as personal (a `pii` argument) is masked wherever
 * the client's own text appears, but never in these: otherwise sending
 * `"POST"` or `"tool_timeout"` as a name would erase them from the line.
 */
const RELAY_OWN_FIELDS = new Set([
  'method',
  'status',
  'durationMs',
  'outcome',
  'attempts',
  'error',
  'denied',
  'source',
  'llm',
  'confidence',
  'args',
  'otherArgs',
  'textLength',
  'suppressed',
  'verifiedEntries',
  'checkpoint',
  'identified',
]);

/**
 * Every line the relay writes passes through here and is masked by value:
 * PII shapes in any string (free text included) and the values the flow
 * marks personal for this request (`knownValues`), the latter only in fields
 * that carry the client's text. Numbers are the relay's measurements and are
 * never masked.
 */
export class MaskedLogger {
  constructor(readonly sink: LogSink) {}

  write(level: LogLevel, fields: Record<string, unknown>, message: string, knownValues: readonly string[] = []): void {
    const masked: Record<string, unknown> = {};
    for (const [name, value] of Object.entries(fields)) {
      if (value === undefined) continue;
      masked[name] = maskValue(value, RELAY_OWN_FIELDS.has(name) ? [] : knownValues, 0, true);
    }
    this.sink[level](masked, maskText(message));
  }
}

/**
 * Lets the first `limit` lines of a kind through per window and counts the
 * rest, so a flood of refused requests (429s) cannot flood the log: the next
 * line let through says how many were left out.
 */
export class LogThrottle {
  #windowStart = Number.NEGATIVE_INFINITY;
  #written = 0;
  #suppressed = 0;

  constructor(
    private readonly limit: number,
    private readonly windowMs: number,
    private readonly now: () => number = () => performance.now(),
  ) {}

  /** `undefined`: leave the line out; a number: write it, saying how many were left out before it. */
  admit(): number | undefined {
    const now = this.now();
    if (now - this.#windowStart >= this.windowMs) {
      this.#windowStart = now;
      this.#written = 0;
    }
    if (this.#written >= this.limit) {
      this.#suppressed += 1;
      return undefined;
    }
    this.#written += 1;
    const suppressed = this.#suppressed;
    this.#suppressed = 0;
    return suppressed;
  }
}

/** The default sink: JSON lines on stdout (in a browser, pino's console build). */
export function defaultLogSink(): LogSink {
  return pino({ name: 'statechat-relay', base: undefined });
}
