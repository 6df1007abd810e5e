/**
 * `mount()`: the chat UI in a Shadow DOM on the page, over a `Chat`.
 *
 * @example
 * import { createChat, mount } from 'statechat/widget';
 * const chat = createChat({ relay: 'https://example.com/statechat', flow: 'reservations' });
 * const widget = mount({ chat, title: 'Book a table', theme: { accent: '#0b6e4f' } });
 * widget.open();
 */
import { h, render } from 'preact';
import type { Chat } from './chat-types.ts';
import { ChatWidget } from './ui/chat-widget.tsx';
import { defaultStrings, directionOf, type UiStrings } from './ui/strings.ts';
import { adoptWidgetStyles } from './ui/styles.ts';

/**
 * Colours and sizes, written as `--statechat-*` custom properties on the host
 * element (`accentText` → `--statechat-accent-text`). The page's own CSS can
 * set the same properties; dark-mode variants end in `Dark`
 * (`backgroundDark`).
 */
export interface WidgetTheme {
  accent?: string;
  accentText?: string;
  background?: string;
  surface?: string;
  text?: string;
  muted?: string;
  border?: string;
  userBubble?: string;
  userText?: string;
  radius?: string;
  font?: string;
  zIndex?: string;
  offset?: string;
  accentDark?: string;
  accentTextDark?: string;
  backgroundDark?: string;
  surfaceDark?: string;
  textDark?: string;
  mutedDark?: string;
  borderDark?: string;
}

export interface MountOptions {
  /** The controller to render (`createChat(…)`, or your own implementation of `Chat`). */
  chat: Chat;
  /** An element to host the shadow root (the `<statechat-widget>` element uses itself). Default: a new element appended to `target`. */
  host?: HTMLElement;
  /** Where the new host element goes. Default: `document.body`. */
  target?: ParentNode;
  /** Open the panel at once. */
  open?: boolean;
  /** The panel's heading. Default: the flow's name. */
  title?: string;
  /** UI text in the visitor's language; missing keys keep the English defaults. */
  strings?: Partial<UiStrings>;
  /** The UI's language (BCP 47); sets `lang` and, unless `dir` is given, the direction. Default: the page's `lang`. */
  language?: string;
  dir?: 'ltr' | 'rtl';
  /** Which corner the launcher sits in (logical: `right` is the end side). Default `right`. */
  position?: 'left' | 'right';
  /** `auto` (default) follows `prefers-color-scheme`. */
  colorScheme?: 'auto' | 'light' | 'dark';
  theme?: WidgetTheme;
  /** Called when the panel opens or closes, by the visitor or by the API. */
  onOpenChange?: (open: boolean) => void;
  /** A controller promise rejected (a bug; network trouble is shown in the chat instead). Default: reported as an uncaught error. */
  onError?: (error: unknown) => void;
}

export interface MountedWidget {
  readonly chat: Chat;
  readonly host: HTMLElement;
  readonly shadowRoot: ShadowRoot;
  readonly isOpen: boolean;
  open(): void;
  close(): void;
  toggle(): void;
  /** Removes the UI (and the host element if `mount` created it). The chat keeps running: `chat.destroy()` stops it. */
  unmount(): void;
}

function kebab(name: string): string {
  return name.replace(/[A-Z]/g, (letter) => `-${letter.toLowerCase()}`);
}

function reportUncaught(error: unknown): void {
  // Out of the promise chain, so the page's error handlers and tests see it.
  setTimeout(() => {
    throw error;
  });
}

export function mount(options: MountOptions): MountedWidget {
  const ownsHost = !options.host;
  const host = options.host ?? document.createElement('statechat-root');
  if (ownsHost) (options.target ?? document.body).append(host);
  const shadowRoot = host.shadowRoot ?? host.attachShadow({ mode: 'open' });

  host.dataset.colorScheme = options.colorScheme ?? 'auto';
  for (const [name, value] of Object.entries(options.theme ?? {})) {
    // CSSOM, not a style attribute: allowed under `style-src 'self'`.
    if (typeof value === 'string') host.style.setProperty(`--statechat-${kebab(name)}`, value);
  }

  const language = options.language ?? (document.documentElement.lang || undefined);
  const strings: UiStrings = { ...defaultStrings, ...options.strings };
  let isOpen = options.open ?? false;
  let mounted = true;

  const setOpen = (next: boolean) => {
    if (!mounted || next === isOpen) return;
    isOpen = next;
    draw();
    options.onOpenChange?.(next);
  };

  function draw(): void {
    render(
      h(ChatWidget, {
        chat: options.chat,
        open: isOpen,
        onOpenChange: setOpen,
        strings,
        title: options.title,
        dir: options.dir ?? directionOf(language),
        language,
        position: options.position ?? 'right',
        onError: options.onError ?? reportUncaught,
      }),
      shadowRoot,
    );
  }
  draw();
  // After the first render: where the styles are an element (no constructable stylesheets), Preact would remove it.
  adoptWidgetStyles(shadowRoot);

  return {
    chat: options.chat,
    host,
    shadowRoot,
    get isOpen() {
      return isOpen;
    },
    open: () => setOpen(true),
    close: () => setOpen(false),
    toggle: () => setOpen(!isOpen),
    unmount() {
      if (!mounted) return;
      mounted = false;
      render(null, shadowRoot);
      if (ownsHost) host.remove();
    },
  };
}
