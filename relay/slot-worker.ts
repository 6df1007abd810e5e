/**
 * The worker-thread side of `relay/node-slot-worker.ts`: runs the slot
 * parsers for the main thread, one request at a time.
 */
import { parentPort } from 'node:worker_threads';
import { basicParsers, extractSlots, loadFullParsers } from '../widget/nlu/index.ts';
import type { SlotSpec } from '../flows/index.ts';
import type { SlotExtraction } from './classify/slot-extractor.ts';

const full = await loadFullParsers();
// Warmed up before saying ready, every slot type in every date reader (English month-first and
// day-first, French): V8 compiles a regular expression to machine code on its second or third use,
// which for chrono-node's large patterns takes 100-300 ms. Left to the first visitors, that overran
// the parse budget; the worker was replaced by an equally cold one, and a slot type or language the
// warm-up had missed (a name, en-US dates) never got parsed at all.
const WARM_UP_SLOTS: { readonly [slot: string]: SlotSpec } = {
  name: { type: 'name' },
  email: { type: 'email' },
  date: { type: 'date' },
  time: { type: 'time' },
  count: { type: 'integer' },
  phone: { type: 'phone' },
};
const WARM_UP_TEXTS: ReadonlyArray<readonly [language: string, text: string]> = [
  ['en-US', 'a table for 4 tomorrow at 7:30pm, call (415) 555-2671'],
  ['en-US', 'I am Ana Lima, phone +44 20 7946 0958, ana@example.com, on December 3rd'],
  ['en-GB', 'a table for 4 on the 3rd of December at half seven, call 07946 095811'],
  ['en-GB', 'I am Ana Lima, phone +44 20 7946 0958, ana@example.com'],
  ['fr', 'une table pour 4 demain à 19h30, appelez le 06 12 34 56 78'],
  ['fr', 'je suis Ana Lima, le 3 décembre à midi'],
];
for (let round = 0; round < 4; round++) {
  for (const [language, text] of WARM_UP_TEXTS) {
    extractSlots(text, WARM_UP_SLOTS, { now: Date.now(), timeZone: 'Europe/London', language, parsers: full, asking: 'name' });
  }
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
