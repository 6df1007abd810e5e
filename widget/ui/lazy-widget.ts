/**
 * The part of the widget that must load with the page: the launcher, drawn
 * with plain DOM in the shadow root, and a handle that queues calls. The
 * Preact UI and the chat controller (`WidgetApp`) load when the visitor
 * opens the chat, points at the launcher, or the page is idle.
 */
import type { Json, JsonObject } from '../../flows/types.ts';
import type { Chat, ChatEventName } from '../chat-types.ts';
import type { MountedWidget } from '../mount.ts';
import type { AdoptSheet, ResolvedLanguage } from './mount-widget.ts';
import { CHAT_ICON_PATH } from './icon-paths.ts';
import { openChatName } from './launcher-names.ts';
import { chooseLanguage, directionOf } from './strings.ts';
import { adoptLauncherStyles, adoptSheet } from './styles.ts';
import { readView, type ViewMemory } from './view-memory.ts';
import type { WidgetConfig } from './widget-config.ts';

/** The lazily loaded module (`widget/ui/boot.ts`). */
export interface WidgetApp {
  /** `language`: what the launcher resolved (config, page, browser), so the app need not carry that logic again. */
  start(
    host: HTMLElement,
    config: WidgetConfig,
    hooks: { open: boolean; onOpenChange: (open: boolean) => void; language: ResolvedLanguage; remembered: ViewMemory | null; adoptSheet: AdoptSheet },
  ): MountedWidget;
}

/** `window.statechat` and the `<statechat-widget>` element's methods. */
export interface WidgetControls {
  open(): void;
  close(): void;
  toggle(): void;
  /** Sends a message as the visitor (loads the chat if needed). */
  send(text: string): Promise<void>;
  /** A host-page event for the flow (loads the chat if needed). */
  emit(name: string, data?: Json): void;
  /** Public chat events; listeners added before the chat loads are attached when it does. */
  on(event: ChatEventName, callback: (data: JsonObject) => void): () => void;
}

export interface LazyWidget extends WidgetControls {
  /** Loads the UI and the controller now; resolves to the mounted widget. */
  load(): Promise<MountedWidget>;
  readonly chat: Chat | null;
  readonly isOpen: boolean;
  destroy(): Promise<void>;
}

const SVG = 'http://www.w3.org/2000/svg';

function resolveLanguage(config: WidgetConfig): ResolvedLanguage {
  const language = chooseLanguage(config.language, document.documentElement.lang || undefined, navigator.languages);
  return { language, dir: directionOf(language), openChat: openChatName(language) };
}

function drawLauncher(root: ShadowRoot, config: WidgetConfig, resolved: ResolvedLanguage): { container: HTMLElement; button: HTMLButtonElement } {
  const document = root.ownerDocument;
  const container = document.createElement('div');
  container.className = 'root';
  container.dir = resolved.dir;
  container.lang = resolved.language;
  container.dataset.position = config.position ?? 'right';
  const button = document.createElement('button');
  button.type = 'button';
  button.className = 'launcher';
  button.setAttribute('aria-label', config.strings?.openChat ?? resolved.openChat);
  button.setAttribute('aria-haspopup', 'dialog');
  button.setAttribute('aria-expanded', 'false');
  const svg = document.createElementNS(SVG, 'svg');
  svg.setAttribute('class', 'icon');
  svg.setAttribute('viewBox', '0 0 24 24');
  svg.setAttribute('aria-hidden', 'true');
  svg.setAttribute('focusable', 'false');
  const path = document.createElementNS(SVG, 'path');
  path.setAttribute('d', CHAT_ICON_PATH);
  svg.append(path);
  button.append(svg);
  container.append(button);
  root.append(container);
  return { container, button };
}

function whenIdle(callback: () => void): () => void {
  if (typeof requestIdleCallback === 'function') {
    const handle = requestIdleCallback(callback, { timeout: 4000 });
    return () => cancelIdleCallback(handle);
  }
  const handle = setTimeout(callback, 1500);
  return () => clearTimeout(handle);
}

export function createLazyWidget(host: HTMLElement, config: WidgetConfig, loadApp: () => Promise<WidgetApp>, onError: (error: unknown) => void): LazyWidget {
  const shadowRoot = host.shadowRoot ?? host.attachShadow({ mode: 'open' });
  adoptLauncherStyles(shadowRoot);
  host.dataset.colorScheme = config.colorScheme ?? 'auto';
  const language = resolveLanguage(config);
  const placeholder = drawLauncher(shadowRoot, config, language);

  // Open again after a reload if the visitor left it open in this tab.
  const remembered = readView(config.namespace ?? config.flow);
  let wantOpen = config.open ?? remembered?.open ?? false;
  let widget: MountedWidget | null = null;
  let loading: Promise<MountedWidget> | null = null;
  let destroyed = false;
  const listeners = new Set<{ event: ChatEventName; callback: (data: JsonObject) => void; off?: () => void }>();

  function load(): Promise<MountedWidget> {
    loading ??= loadApp().then(
      (app) => {
        if (destroyed) throw new Error('the widget was removed while it loaded');
        const hadFocus = shadowRoot.activeElement === placeholder.button;
        placeholder.container.remove();
        const mounted = app.start(host, config, { open: wantOpen, onOpenChange: (open) => (wantOpen = open), language, remembered, adoptSheet });
        widget = mounted;
        for (const listener of listeners) listener.off = mounted.chat.on(listener.event, listener.callback);
        if (hadFocus && !wantOpen) shadowRoot.querySelector<HTMLElement>('.launcher')?.focus();
        return mounted;
      },
      (error: unknown) => {
        // A failed chunk download (offline, a deploy in between): the next click tries again.
        loading = null;
        throw error;
      },
    );
    return loading;
  }
  const loadReporting = () => {
    load().catch(onError);
  };

  placeholder.button.addEventListener('click', () => {
    wantOpen = true;
    loadReporting();
  });
  placeholder.button.addEventListener('pointerenter', loadReporting, { once: true });
  placeholder.button.addEventListener('focus', loadReporting, { once: true });
  const cancelIdle = whenIdle(loadReporting);
  if (wantOpen) loadReporting();

  return {
    load,
    get chat() {
      return widget?.chat ?? null;
    },
    get isOpen() {
      return widget ? widget.isOpen : false;
    },
    open() {
      wantOpen = true;
      if (widget) widget.open();
      else loadReporting();
    },
    close() {
      wantOpen = false;
      widget?.close();
    },
    toggle() {
      if (widget ? widget.isOpen : wantOpen) this.close();
      else this.open();
    },
    async send(text) {
      const mounted = await load();
      await mounted.chat.send(text);
    },
    emit(name, data) {
      load().then((mounted) => mounted.chat.emit(name, data), onError);
    },
    on(event, callback) {
      const listener: { event: ChatEventName; callback: (data: JsonObject) => void; off?: () => void } = { event, callback };
      listeners.add(listener);
      if (widget) listener.off = widget.chat.on(event, callback);
      return () => {
        listeners.delete(listener);
        listener.off?.();
      };
    },
    async destroy() {
      destroyed = true;
      cancelIdle();
      placeholder.container.remove();
      for (const listener of listeners) listener.off?.();
      listeners.clear();
      if (widget) {
        widget.unmount();
        await widget.chat.destroy();
        widget = null;
      }
    },
  };
}
