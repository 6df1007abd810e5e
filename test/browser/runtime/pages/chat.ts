/**
 * A page running the headless chat controller, driven by the browser tests
 * through `window.chatPage`. Query: `flow` (`reservations` | `tool`), `nlu`,
 * `relay` (the relay's URL), `namespace`.
 */
import type { Flow } from '../../../../flows/types.ts';
import reservations from '../../../../flows/reservations.flow.json';
import type { ChatState } from '../../../../widget/chat-types.ts';
import type { NluMode } from '../../../../widget/chat-types.ts';
import { createChatRuntime, type ChatController } from '../../../../widget/runtime/chat-runtime.ts';
import toolFlow from './tool.flow.json';

export interface ChatPage {
  chat: ChatController;
  state: () => ChatState;
  events: { name: string; data: unknown }[];
}

declare global {
  interface Window {
    chatPage: ChatPage;
  }
}

const params = new URLSearchParams(location.search);
const flow = (params.get('flow') === 'reservations' ? reservations : toolFlow) as unknown as Flow;
const relay = params.get('relay');
const chat = createChatRuntime(
  {
    flow,
    nlu: (params.get('nlu') ?? 'local') as NluMode,
    ...(relay ? { relay } : {}),
    ...(params.get('namespace') ? { namespace: params.get('namespace') as string } : {}),
  },
  { retry: { baseMs: 100, capMs: 1000 } },
);
const events: { name: string; data: unknown }[] = [];
for (const name of ['warning', 'error', 'tool.call', 'tool.result']) chat.on(name, (data) => events.push({ name, data }));
chat.subscribe((state) => {
  document.body.dataset.ready = String(state.ready);
  document.body.dataset.leader = String(state.leader);
});
window.chatPage = { chat, state: () => chat.getState(), events };
