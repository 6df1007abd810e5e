import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DATA_DIRECTORY, loadClinc150, loadSnips } from '../bench/nlu/data.ts';
import { fnv1a32, sampleK, type LabelledText } from '../bench/nlu/sampling.ts';

const digest = (pairs: LabelledText[]): string => createHash('sha256').update(JSON.stringify(pairs)).digest('hex').slice(0, 16);

/** The reference implementation printed in shared/bench/nlu/README.md, as written there: the oracle for the in-repo fixture. */
const encoder = new TextEncoder();
function referenceFnv1a32(text: string): number {
  let hash = 0x811c9dc5;
  for (const byte of encoder.encode(text)) {
    hash ^= byte;
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash;
}
function referenceSampleK(pairs: LabelledText[], count: number, seed = '0'): LabelledText[] {
  const by = new Map<string, Map<string, number>>();
  for (const [untrimmed, intent] of pairs) {
    const text = untrimmed.trim();
    if (!by.has(intent)) by.set(intent, new Map());
    if (!by.get(intent)?.has(text)) by.get(intent)?.set(text, referenceFnv1a32(`${seed}:${text}`));
  }
  const out: LabelledText[] = [];
  for (const intent of [...by.keys()].sort())
    for (const [text] of [...(by.get(intent) ?? [])].sort((a, b) => a[1] - b[1] || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0)).slice(0, count)) out.push([text, intent]);
  return out;
}

const fixture = JSON.parse(readFileSync(new URL('../fixtures/sampling-pairs.json', import.meta.url), 'utf8')) as LabelledText[];

describe('benchmark sampling protocol (shared/bench/nlu/README.md)', () => {
  it('computes 32-bit FNV-1a over UTF-8', () => {
    expect(fnv1a32('a')).toBe(0xe40c292c);
    expect(fnv1a32('foobar')).toBe(0xbf9cf968);
    expect(fnv1a32('')).toBe(0x811c9dc5);
    for (const [text] of fixture) expect(fnv1a32(text), text).toBe(referenceFnv1a32(text));
  });

  it('samples the in-repo fixture as the reference implementation does (trimmed, deduplicated, ranked, intents in code-unit order)', () => {
    for (const count of [1, 3, 5, Number.POSITIVE_INFINITY])
      for (const seed of ['0', '1', '2']) expect(sampleK(fixture, count, seed), `K=${count} seed ${seed}`).toEqual(referenceSampleK(fixture, count, seed));
    const full = sampleK(fixture, Number.POSITIVE_INFINITY);
    expect(full).toHaveLength(26);
    expect([...new Set(full.map(([, intent]) => intent))]).toEqual(['AddToPlaylist', 'PlayMusic', 'book_restaurant', 'get_weather']);
    expect(full.filter(([text]) => text === 'play some jazz')).toHaveLength(1);
    expect(sampleK(fixture, 2, '0')).not.toEqual(sampleK(fixture, 2, '1'));
  });
});

// The check values of the full data sets, where the benchmark data sits beside the repository.
describe.skipIf(!existsSync(resolve(DATA_DIRECTORY, 'clinc150.json')))('benchmark sampling protocol on the shared data sets', () => {
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
