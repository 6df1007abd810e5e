// Starts `slot-worker` in a worker thread. Plain JavaScript, so the worker
// can start from TypeScript sources too: a worker's entry module is loaded
// before `--import` loaders apply, so tsx is registered here first.
import { workerData } from 'node:worker_threads';

if (workerData.typescript) {
  const { register } = await import('tsx/esm/api');
  register();
}
await import(workerData.entry);
