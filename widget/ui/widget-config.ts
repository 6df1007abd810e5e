/**
 * What a page says about its widget in markup: the script tag's `data-*`
 * attributes or the `<statechat-widget>` element's attributes.
 *
 * @example
 * <script src="/statechat.js" data-relay="https://example.com/statechat" data-flow="reservations" data-title="Book a table" defer></script>
 * <statechat-widget relay="https://example.com/statechat" flow="reservations" chat-title="Book a table"></statechat-widget>
 */
import type { NluMode } from '../chat-types.ts';
import { defaultStrings, type UiStrings } from './strings.ts';

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
  nlu?: NluMode;
  storage?: 'indexeddb' | 'memory';
  namespace?: string;
  /** UI text in the visitor's language; missing keys keep the English defaults. */
  strings?: Partial<UiStrings>;
}

const MAX_STRING_LENGTH = 200;

/**
 * `data-strings='{"openChat": "Ouvrir le chat", "send": "Envoyer"}'`: JSON,
 * of which only the known keys with text values are kept (it is rendered
 * as text, never as markup).
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
  for (const key of Object.keys(defaultStrings) as (keyof UiStrings)[]) {
    const value = (parsed as Record<string, unknown>)[key];
    if (Object.hasOwn(parsed, key) && typeof value === 'string' && value.trim() !== '') strings[key] = value.slice(0, MAX_STRING_LENGTH);
  }
  return Object.keys(strings).length > 0 ? strings : undefined;
}

function oneOf<T extends string>(value: string | null | undefined, allowed: readonly T[]): T | undefined {
  return allowed.find((candidate) => candidate === value);
}

/**
 * Reads a config through `read(name)`, where names are `relay`, `flow`,
 * `title`, `lang`, `position`, `color-scheme`, `open`, `nlu`, `storage`,
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
  const open = read('open');
  if (open !== null && open !== undefined && open !== 'false') config.open = true;
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
