/**
 * `statechat/widget`: what runs in the page: the chat controller (`createChat`),
 * the Preact UI (`mount`, `<statechat-widget>`), the pure engine and the local
 * understanding that answers its `classify` effects offline.
 */
export * from './engine/index.ts';
export { createLocalUnderstanding } from './local-understanding.ts';
export type { LocalUnderstanding, LocalUnderstandingOptions, Understanding } from './local-understanding.ts';
export { createChat } from './create-chat.ts';
export type { Chat, ChatEventName, ChatMessage, ChatState, CreateChatOptions, MessageStatus, NluMode } from './chat-types.ts';
export { mount } from './mount.ts';
export type { MountedWidget, MountOptions, WidgetTheme } from './mount.ts';
export { defineChatElement } from './element.ts';
export type { ChatElement } from './element.ts';
export type { UiStrings } from './ui/strings.ts';
export type { WidgetControls } from './ui/lazy-widget.ts';
