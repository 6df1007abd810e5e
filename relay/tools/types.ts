/** What a tool implementation receives besides its (validated) arguments. */
export interface ToolContext {
  flowId: string;
  sessionId: string;
  idempotencyKey: string;
  /** 1 for the first attempt, 2 for the first retry, … */
  attempt: number;
  /** Aborted when the attempt times out; pass it on to `fetch` and the like. */
  signal: AbortSignal;
}

/**
 * A server-side tool. `domain` must equal the domain the flow declares for the
 * tool, and the flow must list that domain in `meta.domains`.
 *
 * @example
 * const tools: ToolImplementations = {
 *   CheckAvailability: { domain: 'reservations', handler: async ({ date }) => ({ ok: true }) },
 * };
 */
export interface ToolImplementation {
  domain: string;
  handler(args: Record<string, unknown>, context: ToolContext): unknown;
}

export type ToolImplementations = { readonly [name: string]: ToolImplementation };
