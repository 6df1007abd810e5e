/**
 * The chat UI in a Shadow DOM on the page, over a `Chat` (`mount` in
 * `widget/mount.ts` is this with both stylesheets).
 *
 * @example
 * import { createChat, mount } from 'statechat/widget';
 * const chat = createChat({ relay: 'https://example.com/statechat', flow: 'reservations' });
 * const widget = mount({ chat, title: 'Book a table', theme: { accent: '#0b6e4f' } });
 * widget.open();
 */
import { h, render } from 'preact';
import type { Chat } from '../chat-types.ts';
import { ChatWidget, type BotIdentity } from './chat-widget.tsx';
import { firstStrings, loadStrings } from './locales.ts';
import type { UiStrings } from './strings.ts';
import { panelCss } from './panel-styles.ts';
import type { ViewMemory } from './view-memory.ts';

/**
 * Colours and sizes, written as `--statechat-*` custom properties on the host
 * element (`accentText` → `--statechat-accent-text`). The page's own CSS can
 * set the same properties; dark-mode variants end in `Dark`
 * (`backgroundDark`). From a hex `accent`, the text on it and its dark-mode
 * tint are derived with their contrast checked (≥ 4.5:1), unless given.
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
  /** The brand colour where it meets the dark background (links, quick-reply borders). */
  accentInkDark?: string;
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
  /** Open the panel at once. Default: open if it was open before this tab reloaded. */
  open?: boolean;
  /** The panel's heading. Default: the bot's name, then the flow's name. */
  title?: string;
  /** The bot's name, avatar and a subtitle, shown in the header. */
  bot?: BotIdentity;
  /** Show the time of each message. */
  timestamps?: boolean;
  /** Show the latest unread bot message beside the closed launcher. */
  preview?: boolean;
  /** Separates what several widgets of a site remember (the open state, the last seen message). Default `statechat`. */
  namespace?: string;
  /** UI text; built in for en, fr, de and es (chosen by `language`), and these keys replace the built-in ones. */
  strings?: Partial<UiStrings>;
  /** The UI's language (BCP 47); sets `lang`, the built-in strings and, unless `dir` is given, the direction. Default: the page's `lang`, then the browser's. */
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

/**
 * `mount` with the way stylesheets are adopted: `mount` brings its own and
 * the launcher's sheet; the script tag's app uses its launcher's.
 */
/** The UI language and what follows from it, resolved by the caller (the script tag's launcher already knows them). */
export interface ResolvedLanguage {
  language: string;
  dir: 'ltr' | 'rtl';
  /** The launcher's name in that language. */
  openChat: string;
}

/** `remembered`: what this tab remembered under `options.namespace` (read by the caller, who may already have). */
/** Adopts a named stylesheet into a shadow root once (`adoptSheet`; the script tag's launcher hands over its own copy). */
export type AdoptSheet = (root: ShadowRoot, name: string, css: string) => void;

export function mountWith(options: MountOptions, adoptSheet: AdoptSheet, resolved: ResolvedLanguage, remembered: ViewMemory | null): MountedWidget {
  const ownsHost = !options.host;
  const host = options.host ?? document.createElement('statechat-root');
  if (ownsHost) (options.target ?? document.body).append(host);
  const shadowRoot = host.shadowRoot ?? host.attachShadow({ mode: 'open' });
  adoptSheet(shadowRoot, 'panel', panelCss);

  host.dataset.colorScheme = options.colorScheme ?? 'auto';
  const theme = options.theme ?? {};
  for (const [name, value] of Object.entries(theme)) {
    // CSSOM, not a style attribute: allowed under `style-src 'self'`.
    if (typeof value === 'string') host.style.setProperty(`--statechat-${kebab(name)}`, value);
  }
  const accent = theme.accent;
  if (accent) {
    // A separate chunk: only pages that pass a brand colour need the contrast arithmetic.
    import('./theme.ts').then(
      ({ brandProperties }) => {
        for (const [name, value] of Object.entries(brandProperties(accent))) {
          if (host.style.getPropertyValue(`--statechat-${name}`) === '') host.style.setProperty(`--statechat-${name}`, value);
        }
      },
      () => undefined,
    );
  }

  const { language } = resolved;
  let strings: UiStrings = firstStrings(resolved.openChat, options.strings);
  const namespace = options.namespace ?? 'statechat';
  let isOpen = options.open ?? remembered?.open ?? false;
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
        bot: options.bot,
        timestamps: options.timestamps,
        preview: options.preview,
        namespace,
        adoptSheet,
        seen: remembered?.seen ?? null,
        dir: resolved.dir,
        language,
        position: options.position ?? 'right',
        onError: options.onError ?? reportUncaught,
      }),
      shadowRoot,
    );
  }
  draw();
  loadStrings(language, options.strings)?.then(
    (loaded) => {
      strings = loaded;
      if (mounted) draw();
    },
    // A chunk that failed to load (offline): the English text stays.
    () => undefined,
  );

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
