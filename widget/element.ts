/**
 * `<statechat-widget relay="…" flow="…">` for apps that install statechat
 * from npm. (The script tag build defines the same element by itself.)
 *
 * Attributes: `relay`, `flow` (required), `chat-title`, `lang`, `position`
 * (`left` | `right`), `color-scheme` (`auto` | `light` | `dark`), `open`,
 * `nlu`, `storage`, `namespace`. The element has `open()`, `close()`,
 * `toggle()`, `send(text)`, `emit(name, data)`, `on(event, callback)` and
 * `chat`.
 *
 * @example
 * import { defineChatElement } from 'statechat/widget';
 * defineChatElement();
 * const widget = document.createElement('statechat-widget');
 * widget.setAttribute('relay', '/statechat');
 * widget.setAttribute('flow', 'reservations');
 * document.body.append(widget);
 */
import { createChatElementClass } from './ui/chat-element.ts';

export type { ChatElement } from './ui/chat-element.ts';

function reportUncaught(error: unknown): void {
  setTimeout(() => {
    throw error;
  });
}

/** Registers the element (once; later calls do nothing). The UI and the controller load when the element first needs them. */
export function defineChatElement(name = 'statechat-widget'): void {
  if (customElements.get(name)) return;
  customElements.define(name, createChatElementClass(() => import('./ui/boot.ts'), reportUncaught));
}
