import { english } from './en.ts';
import type { LanguageModule } from './language.ts';

export type { LanguageModule } from './language.ts';

/**
 * The parser modules. English ships with the basic parsers; the others are
 * separate chunks, loaded for the flow's and the visitor's languages
 * (`loadLanguage`, which `loadFullParsers()` calls), so a page pays only for
 * the languages it speaks. Adding a language: a module implementing
 * {@link LanguageModule}, its tests, and one line here.
 */
const LOADERS: { readonly [code: string]: () => Promise<LanguageModule> } = {
  fr: () => import('./fr.ts').then((module) => module.french),
};

const loaded = new Map<string, LanguageModule>([[english.code, english]]);

function baseOf(language: string | undefined): string {
  return (language ?? 'en').toLowerCase().split(/[-_]/)[0] ?? 'en';
}

/** The parser module of a BCP 47 tag's base language (`fr-CA` → French) once loaded; English otherwise. */
export function languageModule(language: string | undefined): LanguageModule {
  return loaded.get(baseOf(language)) ?? english;
}

/** Loads the parser module of a language (a no-op for English and for languages without one). */
export async function loadLanguage(language: string): Promise<LanguageModule> {
  const base = baseOf(language);
  const present = loaded.get(base);
  if (present !== undefined) return present;
  const loader = LOADERS[base];
  if (loader === undefined) return english;
  const module = await loader();
  loaded.set(base, module);
  return module;
}

/** The base languages that have a parser module. */
export function supportedLanguages(): string[] {
  return [english.code, ...Object.keys(LOADERS)];
}
