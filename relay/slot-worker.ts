/**
 * The worker-thread side of `relay/node-slot-worker.ts`: runs the slot
 * parsers for the main thread, one request at a time.
 */
import { parentPort } from 'node:worker_threads';
import { basicParsers, extractSlots, loadFullParsers } from '../widget/nlu/index.ts';
import type { SlotExtraction } from './classify/slot-extractor.ts';

const full = await loadFullParsers();
// Warmed up before saying ready: the first parse in a fresh thread is many times slower than the next.
for (let round = 0; round < 3; round++) {
  extractSlots('a table for 4 tomorrow at 7:30pm, call +44 20 7946 0958', { date: { type: 'date' }, time: { type: 'time' }, partySize: { type: 'integer' }, phone: { type: 'phone' } }, { now: Date.now(), timeZone: 'Europe/London', language: 'en-GB', parsers: full });
}
parentPort?.on('message', (message: { id: number; request: SlotExtraction }) => {
  const { id, request } = message;
  try {
    const slots = extractSlots(request.text, request.specs, {
      now: request.now,
      timeZone: request.timeZone,
      language: request.language,
      parsers: request.parsers === 'full' ? full : basicParsers,
      ...(request.asking === undefined ? {} : { asking: request.asking }),
    });
    parentPort?.postMessage({ id, slots });
  } catch {
    parentPort?.postMessage({ id, slots: {} });
  }
});
parentPort?.postMessage({ ready: true });
