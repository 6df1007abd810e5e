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
 * Every line the relay writes passes through here and is masked by value:
 * PII shapes in any string (free text included) and the values the flow
 * marks personal for this request (`knownValues`).
 */
export class MaskedLogger {
  constructor(readonly sink: LogSink) {}

  write(level: LogLevel, fields: Record<string, unknown>, message: string, knownValues: readonly string[] = []): void {
    this.sink[level](maskValue(fields, knownValues) as object, maskText(message, knownValues));
  }
}

/** The default sink: JSON lines on stdout (in a browser, pino's console build). */
export function defaultLogSink(): LogSink {
  return pino({ name: 'statechat-relay', base: undefined });
}
