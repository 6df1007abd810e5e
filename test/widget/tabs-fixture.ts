/** Two tabs of one origin in one test process: shared Web Locks and BroadcastChannels. */
import { BroadcastChannel as NodeBroadcastChannel } from 'node:worker_threads';
import type { ChannelLike, LockManagerLike } from '../../widget/runtime/tabs.ts';

/** Web Locks for one origin: exclusive, queued, `ifAvailable`, abortable — what two tabs share. */
export class FakeLocks implements LockManagerLike {
  private held = new Set<string>();
  private waiting: { name: string; grant: () => void; signal?: AbortSignal }[] = [];

  request(name: string, options: { ifAvailable?: boolean; signal?: AbortSignal }, callback: (lock: unknown) => Promise<unknown>): Promise<unknown> {
    if (!this.held.has(name)) return this.run(name, callback);
    if (options.ifAvailable) return callback(null);
    return new Promise((resolve, reject) => {
      const entry = { name, grant: () => void this.run(name, callback).then(resolve, reject), ...(options.signal ? { signal: options.signal } : {}) };
      options.signal?.addEventListener('abort', () => {
        this.waiting = this.waiting.filter((candidate) => candidate !== entry);
        reject(new DOMException('aborted', 'AbortError'));
      });
      this.waiting.push(entry);
    });
  }

  private async run(name: string, callback: (lock: unknown) => Promise<unknown>): Promise<unknown> {
    this.held.add(name);
    try {
      return await callback({ name });
    } finally {
      this.held.delete(name);
      const next = this.waiting.findIndex((candidate) => candidate.name === name);
      if (next >= 0) this.waiting.splice(next, 1)[0]?.grant();
    }
  }
}

export const createChannel = (name: string): ChannelLike => new NodeBroadcastChannel(name) as unknown as ChannelLike;
