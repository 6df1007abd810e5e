import type { SlotDefinition } from '../../flows/types.ts';
import { loadLanguage, supportedLanguages } from './parsers/languages/index.ts';
import { findBasicTemporal } from './parsers/basic-temporal.ts';
import type { SlotParsers } from './types.ts';

export interface FullParserOptions {
  /** Languages whose dates are read (BCP 47; base languages with a chrono-node locale: en, fr). Default: all of them. */
  languages?: readonly string[];
  /** Phone regions whose numbering is loaded (ISO 3166, `GB`). Default: every region. */
  regions?: readonly string[];
  /**
   * Also read dates with chrono-node (default true). The widget passes
   * false: chrono adds 15 KB gzip to a page and, on the SGD benchmark,
   * nothing the rules miss; the relay keeps it.
   */
  chrono?: boolean;
}

const CHRONO_LOCALES = {
  en: () => import('chrono-node/en'),
  fr: () => import('chrono-node/fr'),
} as const;

/**
 * Loads the full date/time (chrono-node, the flow's languages only) and
 * phone (libphonenumber-js, the flow's regions only) parsers as separate
 * chunks, so the widget pays only for what its flow needs. Where they read
 * nothing the basic parsers still answer.
 *
 * @example
 * ```ts
 * const parsers = await loadFullParsers({ languages: ['en', 'fr'], regions: ['GB'] });
 * extractSlots('the 3rd of December, 07700 900123', slots, { now, timeZone, language, parsers });
 * ```
 */
export async function loadFullParsers(options: FullParserOptions = {}): Promise<SlotParsers> {
  const modules = await Promise.all((options.languages ?? supportedLanguages()).map(loadLanguage));
  const bases = [...new Set(modules.map((module) => module.code))];
  const withChrono = options.chrono !== false;
  const [temporal, [phone, metadata], ...locales] = await Promise.all([
    withChrono ? import('./parsers/full-temporal.ts') : undefined,
    // One chunk with the metadata loader, which then fetches the regions' files.
    import('./parsers/full-phone.ts').then(async (module) => [module, await module.loadPhoneMetadata(options.regions)] as const),
    ...(withChrono ? bases : [])
      .filter((base): base is keyof typeof CHRONO_LOCALES => base in CHRONO_LOCALES)
      .map(async (base) => ({ base, module: await CHRONO_LOCALES[base]() })),
  ]);
  const chronos: import('./parsers/full-temporal.ts').ChronoLocales = {};
  for (const { base, module } of locales) chronos[base] = 'GB' in module ? { casual: module.casual, GB: module.GB } : { casual: module.casual };
  return {
    findTemporal: temporal === undefined ? findBasicTemporal : temporal.createChronoTemporal(chronos),
    findPhones: phone.createLibphonenumberPhones(metadata),
  };
}

/**
 * What a flow needs loaded: its language and the visitor's, and the phone
 * regions its slots declare (`meta.region`, or a phone slot's `region`).
 */
export function fullParserNeeds(
  flow: { language: string; slots: { readonly [name: string]: SlotDefinition } },
  visitorLanguage?: string,
): FullParserOptions {
  const regions = new Set<string>();
  for (const slot of Object.values(flow.slots)) if (slot.type === 'phone' && slot.region !== undefined) regions.add(slot.region);
  const languages = [flow.language, ...(visitorLanguage !== undefined ? [visitorLanguage] : [])];
  return regions.size > 0 ? { languages, regions: [...regions] } : { languages };
}
