/**
 * What several tabs of one site share, simulated: Web Locks (exclusive,
 * queued, `ifAvailable`, abortable) and BroadcastChannel (structured clones,
 * delivered later, in order per sender). A tab killed by the simulation
 * (a reload or a closed page) releases its locks at once, as a browser does
 * for a page that is gone, and neither sends nor receives any more.
 */
import type { ChannelLike, LockManagerLike } from '../../widget/runtime/tabs.ts';
import type { Random } from './random.ts';

interface Waiter {
  tab: number;
  name: string;
  grant: () => void;
  drop: () => void;
}

export class SimulatedLocks {
  private readonly held = new Map<string, number>();
  private waiting: Waiter[] = [];

  /** The `navigator.locks` of tab `tab`. */
  forTab(tab: number, alive: () => boolean): LockManagerLike {
    return {
      request: (name, options, callback) => this.request(tab, alive, name, options, callback),
    };
  }

  holder(name: string): number | undefined {
    return this.held.get(name);
  }

  private request(
    tab: number,
    alive: () => boolean,
    name: string,
    options: { ifAvailable?: boolean; signal?: AbortSignal },
    callback: (lock: unknown) => Promise<unknown>,
  ): Promise<unknown> {
    if (!alive()) return new Promise(() => undefined);
    if (options.signal?.aborted) return Promise.reject(new DOMException('The lock request was aborted.', 'AbortError'));
    if (!this.held.has(name)) return this.run(tab, name, callback);
    if (options.ifAvailable) return Promise.resolve().then(() => callback(null));
    return new Promise((resolve, reject) => {
      const waiter: Waiter = {
        tab,
        name,
        grant: () => void this.run(tab, name, callback).then(resolve, reject),
        drop: () => undefined,
      };
      options.signal?.addEventListener('abort', () => {
        if (!this.waiting.includes(waiter)) return;
        this.waiting = this.waiting.filter((candidate) => candidate !== waiter);
        reject(new DOMException('The lock request was aborted.', 'AbortError'));
      });
      this.waiting.push(waiter);
    });
  }

  private run(tab: number, name: string, callback: (lock: unknown) => Promise<unknown>): Promise<unknown> {
    this.held.set(name, tab);
    return Promise.resolve()
      .then(() => callback({ name }))
      .finally(() => this.release(tab, name));
  }

  private release(tab: number, name: string): void {
    if (this.held.get(name) !== tab) return;
    this.held.delete(name);
    const next = this.waiting.findIndex((candidate) => candidate.name === name);
    if (next >= 0) this.waiting.splice(next, 1)[0]?.grant();
  }

  /** The page of `tab` is gone: its locks are free, its queued requests forgotten. */
  kill(tab: number): void {
    this.waiting = this.waiting.filter((candidate) => candidate.tab !== tab);
    for (const [name, holder] of [...this.held]) if (holder === tab) this.release(tab, name);
  }
}

interface Endpoint {
  tab: number;
  name: string;
  listeners: ((event: MessageEvent) => void)[];
  closed: boolean;
}

export class SimulatedChannels {
  private readonly endpoints: Endpoint[] = [];
  /** Last delivery time per sender → receiver, so messages from one sender arrive in order. */
  private readonly lastDelivery = new Map<Endpoint, Map<Endpoint, number>>();
  private readonly dead = new Set<number>();
  delivered = 0;

  constructor(
    private readonly random: Random,
    private readonly maxDelayMs: number,
    private readonly now: () => number,
    /** A planted defect: the leader's state never reaches the other tabs. */
    private readonly muteState = false,
  ) {}

  /** `new BroadcastChannel(name)` in tab `tab`. */
  forTab(tab: number): (name: string) => ChannelLike {
    return (name) => {
      const endpoint: Endpoint = { tab, name, listeners: [], closed: this.dead.has(tab) };
      this.endpoints.push(endpoint);
      return {
        postMessage: (message) => this.post(endpoint, message),
        addEventListener: (_type, listener) => {
          endpoint.listeners.push(listener);
        },
        close: () => {
          endpoint.closed = true;
        },
      };
    };
  }

  private post(from: Endpoint, message: unknown): void {
    if (from.closed) throw new DOMException('BroadcastChannel is closed', 'InvalidStateError');
    if (this.muteState && (message as { type?: unknown }).type === 'state') return;
    const data: unknown = structuredClone(message);
    for (const to of this.endpoints) {
      if (to === from || to.closed || to.name !== from.name) continue;
      const order = this.lastDelivery.get(from) ?? new Map<Endpoint, number>();
      this.lastDelivery.set(from, order);
      const at = Math.max(this.now() + this.random.int(0, this.maxDelayMs), order.get(to) ?? 0);
      order.set(to, at);
      setTimeout(() => {
        if (to.closed || this.dead.has(to.tab)) return;
        this.delivered += 1;
        const event = { data: structuredClone(data) } as MessageEvent;
        for (const listener of [...to.listeners]) listener(event);
      }, at - this.now());
    }
  }

  kill(tab: number): void {
    this.dead.add(tab);
    for (const endpoint of this.endpoints) if (endpoint.tab === tab) endpoint.closed = true;
  }
}
