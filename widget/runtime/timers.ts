/** setTimeout can wait at most 2^31-1 ms; longer deadlines are re-armed in steps. */
const LONGEST_TIMEOUT_MS = 2_147_483_647;
const MIN_REARM_MS = 50;

/**
 * The engine's idle timers, armed for absolute deadlines read from the
 * injected clock, so a restored session re-arms them for the same moment.
 */
export class DeadlineTimers {
  readonly #handles = new Map<string, ReturnType<typeof setTimeout>>();

  readonly #now: () => number;
  readonly #onDue: (timerId: string) => void;

  constructor(
    now: () => number,
    onDue: (timerId: string) => void,
  ) {
    this.#now = now;
    this.#onDue = onDue;
  }

  arm(timerId: string, deadline: number): void {
    this.cancel(timerId);
    const delay = Math.max(0, deadline - this.#now());
    const handle = setTimeout(
      () => {
        this.#handles.delete(timerId);
        if (this.#now() >= deadline) this.#onDue(timerId);
        else this.#rearm(timerId, deadline);
      },
      Math.min(delay, LONGEST_TIMEOUT_MS),
    );
    this.#handles.set(timerId, handle);
  }

  /** Woken early (a clock that differs from the timer's): wait again, at least a little, never spinning. */
  #rearm(timerId: string, deadline: number): void {
    const handle = setTimeout(() => {
      this.#handles.delete(timerId);
      this.arm(timerId, deadline);
    }, Math.max(MIN_REARM_MS, Math.min(deadline - this.#now(), LONGEST_TIMEOUT_MS)));
    this.#handles.set(timerId, handle);
  }

  cancel(timerId: string): void {
    const handle = this.#handles.get(timerId);
    if (handle !== undefined) clearTimeout(handle);
    this.#handles.delete(timerId);
  }

  cancelAll(): void {
    for (const handle of this.#handles.values()) clearTimeout(handle);
    this.#handles.clear();
  }

  get size(): number {
    return this.#handles.size;
  }
}
