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
  ) {
    super(message);
  }
}

export type RelayErrorStatus = 400 | 403 | 404 | 405 | 409 | 413 | 415 | 422 | 429 | 500 | 502 | 503 | 504;

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

/** What the request log records about a failure: the code for ours, the class name for the rest. */
export function describeError(error: unknown): { code: string; status: number; kind?: string } {
  if (error instanceof RelayError) return { code: error.code, status: error.status };
  return { code: 'internal_error', status: 500, kind: error instanceof Error ? error.name : typeof error };
}
