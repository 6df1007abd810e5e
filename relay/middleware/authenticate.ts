import { isRelayError, RelayError } from '../errors.ts';
import type { Identity } from '../tools/types.ts';

/**
 * The site's hook that says who is calling, from its own session cookie or a
 * signed token in the request. Return the identity, `null` for an anonymous
 * visitor, or throw a `RelayError` (401, 403) to refuse the request.
 *
 * @example
 * createRelay({
 *   flows,
 *   authenticate: async (request) => {
 *     const session = await sessions.fromCookie(request.headers.get('cookie'));
 *     return session ? { id: session.userId, plan: session.plan } : null;
 *   },
 * });
 */
export type Authenticate = (request: Request) => Identity | null | undefined | Promise<Identity | null | undefined>;

const MAX_IDENTITY_ID = 200;

/** Runs the hook and checks what it gave back; a hook that fails without a `RelayError` refuses with 401, never a 500. */
export async function identify(authenticate: Authenticate | undefined, request: Request): Promise<Identity | undefined> {
  if (!authenticate) return undefined;
  let identity: Identity | null | undefined;
  try {
    identity = await authenticate(request);
  } catch (error) {
    if (isRelayError(error)) throw error;
    throw new RelayError(401, 'unauthenticated', 'The request could not be authenticated.', {}, { cause: error });
  }
  if (identity === null || identity === undefined) return undefined;
  if (typeof identity !== 'object' || typeof identity.id !== 'string' || identity.id === '' || identity.id.length > MAX_IDENTITY_ID) {
    throw new RelayError(500, 'authenticate_invalid', 'The relay could not handle this request.');
  }
  return identity;
}
