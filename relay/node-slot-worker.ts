/**
 * Slot parsing off the event loop, for the Node server: a small pool of
 * worker threads, each parse with a time budget. A parse that overruns it
 * answers its request with no slots (the LLM, when there is one, may still
 * find them); the worker finishes it (the parsers are linear and the texts
 * bounded) and takes new work after, and is terminated and replaced only
 * when it is stuck far past the budget (`stuckMs`): a replacement costs a
 * second of CPU to load and warm its parsers, which a stream of texts that
 * each take just over the budget must not be able to make the relay pay
 * again and again. A request that finds no worker free within the budget
 * gets no slots either, rather than waiting behind others.
 *
 * @example
 * const slotExtractor = createWorkerSlotExtractor({ workers: 2, budgetMs: 250 });
 * createRelay({ flows, slotExtractor });
 * // on shutdown
 * await slotExtractor.close();
 */
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import type { ExtractedSlots } from '../widget/nlu/index.ts';
import type { SlotExtraction, SlotExtractor } from './classify/slot-extractor.ts';

export interface WorkerSlotExtractorOptions {
  /** Worker threads. Default: one core fewer than the machine has (at least 1, at most 2), so parsing never takes every core from the event loop. */
  workers?: number;
  /** Longest one parse may take, and longest a request waits for a free worker. Default 250 ms (a parse takes a few ms on an idle machine). */
  budgetMs?: number;
  /** How long a worker may stay on one parse before it is replaced. Default 20 × the budget, at least 5 s. */
  stuckMs?: number;
  /** Told when a parse overran its budget, found no free worker, or a worker failed or was stuck. */
  onOverrun?: (reason: 'budget' | 'busy' | 'worker_failed' | 'worker_stuck') => void;
}

interface Job {
  request: SlotExtraction;
  resolve: (slots: ExtractedSlots | null) => void;
  expires: ReturnType<typeof setTimeout>;
}

interface PoolWorker {
  worker: Worker;
  ready: boolean;
  /** On a parse (answered already, when it overran the budget). */
  busy: boolean;
  /** The request still waiting for that parse. */
  job: Job | undefined;
  id: number;
  budget: ReturnType<typeof setTimeout> | undefined;
  stuck: ReturnType<typeof setTimeout> | undefined;
}

// Built (the statechat-relay package), the worker is plain JavaScript; from the TypeScript
// sources it starts through a small bootstrap that registers tsx first.
const TYPESCRIPT = import.meta.url.endsWith('.ts');
const WORKER_ENTRY = new URL(`./slot-worker${TYPESCRIPT ? '.ts' : '.js'}`, import.meta.url).href;
const WORKER_START = TYPESCRIPT ? new URL('./slot-worker-start.mjs', import.meta.url) : new URL(WORKER_ENTRY);

export interface WorkerSlotExtractor extends SlotExtractor {
  /** Resolves once a worker has loaded and warmed up its parsers (or after `timeoutMs`). */
  ready(timeoutMs?: number): Promise<boolean>;
  close(): Promise<void>;
}

export function createWorkerSlotExtractor(options: WorkerSlotExtractorOptions = {}): WorkerSlotExtractor {
  const budgetMs = options.budgetMs ?? 250;
  const queue: Job[] = [];
  const pool: PoolWorker[] = [];
  let nextId = 0;
  let closed = false;
  let markReady: () => void = () => undefined;
  const firstReady = new Promise<void>((resolve) => {
    markReady = resolve;
  });

  const stuckMs = options.stuckMs ?? Math.max(20 * budgetMs, 5000);

  /** Answers the request waiting on `entry`'s parse, if it still waits. */
  function answer(entry: PoolWorker, slots: ExtractedSlots | null): void {
    clearTimeout(entry.budget);
    const job = entry.job;
    entry.job = undefined;
    job?.resolve(slots);
  }

  function free(entry: PoolWorker): void {
    clearTimeout(entry.stuck);
    entry.busy = false;
  }

  function replace(entry: PoolWorker): void {
    void entry.worker.terminate();
    const index = pool.indexOf(entry);
    if (index >= 0) pool.splice(index, 1);
    if (!closed) pool.push(spawn());
  }

  function spawn(): PoolWorker {
    const worker = new Worker(WORKER_START, { workerData: { entry: WORKER_ENTRY, typescript: TYPESCRIPT } });
    worker.unref();
    const entry: PoolWorker = { worker, ready: false, busy: false, job: undefined, id: 0, budget: undefined, stuck: undefined };
    worker.on('message', (message: { ready?: boolean; id?: number; slots?: ExtractedSlots }) => {
      if (message.ready) {
        entry.ready = true;
        markReady();
        dispatch();
      } else if (entry.busy && message.id === entry.id) {
        answer(entry, message.slots ?? {});
        free(entry);
        dispatch();
      }
    });
    const failed = () => {
      if (!pool.includes(entry)) return;
      options.onOverrun?.('worker_failed');
      answer(entry, null);
      free(entry);
      replace(entry);
    };
    worker.on('error', failed);
    worker.on('exit', failed);
    return entry;
  }

  function dispatch(): void {
    for (const entry of pool) {
      if (!entry.ready || entry.busy) continue;
      const job = queue.shift();
      if (!job) return;
      clearTimeout(job.expires);
      entry.job = job;
      entry.busy = true;
      entry.id = ++nextId;
      entry.budget = setTimeout(() => {
        options.onOverrun?.('budget');
        answer(entry, null);
      }, budgetMs);
      entry.stuck = setTimeout(() => {
        options.onOverrun?.('worker_stuck');
        answer(entry, null);
        free(entry);
        replace(entry);
        dispatch();
      }, stuckMs);
      entry.worker.postMessage({ id: entry.id, request: job.request });
    }
  }

  const extractor = (request: SlotExtraction): Promise<ExtractedSlots | null> =>
    new Promise((resolve) => {
      if (closed) {
        resolve(null);
        return;
      }
      const job: Job = {
        request,
        resolve,
        expires: setTimeout(() => {
          const index = queue.indexOf(job);
          if (index < 0) return;
          queue.splice(index, 1);
          options.onOverrun?.('busy');
          resolve(null);
        }, budgetMs),
      };
      queue.push(job);
      dispatch();
    });

  // Started now, so the first visitor does not wait for the parsers to load.
  const workers = options.workers ?? Math.min(2, Math.max(1, availableParallelism() - 1));
  for (let index = 0; index < workers; index++) pool.push(spawn());
  return Object.assign(extractor, {
    ready(timeoutMs = 30_000) {
      let timer: ReturnType<typeof setTimeout> | undefined;
      const timeout = new Promise<boolean>((resolve) => {
        timer = setTimeout(() => resolve(false), timeoutMs);
      });
      return Promise.race([firstReady.then(() => true), timeout]).finally(() => clearTimeout(timer));
    },
    async close() {
      closed = true;
      for (const job of queue.splice(0)) {
        clearTimeout(job.expires);
        job.resolve(null);
      }
      const workers = pool.splice(0);
      for (const entry of workers) {
        answer(entry, null);
        free(entry);
      }
      await Promise.all(workers.map((entry) => entry.worker.terminate()));
    },
  });
}
