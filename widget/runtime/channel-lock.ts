/**
 * Web Locks' `request` for one tab leader, over BroadcastChannel, where
 * `navigator.locks` does not exist: Safari before 15.4, and every browser on
 * a page served over plain http (Web Locks need a secure context, the
 * channel does not). Without it each tab would run its own engine over the
 * same IndexedDB conversation and they would diverge.
 *
 * A tab asks whether anyone holds the lock, then claims it; two claims in
 * the same moment are settled by comparing ids, so one tab wins. The holder
 * answers every question and repeats "held" every second; a waiting tab
 * takes over when the holder says "released" (its page closed the chat) or
 * falls silent (its page was killed).
 */
import type { ChannelLike, LockManagerLike } from './tabs.ts';

type LockMessage = { type: 'query' | 'held' | 'released'; from: string } | { type: 'claim'; from: string };

export interface ChannelLockTiming {
  /** How long a question or a claim waits for an answer (ms). */
  answerMs: number;
  /** How often the holder says it still holds the lock (ms). */
  heartbeatMs: number;
  /** Silence after which a waiting tab takes over (ms). */
  staleMs: number;
}

const DEFAULT_TIMING: ChannelLockTiming = { answerMs: 150, heartbeatMs: 1000, staleMs: 3500 };

function isLockMessage(value: unknown): value is LockMessage {
  if (value === null || typeof value !== 'object') return false;
  const { type, from } = value as { type?: unknown; from?: unknown };
  return typeof from === 'string' && (type === 'query' || type === 'held' || type === 'released' || type === 'claim');
}

function abortError(): Error {
  const error = new Error('The lock request was aborted.');
  error.name = 'AbortError';
  return error;
}

/** One participant: one channel, listening for the whole request. */
class Participant {
  readonly id: string;
  private holding = false;
  private heartbeat: ReturnType<typeof setInterval> | null = null;
  private lastHeld = 0;
  private heardHeld = false;
  private heardSmallerClaim = false;
  private wake: () => void = () => undefined;

  constructor(
    private readonly channel: ChannelLike,
    private readonly timing: ChannelLockTiming,
    newId: () => string,
  ) {
    this.id = newId();
    channel.addEventListener('message', (event) => {
      if (isLockMessage(event.data) && event.data.from !== this.id) this.receive(event.data);
    });
  }

  private post(type: LockMessage['type']): void {
    try {
      this.channel.postMessage({ type, from: this.id } satisfies LockMessage);
    } catch {
      // A closed channel: the page is going away.
    }
  }

  private receive(message: LockMessage): void {
    if (this.holding) {
      if (message.type === 'query' || message.type === 'claim') this.post('held');
      return;
    }
    if (message.type === 'held') {
      this.heardHeld = true;
      this.lastHeld = Date.now();
    } else if (message.type === 'claim' && message.from < this.id) {
      this.heardSmallerClaim = true;
    } else if (message.type === 'released') {
      this.lastHeld = 0;
      this.wake();
    }
  }

  private pause(ms: number, signal?: AbortSignal): Promise<void> {
    return new Promise((resolve, reject) => {
      const done = (): void => {
        clearTimeout(timer);
        signal?.removeEventListener('abort', aborted);
        this.wake = () => undefined;
        resolve();
      };
      const aborted = (): void => {
        clearTimeout(timer);
        this.wake = () => undefined;
        reject(abortError());
      };
      const timer = setTimeout(done, ms);
      this.wake = done;
      signal?.addEventListener('abort', aborted, { once: true });
    });
  }

  /** Asks, then claims; true when this participant now holds the lock. */
  async tryAcquire(signal?: AbortSignal): Promise<boolean> {
    this.heardHeld = false;
    this.heardSmallerClaim = false;
    this.post('query');
    await this.pause(this.timing.answerMs, signal);
    if (this.heardHeld) return false;
    this.post('claim');
    await this.pause(this.timing.answerMs, signal);
    if (this.heardHeld || this.heardSmallerClaim) return false;
    this.holding = true;
    this.post('held');
    this.heartbeat = setInterval(() => this.post('held'), this.timing.heartbeatMs);
    return true;
  }

  /** Waits until the holder lets go or falls silent, then tries again, until it holds the lock. */
  async acquire(signal?: AbortSignal): Promise<void> {
    for (;;) {
      if (signal?.aborted) throw abortError();
      const silentFor = Date.now() - this.lastHeld;
      if (silentFor >= this.timing.staleMs) {
        // A little jitter, so tabs woken by the same "released" do not claim in step.
        await this.pause(Math.random() * this.timing.answerMs, signal);
        if (await this.tryAcquire(signal)) return;
        this.lastHeld = Date.now();
      } else {
        await this.pause(this.timing.staleMs - silentFor, signal);
      }
    }
  }

  release(): void {
    if (this.heartbeat !== null) clearInterval(this.heartbeat);
    this.heartbeat = null;
    if (this.holding) this.post('released');
    this.holding = false;
    this.channel.close();
  }
}

/**
 * A `LockManagerLike` over BroadcastChannel (`createChannel(name)`), for
 * `TabCoordinator` where `navigator.locks` is missing.
 */
export function createChannelLocks(
  createChannel: (name: string) => ChannelLike,
  timing: Partial<ChannelLockTiming> = {},
  newId: () => string = () => `${Date.now().toString(36)}-${Math.random().toString(36).slice(2)}`,
): LockManagerLike {
  const settings = { ...DEFAULT_TIMING, ...timing };
  return {
    async request(name, options, callback) {
      const participant = new Participant(createChannel(`${name}:lock`), settings, newId);
      try {
        if (options.ifAvailable) {
          if (!(await participant.tryAcquire(options.signal))) return await callback(null);
        } else {
          await participant.acquire(options.signal);
        }
        return await callback({ name });
      } finally {
        participant.release();
      }
    },
  };
}
