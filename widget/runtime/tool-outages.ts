/**
 * Tool calls the relay could not answer for a while (it is down, a proxy
 * times out): they stay in the outbox and are tried again later, on a timer
 * and as soon as the browser says it is back online, instead of ending the
 * conversation with the flow's `onError`. The first transient failure marks
 * the call stalled so the visitor is told at once, not after every retry.
 */
export interface StalledTool {
  callId: string;
  /** The tool's name in the flow (`CreateBooking`). */
  name: string;
  /** Epoch milliseconds of the first failure. */
  since: number;
}

interface Waiting {
  timer: ReturnType<typeof setTimeout>;
  again: () => void;
}

export class ToolOutages {
  readonly #stalled = new Map<string, StalledTool>();
  readonly #waiting = new Map<string, Waiting>();

  readonly #retryDelayMs: number;
  readonly #now: () => number;
  readonly #changed: () => void;

  constructor(
    /** How long to wait before trying a stalled call again (ms). */
    retryDelayMs: number,
    now: () => number,
    /** Called whenever the set of stalled calls changes. */
    changed: () => void,
  ) {
    this.#retryDelayMs = retryDelayMs;
    this.#now = now;
    this.#changed = changed;
  }

  /** A transient failure of `callId`: the visitor is told, the call is still being tried. */
  failed(callId: string, name: string): void {
    if (this.#stalled.has(callId)) return;
    this.#stalled.set(callId, { callId, name, since: this.#now() });
    this.#changed();
  }

  /** Every attempt of this round failed: `again` runs after the delay, or sooner when `retryNow` is called. */
  retryLater(callId: string, again: () => void): void {
    this.#cancelWait(callId);
    const timer = setTimeout(() => {
      this.#waiting.delete(callId);
      again();
    }, this.#retryDelayMs);
    this.#waiting.set(callId, { timer, again });
  }

  /** The network came back (or the visitor asked): try every waiting call now. */
  retryNow(): void {
    const due = [...this.#waiting.values()];
    for (const wait of due) clearTimeout(wait.timer);
    this.#waiting.clear();
    for (const wait of due) wait.again();
  }

  /** The call is being tried again by someone else (a resumed session): drop the timer, keep it stalled. */
  cancelRetry(callId: string): void {
    this.#cancelWait(callId);
  }

  /** The call was answered (a result or a permanent error). */
  settled(callId: string): void {
    this.#cancelWait(callId);
    if (this.#stalled.delete(callId)) this.#changed();
  }

  /** The oldest stalled call, or null. */
  get current(): StalledTool | null {
    for (const stalled of this.#stalled.values()) return stalled;
    return null;
  }

  /** A new session or the end of the chat: forget everything, change nothing visible. */
  clear(): void {
    for (const wait of this.#waiting.values()) clearTimeout(wait.timer);
    this.#waiting.clear();
    this.#stalled.clear();
  }

  #cancelWait(callId: string): void {
    const wait = this.#waiting.get(callId);
    if (wait) clearTimeout(wait.timer);
    this.#waiting.delete(callId);
  }
}
