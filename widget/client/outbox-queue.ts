import { MutationObserver, type QueryClient } from '@tanstack/query-core';
import { RelayRequestError } from './relay-request-error.ts';

export interface RetryPolicy {
  /** First backoff in ms; doubles each attempt. */
  baseMs: number;
  /** Largest backoff in ms (a `Retry-After` is capped too). */
  capMs: number;
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = { baseMs: 500, capMs: 8000 };

export interface OutboxJob<T> {
  /** The outbox record's id (a request or call id). */
  id: string;
  run: () => Promise<T>;
  /** Whether to try again after `failureCount` failures (0-based, as query-core counts). */
  retry: (failureCount: number, error: unknown) => boolean;
  /**
   * Called with `true` while the job waits for the network: paused offline
   * (or behind a paused job), or failed and waiting to try again, until it
   * succeeds; with `false` while its first attempt is under way.
   */
  onWaiting?: (waiting: boolean) => void;
}

/**
 * Relay work as TanStack mutations in one scope: they run one after another
 * in the order submitted, pause while `onlineManager` says offline, resume on
 * reconnect (the QueryClient is mounted), and retry with capped backoff.
 */
export class OutboxQueue {
  readonly #queryClient: QueryClient;
  readonly #scopeId: string;
  readonly #policy: RetryPolicy;

  constructor(
    queryClient: QueryClient,
    scopeId: string,
    policy: RetryPolicy = DEFAULT_RETRY_POLICY,
  ) {
    this.#queryClient = queryClient;
    this.#scopeId = scopeId;
    this.#policy = policy;
  }

  async submit<T>(job: OutboxJob<T>): Promise<T> {
    const policy = this.#policy;
    const observer = new MutationObserver<T, unknown, void>(this.#queryClient, {
      mutationKey: ['statechat', 'outbox', job.id],
      mutationFn: () => job.run(),
      retry: job.retry,
      retryDelay: (failureCount, error) => {
        const backoff = Math.min(policy.baseMs * 2 ** failureCount, policy.capMs);
        if (error instanceof RelayRequestError && error.retryAfterMs !== null) return Math.min(Math.max(error.retryAfterMs, policy.baseMs), policy.capMs);
        return backoff;
      },
      networkMode: 'online',
      scope: { id: this.#scopeId },
      gcTime: 0,
    });
    let waiting: boolean | undefined;
    const unsubscribe = observer.subscribe((result) => {
      if (result.status !== 'pending') return;
      // A failed attempt keeps its count until the job succeeds: the retries after it are waiting too.
      const now = result.isPaused || result.failureCount > 0;
      if (now !== waiting) {
        waiting = now;
        job.onWaiting?.(now);
      }
    });
    try {
      return await observer.mutate(undefined);
    } finally {
      unsubscribe();
    }
  }
}
