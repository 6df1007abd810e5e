/**
 * Runs in Chromium: seeds a 200-message conversation through the real
 * runtime, then times restores (createChat → ready) and turns, against bare
 * IndexedDB baselines measured in the same page. `window.runBench()` returns
 * the raw samples; `restore.bench.ts` reports them.
 */
import { openDB } from 'idb';
import type { Flow } from '../../../../flows/types.ts';
import { createChatRuntime, type ChatController } from '../../../../widget/runtime/chat-runtime.ts';

export interface BenchSamples {
  messages: number;
  journal: number;
  restoreMs: number[];
  restoreBaselineMs: number[];
  turnIndexedDbMs: number[];
  turnMemoryMs: number[];
  putGetBaselineMs: number[];
}

declare global {
  interface Window {
    runBench: (options: { turns: number; restores: number; timedTurns: number }) => Promise<BenchSamples>;
  }
}

/** One question answered again and again: each turn is a visitor message and a bot message. */
const echoFlow = {
  meta: { name: 'Bench echo', id: 'bench-echo', version: '1' },
  start: 'Talk',
  intents: {
    NEXT: { examples: ['next', 'go on', 'continue', 'more please'], slots: {} },
    STOP: { examples: ['stop', 'quit', 'that is all'], slots: {} },
  },
  states: {
    Talk: {
      onEnter: [{ ask: 'Tell me more, or pick one.', choices: [{ label: 'Next', value: 'next', intent: 'NEXT' }] }],
      transitions: [
        { onIntent: ['NEXT'], to: 'Talk' },
        { onIntent: ['STOP'], to: 'Talk' },
      ],
    },
  },
  fallback: { say: 'Noted.', maxAttempts: 20, onExhausted: { to: 'Talk' } },
} as unknown as Flow;

const NAMESPACE = 'bench';

function open(storage: 'indexeddb' | 'memory', namespace = NAMESPACE): ChatController {
  return createChatRuntime({ flow: echoFlow, nlu: 'local', storage, namespace, language: 'en' });
}

async function turn(chat: ChatController, text: string): Promise<number> {
  const started = performance.now();
  await chat.send(text);
  await chat.idle();
  return performance.now() - started;
}

/** The least a restore can cost: one transaction reading the session and the namespace's messages. */
async function bareRestore(): Promise<number> {
  const started = performance.now();
  const database = await openDB('statechat');
  const transaction = database.transaction(['sessions', 'messages'], 'readonly');
  await Promise.all([
    transaction.objectStore('sessions').get(NAMESPACE),
    transaction.objectStore('messages').index('byOrder').getAll(IDBKeyRange.bound([NAMESPACE, -Infinity], [NAMESPACE, Infinity])),
    transaction.done,
  ]);
  const elapsed = performance.now() - started;
  database.close();
  return elapsed;
}

window.runBench = async ({ turns, restores, timedTurns }) => {
  const seeding = open('indexeddb');
  await seeding.ready;
  if (seeding.getState().phase !== 'active') throw new Error(`the bench chat did not start: ${JSON.stringify(seeding.getState().error)}`);
  for (let index = 0; index < turns; index += 1) {
    await seeding.choose('next');
    await seeding.idle();
  }
  const messages = seeding.getState().messages.length;
  await seeding.destroy();

  const restoreMs: number[] = [];
  const restoreBaselineMs: number[] = [];
  for (let index = 0; index < restores; index += 1) {
    restoreBaselineMs.push(await bareRestore());
    const started = performance.now();
    const chat = open('indexeddb');
    await chat.ready;
    restoreMs.push(performance.now() - started);
    if (chat.getState().messages.length < messages) throw new Error('the restored transcript is incomplete');
    await chat.idle();
    await chat.destroy();
  }

  const journalDatabase = await openDB('statechat');
  const journal = await journalDatabase.count('journal', IDBKeyRange.bound([NAMESPACE], [NAMESPACE, []]));
  journalDatabase.close();

  const turnIndexedDbMs: number[] = [];
  const durable = open('indexeddb', 'bench-turns');
  await durable.ready;
  await durable.idle();
  for (let index = 0; index < timedTurns; index += 1) turnIndexedDbMs.push(await turn(durable, index % 2 ? 'go on' : 'blue sky thinking'));
  await durable.destroy();

  const turnMemoryMs: number[] = [];
  const memory = open('memory', 'bench-memory');
  await memory.ready;
  await memory.idle();
  for (let index = 0; index < timedTurns; index += 1) turnMemoryMs.push(await turn(memory, index % 2 ? 'go on' : 'blue sky thinking'));
  await memory.destroy();

  const putGetBaselineMs: number[] = [];
  const baseline = await openDB('bench-baseline', 1, { upgrade: (database) => database.createObjectStore('records') });
  for (let index = 0; index < timedTurns; index += 1) {
    const started = performance.now();
    await baseline.put('records', { text: 'blue sky thinking', at: Date.now(), index }, index % 10);
    await baseline.get('records', index % 10);
    putGetBaselineMs.push(performance.now() - started);
  }
  baseline.close();

  return { messages, journal, restoreMs, restoreBaselineMs, turnIndexedDbMs, turnMemoryMs, putGetBaselineMs };
};
document.body.dataset.ready = 'true';
