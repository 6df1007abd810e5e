/**
 * The slot parsers do work linear in the text (issue #9: a 2,000-character
 * "1 d 1 d …" took 12 s). The clock is not used: a `WorkMeter` counts the
 * characters every pass reads (pattern scans, claimed spans, pieces handed
 * to chrono-node and libphonenumber), and the properties below fail when
 * that count grows faster than the text. `npm run bench:parsers-fuzz`
 * measures the time per KB of the same kinds of input.
 */
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { basicParsers, extractSlots, loadFullParsers, type SlotParsers, type WorkMeter } from '../../widget/nlu/index.ts';
import { ADVERSARIAL_UNITS } from '../bench/nlu/fuzz-inputs.ts';

const slots = {
  partySize: { type: 'integer', min: 1, max: 50 },
  date: 'date',
  time: { type: 'time', hours: { from: '12:00', to: '22:00' } },
  name: 'name',
  phone: { type: 'phone', region: 'GB' },
  email: 'email',
} as const;

let full: SlotParsers;
beforeAll(async () => {
  full = await loadFullParsers({ regions: ['GB'] });
});

function work(text: string, parsers: SlotParsers, language: string): number {
  const meter: WorkMeter = { characters: 0 };
  extractSlots(text, slots, { now: Date.parse('2026-11-27T14:00:00Z'), timeZone: 'Europe/London', language, parsers, meter });
  return meter.characters;
}

/** Characters read per character of text stays under this for any input. */
const PER_CHARACTER = 200;

describe('slot parsing work is linear in the text', () => {
  for (const [label, language] of [
    ['English', 'en-GB'],
    ['French', 'fr-FR'],
  ] as const) {
    for (const set of ['basic', 'full'] as const) {
      it(`${label}, ${set} parsers: doubling a repeated unit at most doubles the work (plus a constant)`, () => {
        const parsers = set === 'basic' ? basicParsers : full;
        for (const unit of ADVERSARIAL_UNITS) {
          const small = unit.repeat(Math.ceil(1000 / unit.length));
          const large = small + small;
          const [once, twice] = [work(small, parsers, language), work(large, parsers, language)];
          expect(twice, `${JSON.stringify(unit)}: ${once} → ${twice}`).toBeLessThanOrEqual(2 * once + 2000);
          expect(twice / large.length, JSON.stringify(unit)).toBeLessThan(PER_CHARACTER);
        }
      });

      it(`${label}, ${set} parsers: any text costs a bounded amount of work per character`, () => {
        const parsers = set === 'basic' ? basicParsers : full;
        const piece = fc.constantFrom(...ADVERSARIAL_UNITS, ' ', '.', ',', '-', 'a', 'A', '1', ':', '/', '+');
        fc.assert(
          fc.property(fc.array(fc.oneof(piece, fc.string({ maxLength: 6 })), { minLength: 1, maxLength: 400 }), (parts) => {
            const text = parts.join('');
            return work(text, parsers, language) <= PER_CHARACTER * text.length + 2000;
          }),
          { numRuns: 40 },
        );
      });
    }
  }

  it('the meter sees the work: a text twice as long reads about twice as much', () => {
    const text = 'a table for 4 tomorrow at half past 7, name Sam Smith, 07700 900123. ';
    const [once, ten] = [work(text, full, 'en-GB'), work(text.repeat(10), full, 'en-GB')];
    expect(once).toBeGreaterThan(text.length);
    expect(ten).toBeGreaterThan(8 * once);
    expect(ten).toBeLessThan(12 * once);
  });
});
