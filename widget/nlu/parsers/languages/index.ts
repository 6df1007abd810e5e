import { english } from './en.ts';
import { french } from './fr.ts';
import type { LanguageModule } from './language.ts';

export type { LanguageModule } from './language.ts';

const MODULES: ReadonlyMap<string, LanguageModule> = new Map([english, french].map((module) => [module.code, module]));

/** The parser module of a BCP 47 tag's base language (`fr-CA` → French); English when there is none. */
export function languageModule(language: string | undefined): LanguageModule {
  const base = (language ?? 'en').toLowerCase().split(/[-_]/)[0] ?? 'en';
  return MODULES.get(base) ?? english;
}

/** The base languages that have a parser module. */
export function supportedLanguages(): string[] {
  return [...MODULES.keys()];
}
