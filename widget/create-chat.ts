/**
 * `createChat`: the headless chat controller. It runs the flow's engine in
 * the page, keeps the conversation in IndexedDB (memory when it cannot), and
 * talks to the relay for classification and tools. Nothing happens until it
 * is called: importing this module touches no `window`, storage or timer.
 *
 * @example
 * ```ts
 * const chat = createChat({ relay: 'https://example.com/statechat', flow: 'restaurant-reservations' });
 * chat.subscribe((state) => render(state));
 * await chat.ready;
 * await chat.send('A table for four tomorrow at 7pm');
 * ```
 */
import type { Chat, CreateChatOptions } from './chat-types.ts';
import { createChatRuntime } from './runtime/chat-runtime.ts';

export function createChat(options: CreateChatOptions): Chat {
  return createChatRuntime(options);
}
