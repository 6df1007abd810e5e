/**
 * Who is calling, as the site's `authenticate` hook says (from its session
 * cookie or a signed token). `id` keys rate limits and idempotency quotas;
 * the rest is the site's own, passed to tools untouched.
 */
export interface Identity {
  id: string;
  [claim: string]: unknown;
}

/** What a tool implementation receives besides its (validated) arguments. */
export interface ToolContext {
  flowId: string;
  sessionId: string;
  /**
   * The call's idempotency key: the relay runs a key at most once at a time
   * and stores its answer, but a crash after the side effect and before the
   * answer is stored can still repeat it; a backend that records this key
   * with its side effect can refuse the repeat.
   */
  idempotencyKey: string;
  /** 1 for the first attempt, 2 for the first retry, … */
  attempt: number;
  /** Aborted when the attempt times out; pass it on to `fetch` and the like. */
  signal: AbortSignal;
  /** The caller, when the relay has an `authenticate` hook and it recognised one. */
  identity?: Identity;
  /** The relay's clock (epoch ms) when the call came in: its `now` option, so tests and simulations agree with the tools. */
  now?: number;
}

/**
 * A server-side tool. `domain` must equal the domain the flow declares for the
 * tool, and the flow must list that domain in `meta.domains`.
 *
 * @example
 * const tools: ToolImplementations = {
 *   CheckAvailability: { domain: 'reservations', handler: async ({ date }) => ({ ok: true }) },
 *   CancelBooking: { domain: 'reservations', requiresIdentity: true, handler: async (args, { identity }) => cancelFor(identity!.id, args) },
 * };
 */
export interface ToolImplementation {
  domain: string;
  /** Refuse callers the `authenticate` hook did not recognise (401). */
  requiresIdentity?: boolean;
  handler(args: Record<string, unknown>, context: ToolContext): unknown;
}

export type ToolImplementations = { readonly [name: string]: ToolImplementation };
