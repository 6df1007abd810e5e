/**
 * Simulated time for the chaos runs: `setTimeout`, `setInterval`,
 * `setImmediate` (fake-indexeddb schedules its work with it) and `Date.now`
 * are replaced by one queue of tasks ordered by (due time, order of
 * scheduling). Between two tasks every microtask is drained on the real
 * event loop, so the real runtime, relay and IndexedDB code interleave the
 * same way on every run of a seed: the schedule, not the machine, decides.
 */

interface Task {
  id: number;
  at: number;
  order: number;
  callback: () => void;
  /** Interval period; absent for one-shot tasks. */
  every?: number;
}

/** What Node's timer functions return, enough for the libraries in the runtime and relay (`unref`, `ref`, `hasRef`). */
class VirtualHandle {
  constructor(readonly id: number) {}
  ref(): this {
    return this;
  }
  unref(): this {
    return this;
  }
  hasRef(): boolean {
    return true;
  }
  refresh(): this {
    return this;
  }
  [Symbol.toPrimitive](): number {
    return this.id;
  }
}

type TimerArgument = VirtualHandle | number | string | undefined | null;

const realSetImmediate = globalThis.setImmediate;
const realDateNow = Date.now;

/** Lets every queued microtask (and `process.nextTick`) run: one turn of the real event loop. */
function drainMicrotasks(): Promise<void> {
  return new Promise((resolve) => realSetImmediate(resolve));
}

export class VirtualTime {
  private tasks: Task[] = [];
  private nextId = 1;
  private order = 0;
  private installed: { restore: () => void } | null = null;
  /** Tasks run so far (the run's length in steps of simulated work). */
  ran = 0;

  constructor(public now: number) {}

  schedule(callback: () => void, delay: number, every?: number): VirtualHandle {
    const id = this.nextId++;
    const wait = Number.isFinite(delay) && delay > 0 ? Math.floor(delay) : 0;
    const task: Task = { id, at: this.now + wait, order: this.order++, callback, ...(every === undefined ? {} : { every: Math.max(1, Math.floor(every)) }) };
    this.insert(task);
    return new VirtualHandle(id);
  }

  cancel(handle: TimerArgument): void {
    if (handle === undefined || handle === null) return;
    const id = typeof handle === 'object' ? handle.id : Number(handle);
    const index = this.tasks.findIndex((task) => task.id === id);
    if (index >= 0) this.tasks.splice(index, 1);
  }

  private insert(task: Task): void {
    // Binary search on (at, order): the queue stays sorted, ties run in the order scheduled.
    let low = 0;
    let high = this.tasks.length;
    while (low < high) {
      const middle = (low + high) >> 1;
      const other = this.tasks[middle] as Task;
      if (other.at < task.at || (other.at === task.at && other.order < task.order)) low = middle + 1;
      else high = middle;
    }
    this.tasks.splice(low, 0, task);
  }

  /** Replaces the global timer functions and `Date.now`; returns nothing, `uninstall` puts them back. */
  install(): void {
    if (this.installed) return;
    const saved = {
      setTimeout: globalThis.setTimeout,
      clearTimeout: globalThis.clearTimeout,
      setInterval: globalThis.setInterval,
      clearInterval: globalThis.clearInterval,
      setImmediate: globalThis.setImmediate,
      clearImmediate: globalThis.clearImmediate,
    };
    const target = globalThis as unknown as Record<string, unknown>;
    target.setTimeout = (callback: (...args: unknown[]) => void, delay?: number, ...args: unknown[]) => this.schedule(() => callback(...args), delay ?? 0);
    target.clearTimeout = (handle: TimerArgument) => this.cancel(handle);
    target.setInterval = (callback: (...args: unknown[]) => void, delay?: number, ...args: unknown[]) => this.schedule(() => callback(...args), delay ?? 0, delay ?? 0);
    target.clearInterval = (handle: TimerArgument) => this.cancel(handle);
    target.setImmediate = (callback: (...args: unknown[]) => void, ...args: unknown[]) => this.schedule(() => callback(...args), 0);
    target.clearImmediate = (handle: TimerArgument) => this.cancel(handle);
    Date.now = () => this.now;
    this.installed = {
      restore: () => {
        Object.assign(target, saved);
        Date.now = realDateNow;
      },
    };
  }

  uninstall(): void {
    this.installed?.restore();
    this.installed = null;
  }

  /** Forgets every scheduled task (between two simulated sessions). */
  clear(): void {
    this.tasks = [];
  }

  get pending(): number {
    return this.tasks.length;
  }

  /** Runs every task due up to `now + milliseconds`, in order, draining microtasks after each; the clock ends there. */
  async advance(milliseconds: number): Promise<void> {
    const until = this.now + Math.max(0, milliseconds);
    await drainMicrotasks();
    for (;;) {
      const task = this.tasks[0];
      if (!task || task.at > until) break;
      this.tasks.shift();
      this.now = Math.max(this.now, task.at);
      if (task.every !== undefined) this.insert({ ...task, at: this.now + task.every, order: this.order++ });
      this.ran += 1;
      try {
        task.callback();
      } catch (error) {
        // A timer callback that throws is an uncaught exception in a page: recorded by the caller's hook.
        this.onError(error);
      }
      await drainMicrotasks();
    }
    this.now = until;
  }

  /** Where a throwing task's error goes (the session records it). */
  onError: (error: unknown) => void = () => undefined;
}
