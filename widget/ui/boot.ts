/**
 * The lazily loaded half of the script tag and the custom element: the
 * Preact UI and the chat controller (`statechat-app.js` in the build).
 */
import type { CreateChatOptions } from '../chat-types.ts';
import { createChat } from '../create-chat.ts';
import { mountWith, type MountedWidget } from './mount-widget.ts';
import type { WidgetApp } from './lazy-widget.ts';
import type { WidgetConfig } from './widget-config.ts';

export const start: WidgetApp['start'] = (host: HTMLElement, config: WidgetConfig, hooks): MountedWidget => {
  const options: CreateChatOptions = { flow: config.flow };
  if (config.relay) options.relay = config.relay;
  if (config.nlu) options.nlu = config.nlu;
  if (config.storage) options.storage = config.storage;
  if (config.namespace) options.namespace = config.namespace;
  if (config.language) options.language = config.language;
  const chat = createChat(options);
  return mountWith({
    chat,
    host,
    open: hooks.open,
    onOpenChange: hooks.onOpenChange,
    namespace: config.namespace ?? config.flow,
    ...(config.bot ? { bot: config.bot } : {}),
    ...(config.preview ? { preview: true } : {}),
    ...(config.timestamps ? { timestamps: true } : {}),
    ...(config.title ? { title: config.title } : {}),
    ...(config.position ? { position: config.position } : {}),
    ...(config.colorScheme ? { colorScheme: config.colorScheme } : {}),
    ...(config.strings ? { strings: config.strings } : {}),
  }, hooks.adoptSheet, hooks.language, hooks.remembered);
};
