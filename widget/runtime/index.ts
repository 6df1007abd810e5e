export { createChatRuntime } from './chat-runtime.ts';
export type { ChatController, ChatEnvironment } from './chat-runtime.ts';
export type { ChannelLike, ForwardedInput, LockManagerLike, SharedView, TabMessage } from './tabs.ts';
