/**
 * The script tag build (`dist/statechat.js`): a classic script that draws
 * the launcher at once and loads the rest (`statechat-app.js`, next to it)
 * when the visitor opens the chat or the page is idle.
 *
 * @example
 * <script src="https://cdn.example/statechat.js" data-relay="https://example.com/statechat" data-flow="reservations" defer></script>
 * <script type="module">
 *   statechat.on('booking.confirmed', ({ bookingId }) => console.log(bookingId));
 *   document.querySelector('#book').onclick = () => { statechat.open(); statechat.emit('booking.requested'); };
 * </script>
 *
 * `data-*` attributes: `relay`, `flow` (without it nothing mounts, but
 * `<statechat-widget>` still works), `title`, `lang`, `position`,
 * `color-scheme`, `open`, `nlu`, `storage`, `namespace`, `strings` (JSON of
 * UI text, e.g. `data-strings='{"openChat": "Ouvrir le chat"}'`).
 */
import type { Json, JsonObject } from '../flows/types.ts';
import type { ChatEventName } from './chat-types.ts';
import { createChatElementClass, type ChatElement } from './ui/chat-element.ts';
import { createLazyWidget, type LazyWidget, type WidgetApp, type WidgetControls } from './ui/lazy-widget.ts';
import { setWidgetStylesheetUrl } from './ui/styles.ts';
import { readWidgetConfig } from './ui/widget-config.ts';

declare global {
  interface Window {
    statechat?: WidgetControls;
  }
}

function reportUncaught(error: unknown): void {
  setTimeout(() => {
    throw error;
  });
}

// Only while this script first runs does `currentScript` point at it; chunks load from beside it.
const script = document.currentScript instanceof HTMLScriptElement ? document.currentScript : null;
const base = script?.src || document.baseURI;
const loadApp = () => import(/* @vite-ignore */ new URL('statechat-app.js', base).href) as Promise<WidgetApp>;
setWidgetStylesheetUrl(new URL('statechat.css', base).href);

if (!customElements.get('statechat-widget')) customElements.define('statechat-widget', createChatElementClass(loadApp, reportUncaught));

const config = script ? readWidgetConfig((name) => script.getAttribute(`data-${name}`)) : null;
let widget: LazyWidget | null = null;
const queued: ((target: WidgetControls) => void)[] = [];

function target(): WidgetControls | null {
  return widget ?? document.querySelector<ChatElement>('statechat-widget');
}

function withTarget(run: (target: WidgetControls) => void): void {
  const found = target();
  if (found) run(found);
  else queued.push(run);
}

function start(): void {
  if (config) {
    const host = document.createElement('statechat-root');
    document.body.append(host);
    widget = createLazyWidget(host, config, loadApp, reportUncaught);
  }
  const found = target();
  if (found) for (const run of queued.splice(0)) run(found);
}

if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', start, { once: true });
else start();

window.statechat = {
  open: () => withTarget((found) => found.open()),
  close: () => withTarget((found) => found.close()),
  toggle: () => withTarget((found) => found.toggle()),
  send: (text: string) => new Promise<void>((resolve, reject) => withTarget((found) => found.send(text).then(resolve, reject))),
  emit: (name: string, data?: Json) => withTarget((found) => found.emit(name, data)),
  on(event: ChatEventName, callback: (data: JsonObject) => void) {
    let off: (() => void) | null = null;
    let cancelled = false;
    withTarget((found) => {
      if (!cancelled) off = found.on(event, callback);
    });
    return () => {
      cancelled = true;
      off?.();
    };
  },
};
