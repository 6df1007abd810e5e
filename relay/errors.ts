// A registered symbol is the same in every copy of this module (ESM and
// CommonJS loads of it, bundles): a `TOOLS_MODULE` loaded as CommonJS gets its
// own copy of `RelayError`, whose instances fail `instanceof` here (a tool's
// deliberate 4xx became a retried 502). `isRelayError` checks the brand.
const RELAY_ERROR_BRAND: unique symbol = Symbol.for('statechat.RelayError') as never;

export type RelayErrorStatus = 400 | 401 | 403 | 404 | 405 | 408 | 409 | 410 | 413 | 415 | 422 | 429 | 500 | 502 | 503 | 504;

const STATUSES = new Set<number>([400, 401, 403, 404, 405, 408, 409, 410, 413, 415, 422, 429, 500, 502, 503, 504]);

/**
 * The relay's one error type. Everything a client sees as an error is a
 * `RelayError` turned into `{ "error": { "code", "message" } }`; anything else
 * thrown becomes a bare 500 so no stack trace or internal detail leaks.
 *
 * @example
 * throw new RelayError(403, 'tool_not_allowed', 'This tool is not available to this flow.');
 */
export class RelayError extends Error {
  override readonly name = 'RelayError';
  readonly [RELAY_ERROR_BRAND] = true;
  constructor(
    readonly status: RelayErrorStatus,
    readonly code: string,
    message: string,
    readonly headers: Record<string, string> = {},
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/**
 * A `RelayError` from any copy of this module: branded, or shaped like one
 * (`status`, `code`, `message`), as a tools module bundled with its own copy
 * of the class makes them.
 */
export function isRelayError(error: unknown): error is RelayError {
  if (error instanceof RelayError) return true;
  if (error === null || typeof error !== 'object') return false;
  const candidate = error as Partial<Record<string | symbol, unknown>>;
  return (
    (candidate[RELAY_ERROR_BRAND] === true || candidate.name === 'RelayError') &&
    typeof candidate.status === 'number' &&
    STATUSES.has(candidate.status) &&
    typeof candidate.code === 'string' &&
    /^[a-z][a-z0-9_]{0,63}$/.test(candidate.code) &&
    typeof candidate.message === 'string'
  );
}

export interface ErrorBody {
  error: { code: string; message: string };
}

const JSON_HEADERS = { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' };

function safeHeaders(headers: unknown): Record<string, string> {
  const safe: Record<string, string> = {};
  if (headers === null || typeof headers !== 'object') return safe;
  for (const [name, value] of Object.entries(headers)) {
    if (typeof value === 'string' && /^[a-z-]{1,40}$/i.test(name) && /^[\x20-\x7e]{0,200}$/.test(value)) safe[name] = value;
  }
  return safe;
}

/** The response for any thrown value; only `RelayError`s say more than "internal error". */
export function errorResponse(error: unknown): Response {
  const relayError = isRelayError(error) ? error : new RelayError(500, 'internal_error', 'The relay could not handle this request.');
  const body: ErrorBody = { error: { code: relayError.code, message: relayError.message } };
  return new Response(JSON.stringify(body), {
    status: relayError.status,
    headers: { ...JSON_HEADERS, ...safeHeaders(relayError.headers) },
  });
}

/** What a log line says about a failure's cause: its class and code, never a stack. */
export interface ErrorCause {
  kind: string;
  code?: string;
  message?: string;
}

function causeOf(error: unknown): ErrorCause | undefined {
  if (error === undefined || error === null) return undefined;
  if (typeof error !== 'object') return { kind: typeof error };
  const record = error as { name?: unknown; code?: unknown; message?: unknown };
  const cause: ErrorCause = { kind: typeof record.name === 'string' ? record.name.slice(0, 60) : 'Error' };
  if (typeof record.code === 'string' || typeof record.code === 'number') cause.code = String(record.code).slice(0, 60);
  if (typeof record.message === 'string') cause.message = record.message.slice(0, 200);
  return cause;
}

/** What the request log records about a failure: the code and status the client got, and the cause behind it. */
export function describeError(error: unknown): { code: string; status: number; cause?: ErrorCause } {
  if (isRelayError(error)) {
    const cause = causeOf((error as Error).cause);
    return cause ? { code: error.code, status: error.status, cause } : { code: error.code, status: error.status };
  }
  const cause = causeOf(error);
  return cause ? { code: 'internal_error', status: 500, cause } : { code: 'internal_error', status: 500 };
}
