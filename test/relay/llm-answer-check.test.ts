import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { loadFlowOrThrow, type Flow } from '../../flows/index.ts';
import { classificationSchema, compileAnswerCheck } from '../../relay/classify/llm-schema.ts';
import { checkAgainstSchema } from '../../relay/tools/schema-validator.ts';

/** A flow with one slot of every kind the schema treats differently. */
function slotFlow(): Flow {
  return {
    meta: { name: 'Slots', id: 'slots', version: '1' },
    start: 'Ask',
    slots: {
      partySize: { type: 'integer', min: 1, max: 12 },
      budget: { type: 'number', min: 0.5 },
      vegan: 'boolean',
      mood: { type: 'enum', values: ['happy', { value: 'late', synonyms: ['delayed'] }] },
      nickname: { type: 'string', max: 3 },
      date: 'date',
    },
    intents: {
      BOOK: { examples: ['book a table'], slots: { partySize: 'integer', budget: 'number', vegan: 'boolean' } },
      FEEL: { examples: ['I feel happy'], slots: { mood: 'enum', nickname: 'string', date: 'date' } },
    },
    states: {
      Ask: { onEnter: [{ ask: 'Hello?' }], transitions: [{ onIntent: ['BOOK', 'FEEL'], to: 'Done' }] },
      Done: { onEnter: [{ say: 'Bye.' }], final: true },
    },
  };
}

const flow = loadFlowOrThrow(slotFlow());
const allowed = ['BOOK', 'FEEL'];
const slotNames = ['budget', 'date', 'mood', 'nickname', 'partySize', 'vegan'];
const check = compileAnswerCheck(flow, allowed, slotNames);
const schema = classificationSchema(flow, allowed, slotNames, true);

const anyValue = fc.oneof(
  fc.constant(null),
  fc.integer({ min: -3, max: 15 }),
  fc.double({ min: -2, max: 20, noNaN: true, noDefaultInfinity: true }),
  fc.boolean(),
  fc.constantFrom('happy', 'late', 'delayed', 'abc', 'abcd', '😀😀😀', '😀😀😀😀', '2026-11-24', ''),
  fc.string({ maxLength: 6 }),
  fc.array(fc.integer(), { maxLength: 2 }),
  fc.dictionary(fc.string({ maxLength: 3 }), fc.integer(), { maxKeys: 1 }),
);
// Per slot, mostly valid values, often at their bounds, and now and then one
// just past them, so many answers are valid and many fail on a single slot.
const perSlot = (valid: fc.Arbitrary<unknown>, nearby: fc.Arbitrary<unknown>) =>
  fc.oneof({ weight: 10, arbitrary: valid }, { weight: 1, arbitrary: nearby }, { weight: 1, arbitrary: anyValue });
const nearValid: Record<string, fc.Arbitrary<unknown>> = {
  partySize: perSlot(fc.oneof(fc.integer({ min: 1, max: 12 }), fc.constantFrom(1, 12, 4.0, null)), fc.constantFrom(0, 13, 4.5, 12.000001)),
  budget: perSlot(fc.oneof(fc.double({ min: 0.5, max: 3, noNaN: true }), fc.constantFrom(0.5, 7, null)), fc.constantFrom(0.49999, 0, -1)),
  vegan: perSlot(fc.constantFrom(true, false, null), fc.constantFrom('true', 0)),
  mood: perSlot(fc.constantFrom('happy', 'late', null), fc.constantFrom('delayed', 'Happy', '')),
  nickname: perSlot(
    fc.oneof(fc.string({ maxLength: 3 }), fc.constantFrom('😀😀😀', 'a😀b', '\ud800ab', null)),
    fc.oneof(fc.string({ minLength: 4, maxLength: 5 }), fc.constantFrom('😀😀😀😀', 'a😀bc', '\ud800abc')),
  ),
  date: perSlot(fc.oneof(fc.string({ maxLength: 12 }), fc.constantFrom('2026-11-24', 'x'.repeat(500), null)), fc.constant('x'.repeat(501))),
};
const slotRecord = fc.record(Object.fromEntries(slotNames.map((name) => [name, nearValid[name] as fc.Arbitrary<unknown>])));
const slotsValue = fc.oneof(
  { weight: 8, arbitrary: slotRecord },
  { weight: 1, arbitrary: fc.record(Object.fromEntries(slotNames.map((name) => [name, anyValue])), { requiredKeys: [] }) },
  { weight: 1, arbitrary: fc.dictionary(fc.constantFrom(...slotNames, 'extra', '__proto__'), anyValue) },
  { weight: 1, arbitrary: anyValue },
);
const answer = fc.oneof(
  { weight: 8, arbitrary: fc.record({ intent: fc.constantFrom('BOOK', 'FEEL', 'none'), confidence: fc.double({ noNaN: true, noDefaultInfinity: true }), slots: slotsValue }) },
  { weight: 2, arbitrary: fc.record({ intent: fc.constantFrom('BOOK', 'FEEL', 'none', 'ADMIN', 'book'), confidence: anyValue, slots: slotsValue }, { requiredKeys: ['intent'] }) },
  { weight: 1, arbitrary: fc.record({ intent: fc.constantFrom('BOOK', 'none'), confidence: fc.double({ noNaN: true, noDefaultInfinity: true }), slots: slotsValue, extra: anyValue }) },
  { weight: 1, arbitrary: anyValue },
);

describe('the compiled LLM answer check', () => {
  it('gives the same verdict as the JSON Schema it stands for', () => {
    let valid = 0;
    fc.assert(
      fc.property(answer, (candidate) => {
        // What the LLM can send is JSON: round-trip, as the relay parses it.
        const parsed: unknown = JSON.parse(JSON.stringify(candidate));
        const verdict = check(parsed);
        if (typeof verdict !== 'string') valid++;
        expect(typeof verdict !== 'string', JSON.stringify(parsed)).toBe(checkAgainstSchema(schema, parsed).valid);
      }),
      { numRuns: 4000 },
    );
    // Enough of both verdicts for the comparison to mean something.
    expect(valid).toBeGreaterThan(400);
    expect(valid).toBeLessThan(3600);
  });

  it('keeps the filled slots, maps "none" to null and clamps the confidence', () => {
    const slots = { partySize: 4, budget: null, vegan: true, mood: 'late', nickname: null, date: '2026-11-24' };
    expect(check({ intent: 'BOOK', confidence: 1.7, slots })).toEqual({ intent: 'BOOK', confidence: 1, slots: { partySize: 4, vegan: true, mood: 'late', date: '2026-11-24' } });
    expect(check({ intent: 'none', confidence: -1, slots: { ...slots, partySize: null } })).toMatchObject({ intent: null, confidence: 0 });
  });

  it('names what is wrong', () => {
    const slots = { partySize: null, budget: null, vegan: null, mood: null, nickname: null, date: null };
    expect(check('text')).toBe('malformed');
    expect(check([])).toBe('malformed');
    expect(check({ intent: 'ADMIN', confidence: 1, slots })).toBe('outside_enum');
    expect(check({ intent: 'BOOK', confidence: 1, slots: { ...slots, partySize: 13 } })).toBe('invalid_slots');
    expect(check({ intent: 'BOOK', confidence: 1, slots: { ...slots, mood: 'delayed' } })).toBe('invalid_slots');
    expect(check({ intent: 'BOOK', confidence: 1, slots: { ...slots, nickname: '😀😀😀😀' } })).toBe('invalid_slots');
    expect(check({ intent: 'BOOK', confidence: 1, slots, note: 'x' })).toBe('invalid_slots');
    expect(check(JSON.parse('{"intent":"BOOK","confidence":1,"slots":{"__proto__":1,"partySize":null,"budget":null,"vegan":null,"mood":null,"nickname":null,"date":null}}'))).toBe('invalid_slots');
  });
});
