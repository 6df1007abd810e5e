/**
 * Several tabs, one conversation: the tab holding the Web Lock writes (runs
 * the engine, owns IndexedDB writes, timers and relay work); the others
 * follow its state over BroadcastChannel and forward what their visitor does.
 */
import type { Json, JsonObject } from '../../flows/types.ts';
import type { ChatState } from '../chat-types.ts';

/** The part of `navigator.locks` used here. */
export interface LockManagerLike {
  request(name: string, options: { ifAvailable?: boolean; signal?: AbortSignal }, callback: (lock: unknown) => Promise<unknown>): Promise<unknown>;
}

/** The part of `BroadcastChannel` used here. */
export interface ChannelLike {
  postMessage(message: unknown): void;
  addEventListener(type: 'message', listener: (event: MessageEvent) => void): void;
  close(): void;
}

/** The leader's state as followers show it (their own `online`, `storage` and `leader` are local). */
export type SharedView = Omit<ChatState, 'online' | 'storage' | 'leader'>;

/** Something a follower's visitor did, for the leader to apply once; `tab` is the follower's id (absent for the leader's own). */
export type ForwardedInput = (
  | { id: string; kind: 'text'; text: string; at: number }
  | { id: string; kind: 'choice'; value: string; label: string; at: number }
  | { id: string; kind: 'event'; name: string; data: Json | null }
  | { id: string; kind: 'retry'; messageId: string }
  | { id: string; kind: 'reset' }
) & { tab?: string };

/** A public event (`say`, a flow's `emit`, …) for the tab the visitor acted in. */
export interface RoutedEvent {
  name: string;
  data: JsonObject;
}

export type TabMessage =
  | { type: 'state'; view: SharedView }
  | { type: 'input'; input: ForwardedInput }
  | { type: 'ack'; id: string }
  /** A tab became the leader: followers send what is not yet acknowledged. */
  | { type: 'hello' }
  /** A follower asks the leader for its state. */
  | { type: 'sync' }
  /** Leader → the follower `tab` whose visitor acted: the public events that followed, fired there (host-page listeners live in that tab). */
  | { type: 'events'; tab: string; events: RoutedEvent[] }
  /** A follower is going away: its events go back to the leader. */
  | { type: 'gone'; tab: string };

export interface TabHandlers {
  /** This tab now writes: called once, when the lock is granted after waiting. */
  becomeLeader: () => Promise<void>;
  receive: (message: TabMessage) => void;
}

export class TabCoordinator {
  readonly #channel: ChannelLike;
  readonly #abort = new AbortController();
  #release: () => void = () => undefined;
  readonly #released: Promise<void>;
  #closed = false;

  readonly #lockName: string;
  readonly #locks: LockManagerLike;
  readonly #handlers: TabHandlers;

  constructor(
    lockName: string,
    locks: LockManagerLike,
    channel: ChannelLike,
    handlers: TabHandlers,
  ) {
    this.#lockName = lockName;
    this.#locks = locks;
    this.#handlers = handlers;
    this.#channel = channel;
    this.#released = new Promise((resolve) => {
      this.#release = resolve;
    });
    channel.addEventListener('message', (event) => {
      if (!this.#closed && isTabMessage(event.data)) handlers.receive(event.data);
    });
  }

  /** Takes the lock if it is free (`leader`); otherwise waits for it in the background (`follower`). */
  start(): Promise<'leader' | 'follower'> {
    return new Promise((resolve) => {
      this.#locks
        .request(this.#lockName, { ifAvailable: true }, async (lock) => {
          if (lock === null) {
            resolve('follower');
            this.#waitForLock();
            return;
          }
          resolve('leader');
          // Held until `close()`: returning would hand the conversation to another tab.
          await this.#released;
        })
        .catch(() => resolve('follower'));
    });
  }

  #waitForLock(): void {
    this.#locks
      .request(this.#lockName, { signal: this.#abort.signal }, async () => {
        if (this.#closed) return;
        await this.#handlers.becomeLeader();
        await this.#released;
      })
      .catch(() => undefined);
  }

  post(message: TabMessage): void {
    if (this.#closed) return;
    try {
      this.#channel.postMessage(message);
    } catch {
      // A closed channel (the page is going away): followers catch up from IndexedDB.
    }
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#abort.abort();
    this.#release();
    this.#channel.close();
  }
}

function isTabMessage(value: unknown): value is TabMessage {
  if (value === null || typeof value !== 'object') return false;
  const type = (value as { type?: unknown }).type;
  return type === 'state' || type === 'input' || type === 'ack' || type === 'hello' || type === 'sync' || type === 'events' || type === 'gone';
}
