import type { MiddlewareHandler } from 'hono';
import { RelayError } from '../errors.ts';

export interface CorsOptions {
  /** Exact origins (`https://shop.example`) allowed to call the relay from a browser; `'*'` allows any. */
  allowedOrigins: readonly string[];
  /** Seconds a browser may cache a preflight answer. */
  maxAgeSeconds?: number;
}

const ALLOWED_METHODS = 'GET, POST, OPTIONS';
const ALLOWED_HEADERS = 'content-type, idempotency-key, if-none-match, authorization, last-event-id';
const EXPOSED_HEADERS = 'etag, retry-after, idempotent-replayed';

/** The `Origin` names the host the request was sent to: a page the relay served itself (the agent console). */
function sameHost(origin: string, requestUrl: string): boolean {
  try {
    return new URL(origin).host === new URL(requestUrl).host;
  } catch {
    return false;
  }
}

/**
 * CORS with an allow-list. A request from a browser on an origin outside the
 * list is refused with 403, not merely left without headers, so a forged page
 * cannot make the relay run a tool even when it does not need the answer.
 * Requests without an `Origin` (servers, curl) pass, and so do those from
 * the relay's own host (its agent console's module script and API calls).
 */
export function cors(options: CorsOptions): MiddlewareHandler {
  const anyOrigin = options.allowedOrigins.includes('*');
  const allowed = new Set(options.allowedOrigins.map((origin) => origin.replace(/\/+$/, '').toLowerCase()));
  const maxAge = String(options.maxAgeSeconds ?? 600);

  return async (context, next) => {
    const origin = context.req.header('origin');
    if (origin === undefined || sameHost(origin, context.req.url)) {
      await next();
      return;
    }
    if (!anyOrigin && !allowed.has(origin.toLowerCase())) {
      throw new RelayError(403, 'origin_not_allowed', 'This origin may not call the relay.');
    }
    if (context.req.method === 'OPTIONS') {
      return new Response(null, {
        status: 204,
        headers: {
          'access-control-allow-origin': origin,
          'access-control-allow-methods': ALLOWED_METHODS,
          'access-control-allow-headers': ALLOWED_HEADERS,
          'access-control-max-age': maxAge,
          vary: 'Origin',
        },
      });
    }
    await next();
    context.res.headers.set('access-control-allow-origin', origin);
    context.res.headers.set('access-control-expose-headers', EXPOSED_HEADERS);
    context.res.headers.append('vary', 'Origin');
  };
}
