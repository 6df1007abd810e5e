/**
 * The widget's own text in the built-in languages. English is
 * `defaultStrings`, always at hand; French, German and Spanish are separate
 * chunks, loaded only for a page in that language. Flow messages are
 * translated in the flow itself.
 */
import { defaultStrings, type UiStrings } from './strings.ts';

const LOADERS: Readonly<Record<string, () => Promise<{ strings: UiStrings }>>> = {
  fr: () => import('./locales/fr.ts'),
  de: () => import('./locales/de.ts'),
  es: () => import('./locales/es.ts'),
};

function primary(tag: string): string {
  return tag.toLowerCase().split(/[-_]/)[0] ?? '';
}

/** The page's own strings, for keys the UI knows and text values only. */
function known(overrides: Partial<UiStrings>): Partial<UiStrings> {
  return Object.fromEntries(Object.entries(overrides).filter(([key, value]) => Object.hasOwn(defaultStrings, key) && typeof value === 'string'));
}

/** What to show until the language's strings arrive: English, with the launcher already named in the language (`openChat`). */
export function firstStrings(openChat: string, overrides: Partial<UiStrings> = {}): UiStrings {
  return { ...defaultStrings, openChat, ...known(overrides) };
}

/** The built-in strings for `language` (null when it is English or not built in), with the page's own strings on top. */
export function loadStrings(language: string, overrides: Partial<UiStrings> = {}): Promise<UiStrings> | null {
  const load = LOADERS[primary(language)];
  return load ? load().then((module) => ({ ...module.strings, ...known(overrides) })) : null;
}
