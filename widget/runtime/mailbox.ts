/**
 * One job at a time, in the order they were posted (xstate's Mailbox): the
 * runner never applies two engine events at once, whatever resolves first.
 */
export class Mailbox {
  #tail: Promise<void> = Promise.resolve();
  #pending = 0;
  #closed = false;

  constructor(private readonly onError: (error: unknown) => void) {}

  /** Runs `job` after every job posted before it; resolves when it is done (errors go to `onError`). */
  post(job: () => Promise<void> | void): Promise<void> {
    if (this.#closed) return Promise.resolve();
    this.#pending += 1;
    const run = this.#tail.then(async () => {
      try {
        if (!this.#closed) await job();
      } catch (error) {
        this.onError(error);
      } finally {
        this.#pending -= 1;
      }
    });
    this.#tail = run;
    return run;
  }

  get busy(): boolean {
    return this.#pending > 0;
  }

  /** Resolves once every job posted so far has run. */
  idle(): Promise<void> {
    return this.#tail;
  }

  close(): void {
    this.#closed = true;
  }
}
