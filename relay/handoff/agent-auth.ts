import { RelayError } from '../errors.ts';

/** Who answers as an agent: the name visitors see, unless a message names another. */
export interface AgentIdentity {
  name?: string;
}

/**
 * Decides whether a request comes from an agent. Return the agent's
 * identity, or `null` to refuse it (401).
 *
 * @example
 * authenticateAgent: async (request) => {
 *   const session = await sessions.read(request.headers.get('authorization'));
 *   return session?.staff ? { name: session.firstName } : null;
 * }
 */
export type AuthenticateAgent = (request: Request) => AgentIdentity | null | Promise<AgentIdentity | null>;

const encoder = new TextEncoder();

/** Compares in time that depends on the lengths only, so a token cannot be guessed byte by byte. */
export function constantTimeEqual(first: string, second: string): boolean {
  const left = encoder.encode(first);
  const right = encoder.encode(second);
  let difference = left.length ^ right.length;
  for (let index = 0; index < Math.max(left.length, right.length); index += 1) difference |= (left[index] ?? 0) ^ (right[index] ?? 0);
  return difference === 0;
}

/** The token of an `Authorization: Bearer …` header, or null. */
export function bearerToken(request: Request): string | null {
  const header = request.headers.get('authorization');
  const match = header === null ? null : /^Bearer[ ]+([\x21-\x7e]{1,512})$/i.exec(header.trim());
  return match ? (match[1] as string) : null;
}

/** `AGENT_TOKEN`: any agent holding the shared token (several may be given, to rotate it). */
export function tokenAuthenticator(tokens: readonly string[]): AuthenticateAgent {
  const usable = tokens.filter((token) => token.length > 0);
  if (usable.length === 0) throw new Error('An agent token must not be empty.');
  return (request) => {
    const token = bearerToken(request);
    if (token === null) return null;
    let matched = false;
    // Every token is compared, so the time does not tell which one matched.
    for (const candidate of usable) matched = constantTimeEqual(token, candidate) || matched;
    return matched ? {} : null;
  };
}

export function unauthorized(message: string): RelayError {
  return new RelayError(401, 'unauthorized', message, { 'www-authenticate': 'Bearer' });
}
