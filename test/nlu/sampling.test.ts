import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { loadClinc150, loadSnips } from '../bench/nlu/data.ts';
import { fnv1a32, sampleK, type LabelledText } from '../bench/nlu/sampling.ts';

const digest = (pairs: LabelledText[]): string => createHash('sha256').update(JSON.stringify(pairs)).digest('hex').slice(0, 16);

describe('benchmark sampling protocol (shared/bench/nlu/README.md)', () => {
  it('computes 32-bit FNV-1a over UTF-8', () => {
    expect(fnv1a32('a')).toBe(0xe40c292c);
    expect(fnv1a32('foobar')).toBe(0xbf9cf968);
    expect(fnv1a32('')).toBe(0x811c9dc5);
  });

  it('reproduces the CLINC150 check values', () => {
    const { train } = loadClinc150();
    const expected: Array<[number, string, string]> = [
      [5, '0', 'b456fbc79e6f57b6'], [5, '1', 'c4c56a2d7bce6533'], [5, '2', '859684b9d6e53573'],
      [10, '0', '6c3a7a529a149557'], [10, '1', 'fe15302f31efbee0'], [10, '2', '69f4e7ebbcfd5b23'],
    ];
    for (const [count, seed, hash] of expected) expect(digest(sampleK(train, count, seed)), `K=${count} seed ${seed}`).toBe(hash);
    const full = sampleK(train, Number.POSITIVE_INFINITY);
    expect(full).toHaveLength(15000);
    expect(digest(full)).toBe('d2b4affc789fc044');
    expect(sampleK(train, 5)[0]).toEqual(['do you know if whether or not zeus does reservations', 'accept_reservations']);
  });

  it('reproduces the SNIPS check values', () => {
    const train = loadSnips().train.map((utterance): LabelledText => [utterance.text, utterance.intent]);
    const expected: Array<[number, string, string]> = [
      [5, '0', 'c8af4cd143b0c4bc'], [5, '1', '3c19f4567736bc3d'], [5, '2', 'cd31394bd9c3987c'],
      [10, '0', '0bde756a55fcada1'], [10, '1', 'd8ed444e55a56fe9'], [10, '2', '1cd24cbae27b7762'],
    ];
    for (const [count, seed, hash] of expected) expect(digest(sampleK(train, count, seed)), `K=${count} seed ${seed}`).toBe(hash);
    const full = sampleK(train, Number.POSITIVE_INFINITY);
    expect(full).toHaveLength(2088);
    expect(digest(full)).toBe('ad472ab9095b60a2');
  });
});
