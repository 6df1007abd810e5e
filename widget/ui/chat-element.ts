/**
 * The `<statechat-widget>` custom element's class, built by a function so
 * that nothing touches `HTMLElement` or `customElements` when a module is
 * merely imported, and so the script tag and npm can each say how the rest
 * of the widget loads.
 */
import type { Json, JsonObject } from '../../flows/types.ts';
import type { Chat, ChatEventName } from '../chat-types.ts';
import { createLazyWidget, type LazyWidget, type WidgetApp, type WidgetControls } from './lazy-widget.ts';
import { readWidgetConfig } from './widget-config.ts';

export interface ChatElement extends HTMLElement, WidgetControls {
  /** The controller, once loaded. */
  readonly chat: Chat | null;
}

export function createChatElementClass(loadApp: () => Promise<WidgetApp>, onError: (error: unknown) => void): new () => ChatElement {
  return class StatechatWidgetElement extends HTMLElement implements ChatElement {
    #widget: LazyWidget | null = null;
    #pending: (() => void)[] = [];

    connectedCallback(): void {
      if (this.#widget) return;
      // `title` would give the whole widget a tooltip, so the heading is `chat-title`.
      const config = readWidgetConfig((name) => this.getAttribute(name === 'title' ? 'chat-title' : name));
      if (!config) return;
      this.#widget = createLazyWidget(this, config, loadApp, onError);
      for (const call of this.#pending.splice(0)) call();
    }

    disconnectedCallback(): void {
      // Moving the element in the DOM disconnects and reconnects it at once; only a real removal stops the chat.
      queueMicrotask(() => {
        if (this.isConnected || !this.#widget) return;
        const widget = this.#widget;
        this.#widget = null;
        widget.destroy().catch(onError);
      });
    }

    #call(run: (widget: LazyWidget) => void): void {
      if (this.#widget) run(this.#widget);
      else this.#pending.push(() => this.#widget && run(this.#widget));
    }

    get chat(): Chat | null {
      return this.#widget?.chat ?? null;
    }
    open(): void {
      this.#call((widget) => widget.open());
    }
    close(): void {
      this.#call((widget) => widget.close());
    }
    toggle(): void {
      this.#call((widget) => widget.toggle());
    }
    send(text: string): Promise<void> {
      return new Promise((resolve, reject) => this.#call((widget) => widget.send(text).then(resolve, reject)));
    }
    emit(name: string, data?: Json): void {
      this.#call((widget) => widget.emit(name, data));
    }
    on(event: ChatEventName, callback: (data: JsonObject) => void): () => void {
      let off: (() => void) | null = null;
      let cancelled = false;
      this.#call((widget) => {
        if (!cancelled) off = widget.on(event, callback);
      });
      return () => {
        cancelled = true;
        off?.();
      };
    }
  };
}
