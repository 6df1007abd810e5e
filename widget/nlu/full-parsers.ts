import type { SlotParsers } from './types.ts';

/**
 * Loads the full date/time (chrono-node) and phone (libphonenumber-js)
 * parsers as separate chunks, so the widget pays for them only when a flow
 * has date, time or phone slots.
 *
 * @example
 * ```ts
 * const parsers = await loadFullParsers();
 * extractSlots('the 3rd of December, +44 20 7946 0958', slots, { now, timeZone, language, parsers });
 * ```
 */
export async function loadFullParsers(): Promise<SlotParsers> {
  const [temporal, phone] = await Promise.all([import('./parsers/full-temporal.ts'), import('./parsers/full-phone.ts')]);
  return { findTemporal: temporal.findChronoTemporal, findPhones: phone.findLibphonenumberPhones };
}
