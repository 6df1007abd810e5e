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
  constructor(
    readonly status: RelayErrorStatus,
    readonly code: string,
    message: string,
    readonly headers: Record<string, string> = {},
    /** What went wrong underneath (a stream error): logged, never sent to the client. */
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

export type RelayErrorStatus = 400 | 401 | 403 | 404 | 405 | 409 | 410 | 413 | 415 | 422 | 429 | 500 | 502 | 503 | 504;

export interface ErrorBody {
  error: { code: string; message: string };
}

const JSON_HEADERS = { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' };

/** The response for any thrown value; only `RelayError`s say more than "internal error". */
export function errorResponse(error: unknown): Response {
  const relayError =
    error instanceof RelayError ? error : new RelayError(500, 'internal_error', 'The relay could not handle this request.');
  const body: ErrorBody = { error: { code: relayError.code, message: relayError.message } };
  return new Response(JSON.stringify(body), {
    status: relayError.status,
    headers: { ...JSON_HEADERS, ...relayError.headers },
  });
}

/** A thrown value's class and message for the log (masked there like every field), never for the client. */
export interface ErrorCause {
  kind: string;
  message?: string;
}

const MAX_CAUSE_MESSAGE = 300;

function causeOf(error: unknown): ErrorCause {
  if (!(error instanceof Error)) return { kind: typeof error };
  return error.message ? { kind: error.name, message: error.message.slice(0, MAX_CAUSE_MESSAGE) } : { kind: error.name };
}

/**
 * What the request log records about a failure: the code for ours (and the
 * cause underneath, when there is one); for anything else, its class and
 * message, so a 500 says why it happened.
 */
export function describeError(error: unknown): { code: string; status: number; cause?: ErrorCause } {
  if (error instanceof RelayError) {
    return error.cause === undefined ? { code: error.code, status: error.status } : { code: error.code, status: error.status, cause: causeOf(error.cause) };
  }
  return { code: 'internal_error', status: 500, cause: causeOf(error) };
}
