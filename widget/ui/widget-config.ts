/**
 * What a page says about its widget in markup: the script tag's `data-*`
 * attributes or the `<statechat-widget>` element's attributes.
 *
 * @example
 * <script src="/statechat.js" data-relay="https://example.com/statechat" data-flow="reservations" data-title="Book a table" defer></script>
 * <statechat-widget relay="https://example.com/statechat" flow="reservations" chat-title="Book a table"></statechat-widget>
 */
import type { NluMode } from '../chat-types.ts';
import type { UiStrings } from './strings.ts';

export interface WidgetConfig {
  /** The relay's base URL. */
  relay?: string;
  /** The flow id the relay serves. */
  flow: string;
  title?: string;
  /** The visitor's language (BCP 47). */
  language?: string;
  position?: 'left' | 'right';
  colorScheme?: 'auto' | 'light' | 'dark';
  /** Open the panel as soon as the page loads. */
  open?: boolean;
  /** Show the latest unread bot message beside the closed launcher. */
  preview?: boolean;
  /** Show the time of each message. */
  timestamps?: boolean;
  /** The bot's name, avatar URL and subtitle for the header. */
  bot?: { name?: string; avatar?: string; subtitle?: string };
  nlu?: NluMode;
  storage?: 'indexeddb' | 'memory';
  namespace?: string;
  /** UI text in the visitor's language; missing keys keep the English defaults. */
  strings?: Partial<UiStrings>;
}

const MAX_STRING_LENGTH = 200;

/**
 * `data-strings='{"openChat": "Ouvrir le chat", "send": "Envoyer"}'`: JSON,
 * of which only text values are kept (rendered as text, never as markup);
 * keys the UI does not know are ignored when it applies them.
 */
function readStrings(json: string | null | undefined): Partial<UiStrings> | undefined {
  if (!json) return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(json);
  } catch {
    return undefined;
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) return undefined;
  const strings: Partial<UiStrings> = {};
  // Which keys the UI knows is checked when it applies them (`firstStrings`), so the launcher carries no list of them.
  for (const [key, value] of Object.entries(parsed as Record<string, unknown>)) {
    if (key !== '__proto__' && typeof value === 'string' && value.trim() !== '') strings[key as keyof UiStrings] = value.slice(0, MAX_STRING_LENGTH);
  }
  return Object.keys(strings).length > 0 ? strings : undefined;
}

function oneOf<T extends string>(value: string | null | undefined, allowed: readonly T[]): T | undefined {
  return allowed.find((candidate) => candidate === value);
}

function flag(value: string | null | undefined): boolean {
  return value !== null && value !== undefined && value !== 'false';
}

/**
 * Reads a config through `read(name)`, where names are `relay`, `flow`,
 * `title`, `lang`, `position`, `color-scheme`, `open`, `preview`,
 * `timestamps`, `bot-name`, `bot-avatar`, `bot-subtitle`, `nlu`, `storage`,
 * `namespace`, `strings`. Null without a flow: there is nothing to run.
 */
export function readWidgetConfig(read: (name: string) => string | null | undefined): WidgetConfig | null {
  const flow = read('flow')?.trim();
  if (!flow) return null;
  const config: WidgetConfig = { flow };
  const text = (name: string) => read(name)?.trim() || undefined;
  const relay = text('relay');
  if (relay) config.relay = relay;
  const title = text('title');
  if (title) config.title = title;
  const language = text('lang');
  if (language) config.language = language;
  const position = oneOf(read('position'), ['left', 'right'] as const);
  if (position) config.position = position;
  const colorScheme = oneOf(read('color-scheme'), ['auto', 'light', 'dark'] as const);
  if (colorScheme) config.colorScheme = colorScheme;
  if (flag(read('open'))) config.open = true;
  if (flag(read('preview'))) config.preview = true;
  if (flag(read('timestamps'))) config.timestamps = true;
  const bot: NonNullable<WidgetConfig['bot']> = {};
  for (const [key, name] of [['name', 'bot-name'], ['avatar', 'bot-avatar'], ['subtitle', 'bot-subtitle']] as const) {
    const value = text(name);
    if (value) bot[key] = value.slice(0, MAX_STRING_LENGTH);
  }
  if (Object.keys(bot).length > 0) config.bot = bot;
  const nlu = oneOf(read('nlu'), ['local', 'relay', 'hybrid'] as const);
  if (nlu) config.nlu = nlu;
  const storage = oneOf(read('storage'), ['indexeddb', 'memory'] as const);
  if (storage) config.storage = storage;
  const namespace = text('namespace');
  if (namespace) config.namespace = namespace;
  const strings = readStrings(read('strings'));
  if (strings) config.strings = strings;
  return config;
}
