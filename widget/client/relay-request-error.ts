/**
 * The one error the relay client raises. `code` is the relay's
 * (`flow_not_found`, `invalid_arguments`, …) or the client's own
 * (`network`, `timeout`, `bad_response`); `transient` says whether trying
 * again later can help (network, timeouts, 5xx, 408, 409, 429).
 */
export class RelayRequestError extends Error {
  override readonly name = 'RelayRequestError';
  constructor(
    readonly code: string,
    message: string,
    readonly status: number | null,
    readonly transient: boolean,
    /** From `Retry-After` (409 while a duplicate runs, 429). */
    readonly retryAfterMs: number | null = null,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

const TRANSIENT_STATUSES = new Set([408, 409, 425, 429]);

export function isTransientStatus(status: number): boolean {
  return status >= 500 || TRANSIENT_STATUSES.has(status);
}

export function isTransient(error: unknown): boolean {
  return error instanceof RelayRequestError ? error.transient : true;
}

function retryAfterOf(header: string | null): number | null {
  if (header === null) return null;
  const seconds = Number(header);
  if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
  return null;
}

/** Reads the relay's `{ error: { code, message } }` body, whatever came back. */
export async function errorFromResponse(response: Response, request: string): Promise<RelayRequestError> {
  let code = `http_${response.status}`;
  let message = `${request} answered ${response.status}`;
  try {
    const body: unknown = await response.json();
    const error = body !== null && typeof body === 'object' ? (body as { error?: unknown }).error : undefined;
    if (error !== null && typeof error === 'object') {
      const fields = error as { code?: unknown; message?: unknown };
      if (typeof fields.code === 'string') code = fields.code;
      if (typeof fields.message === 'string') message = `${request}: ${fields.message}`;
    }
  } catch {
    // Not JSON (a proxy's error page): the status says enough.
  }
  return new RelayRequestError(code, message, response.status, isTransientStatus(response.status), retryAfterOf(response.headers.get('retry-after')));
}
