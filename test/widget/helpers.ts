/** Shared set-up for the chat runtime's unit tests: flows, a clock, ids, and waiting for a condition. */
import { vi } from 'vitest';
import type { Flow } from '../../flows/types.ts';
import orderTracking from '../../flows/order-tracking.flow.json';
import reservations from '../../flows/reservations.flow.json';
import type { ChatState } from '../../widget/chat-types.ts';
import { createChatRuntime, type ChatController, type ChatEnvironment } from '../../widget/runtime/chat-runtime.ts';
import type { CreateChatOptions } from '../../widget/chat-types.ts';

export const RELAY = 'https://relay.test/statechat';
export const START = Date.parse('2026-11-23T10:00:00Z');

export function reservationsFlow(): Flow {
  return structuredClone(reservations) as unknown as Flow;
}

export function orderTrackingFlow(): Flow {
  return structuredClone(orderTracking) as unknown as Flow;
}

let databaseCounter = 0;

/** A fresh database name per test, so tests never see each other's conversations. */
export function freshDatabase(): string {
  databaseCounter += 1;
  return `statechat-test-${databaseCounter}-${Math.random().toString(36).slice(2)}`;
}

export function sequentialIds(prefix = 'id'): () => string {
  let next = 0;
  return () => `${prefix}-${String(++next).padStart(4, '0')}`;
}

export interface TestChat {
  chat: ChatController;
  database: string;
  clock: { now: number };
  events: { name: string; data: unknown }[];
}

export function openChat(
  options: Partial<CreateChatOptions> & Pick<CreateChatOptions, 'flow'>,
  environment: ChatEnvironment = {},
  shared: { database?: string; clock?: { now: number } } = {},
): TestChat {
  const clock = shared.clock ?? { now: START };
  const database = shared.database ?? environment.databaseName ?? freshDatabase();
  const chat = createChatRuntime(
    { nlu: 'local', now: () => clock.now, newId: sequentialIds(`${database.slice(-4)}`), language: 'en', ...options },
    { locks: null, createChannel: null, databaseName: database, ...environment },
  );
  const events: { name: string; data: unknown }[] = [];
  for (const name of ['say', 'ask', 'tool.call', 'tool.result', 'fsm.transition', 'warning', 'error', 'handoff', 'session.started', 'flow.updated']) {
    chat.on(name, (data) => events.push({ name, data }));
  }
  return { chat, database, clock, events };
}

export function texts(state: ChatState): string[] {
  return state.messages.map((message) => `${message.role}: ${message.text}`);
}

export function lastUser(state: ChatState): ChatState['messages'][number] | undefined {
  return state.messages.filter((message) => message.role === 'user').at(-1);
}

export async function until(check: () => boolean, timeout = 3000): Promise<void> {
  await vi.waitFor(
    () => {
      if (!check()) throw new Error('condition not met yet');
    },
    { timeout, interval: 5 },
  );
}

/** Chats a test file opens, destroyed after each test (call `destroyAll` in its afterEach). */
export function chatTracker(): { track: (test: TestChat) => TestChat; destroyAll: () => Promise<void> } {
  const open: TestChat[] = [];
  return {
    track: (test) => {
      open.push(test);
      return test;
    },
    destroyAll: async () => {
      for (const test of open.splice(0)) await test.chat.destroy();
    },
  };
}
