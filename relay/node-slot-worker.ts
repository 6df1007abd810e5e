/**
 * Slot parsing off the event loop, for the Node server: a small pool of
 * worker threads, each parse with a time budget. A worker that overruns it
 * is terminated and replaced (the request gets no slots; the LLM, when there
 * is one, may still find them). A request that finds no worker free within
 * the budget gets no slots either, rather than waiting behind others.
 *
 * @example
 * const slotExtractor = createWorkerSlotExtractor({ workers: 2, budgetMs: 250 });
 * createRelay({ flows, slotExtractor });
 * // on shutdown
 * await slotExtractor.close();
 */
import { Worker } from 'node:worker_threads';
import type { ExtractedSlots } from '../widget/nlu/index.ts';
import type { SlotExtraction, SlotExtractor } from './classify/slot-extractor.ts';

export interface WorkerSlotExtractorOptions {
  /** Worker threads. Default 2. */
  workers?: number;
  /** Longest one parse may take, and longest a request waits for a free worker. Default 250 ms (a parse takes a few ms on an idle machine). */
  budgetMs?: number;
  /** Told when a parse overran its budget, found no free worker, or a worker failed. */
  onOverrun?: (reason: 'budget' | 'busy' | 'worker_failed') => void;
}

interface Job {
  request: SlotExtraction;
  resolve: (slots: ExtractedSlots | null) => void;
  expires: ReturnType<typeof setTimeout>;
}

interface PoolWorker {
  worker: Worker;
  ready: boolean;
  job: Job | undefined;
  id: number;
  timer: ReturnType<typeof setTimeout> | undefined;
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

  function finish(entry: PoolWorker, slots: ExtractedSlots | null): void {
    clearTimeout(entry.timer);
    const job = entry.job;
    entry.job = undefined;
    job?.resolve(slots);
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
    const entry: PoolWorker = { worker, ready: false, job: undefined, id: 0, timer: undefined };
    worker.on('message', (message: { ready?: boolean; id?: number; slots?: ExtractedSlots }) => {
      if (message.ready) {
        entry.ready = true;
        markReady();
        dispatch();
      } else if (entry.job && message.id === entry.id) {
        finish(entry, message.slots ?? {});
        dispatch();
      }
    });
    const failed = () => {
      if (!pool.includes(entry)) return;
      options.onOverrun?.('worker_failed');
      finish(entry, null);
      replace(entry);
    };
    worker.on('error', failed);
    worker.on('exit', failed);
    return entry;
  }

  function dispatch(): void {
    for (const entry of pool) {
      if (!entry.ready || entry.job) continue;
      const job = queue.shift();
      if (!job) return;
      clearTimeout(job.expires);
      entry.job = job;
      entry.id = ++nextId;
      entry.timer = setTimeout(() => {
        options.onOverrun?.('budget');
        finish(entry, null);
        replace(entry);
        dispatch();
      }, budgetMs);
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
  for (let index = 0; index < (options.workers ?? 2); index++) pool.push(spawn());
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
      for (const entry of workers) finish(entry, null);
      await Promise.all(workers.map((entry) => entry.worker.terminate()));
    },
  });
}
