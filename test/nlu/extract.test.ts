import { beforeAll, describe, expect, it } from 'vitest';
import type { SlotSpec } from '../../flows/types.ts';
import { extractSlots, loadFullParsers, type ExtractOptions, type SlotParsers } from '../../widget/nlu/index.ts';

/** Monday 23 November 2026, 10:00 in New York. */
const now = Date.parse('2026-11-23T15:00:00Z');
const base: ExtractOptions = { now, timeZone: 'America/New_York', language: 'en-US' };
let full: SlotParsers;
beforeAll(async () => {
  full = await loadFullParsers();
});

const booking: { [slot: string]: SlotSpec } = {
  partySize: 'number',
  date: 'date',
  time: 'time',
  name: 'name',
  phone: 'phone',
};

describe('extractSlots: several slots from one message', () => {
  it('fills all of them with the full parsers', () => {
    expect(extractSlots('4 people tomorrow at 7pm, name John Doe, phone 555-1234', booking, { ...base, parsers: full })).toEqual({
      partySize: 4,
      date: '2026-11-24',
      time: '19:00',
      name: 'John Doe',
      phone: '555-1234',
    });
  });

  it('fills all of them with the basic parsers, the local number as written', () => {
    expect(extractSlots('4 people tomorrow at 7pm, name John Doe, phone 555-1234', booking, base)).toEqual({
      partySize: 4,
      date: '2026-11-24',
      time: '19:00',
      name: 'John Doe',
      phone: '555-1234',
    });
    expect(extractSlots('John Doe, (415) 555-2671', booking, base)).toEqual({ name: 'John Doe', phone: '+14155552671' });
  });

  it('accepts a Date as the clock and gives the same answer', () => {
    expect(extractSlots('tomorrow', { day: 'date' }, { ...base, now: new Date(now) })).toEqual({ day: '2026-11-24' });
  });

  it('uses the language region for phones', () => {
    const slots = { phone: 'phone' } as const;
    expect(extractSlots('020 7946 0958', slots, { ...base, language: 'en-GB', parsers: full })).toEqual({ phone: '+442079460958' });
    expect(extractSlots('+44 20 7946 0958', slots, { ...base, parsers: full })).toEqual({ phone: '+442079460958' });
  });

  it('returns slots in declaration order and nothing for an empty message', () => {
    expect(Object.keys(extractSlots('John Doe, 7pm, 2 people', booking, base))).toEqual(['partySize', 'time', 'name']);
    expect(extractSlots('', booking, base)).toEqual({});
  });
});

describe('extractSlots: numbers', () => {
  const party = { partySize: 'number' } as const;
  it.each([
    ['4', 4],
    ['four', 4],
    ['a dozen', 12],
    ['party of 10', 10],
    ["we're six", 6],
    ['4 or 5 of us', 5],
    ['table for two in 3 hours', 2],
    ['at 8pm for 3', 3],
    ['a table for 2 at 8 tonight', 2],
  ])('%s → %d', (text, expected) => {
    expect(extractSlots(text, party, { ...base, parsers: full })).toEqual({ partySize: expected });
  });

  it('prefers the number with a people cue', () => {
    expect(extractSlots('2 kids and 5 people in total', party, base)).toEqual({ partySize: 5 });
    expect(extractSlots('in 3 days, for 4', party, base)).toEqual({ partySize: 4 });
  });

  it('respects min and max', () => {
    expect(extractSlots('room 212 for 4', { partySize: { type: 'number', min: 1, max: 20 } }, base)).toEqual({ partySize: 4 });
    expect(extractSlots('room 212', { partySize: { type: 'integer', max: 20 } }, base)).toEqual({});
    expect(extractSlots('2.5', { count: 'integer' }, base)).toEqual({});
  });

  it('splits two number slots by cue words, then by order', () => {
    const slots = { adults: 'integer', children: 'integer' } as const;
    expect(extractSlots('3 children and 2 adults', slots, base)).toEqual({ adults: 2, children: 3 });
    expect(extractSlots('2 and 3', slots, base)).toEqual({ adults: 2, children: 3 });
  });
});

describe('extractSlots: dates and times', () => {
  it('skips a negated date', () => {
    expect(extractSlots('not tomorrow, Friday', { date: 'date' }, base)).toEqual({ date: '2026-11-27' });
    expect(extractSlots('not tomorrow, Friday', { date: 'date' }, { ...base, parsers: full })).toEqual({ date: '2026-11-27' });
  });

  it('reads the examples of the issue', () => {
    const slots = { date: 'date', time: 'time' } as const;
    for (const parsers of [undefined, full]) {
      const options = { ...base, parsers };
      expect(extractSlots('next Friday', slots, options)).toEqual({ date: '2026-12-04' });
      expect(extractSlots('at 19:30', slots, options)).toEqual({ time: '19:30' });
      expect(extractSlots('the 3rd of December', slots, options)).toEqual({ date: '2026-12-03' });
      expect(extractSlots('tomorrow at 7pm', slots, options)).toEqual({ date: '2026-11-24', time: '19:00' });
    }
  });

  it('writes datetimes with the zone offset of that date', () => {
    const slots = { when: 'datetime' } as const;
    expect(extractSlots('tomorrow at 7pm', slots, { ...base, parsers: full })).toEqual({ when: '2026-11-24T19:00:00-05:00' });
    expect(extractSlots('tomorrow at 7pm', slots, { ...base, timeZone: 'Asia/Kolkata' })).toEqual({ when: '2026-11-24T19:00:00+05:30' });
    expect(extractSlots('at 9am', slots, base)).toEqual({ when: '2026-11-24T09:00:00-05:00' });
    expect(extractSlots('tomorrow', slots, base)).toEqual({});
  });

  it('assigns two dates by the words of the slot names', () => {
    const slots = { checkOut: 'date', checkIn: 'date' } as const;
    expect(extractSlots('check in on Friday and check out on Sunday', slots, base)).toEqual({ checkOut: '2026-11-29', checkIn: '2026-11-27' });
  });

  it('does not read a name as a date', () => {
    expect(extractSlots('my name is April May', { name: 'name', date: 'date' }, { ...base, parsers: full })).toEqual({ name: 'April May' });
  });
});

describe('extractSlots: names, emails, enums, booleans, strings', () => {
  it('reads names', () => {
    const slots = { name: 'name' } as const;
    expect(extractSlots("I'm Will", slots, base)).toEqual({ name: 'Will' });
    expect(extractSlots("I'm Ana, 2 people", slots, base)).toEqual({ name: 'Ana' });
    expect(extractSlots('this is Dr. Lee', slots, base)).toEqual({ name: 'Dr. Lee' });
    expect(extractSlots('maria garcia', slots, base)).toEqual({ name: 'Maria Garcia' });
    expect(extractSlots('for 4 people', slots, base)).toEqual({});
  });

  it('splits first and last names', () => {
    expect(extractSlots('my name is dr. ana lee', { firstName: 'name', lastName: 'name' }, base)).toEqual({ firstName: 'Ana', lastName: 'Lee' });
  });

  it('reads emails with plus-addressing', () => {
    expect(extractSlots('it is Ana.Lee+booking@Mail.Example.com, thanks', { email: 'email' }, base)).toEqual({
      email: 'Ana.Lee+booking@mail.example.com',
    });
  });

  it('reads enum values with synonyms and typos, canonical out', () => {
    const slots: { [slot: string]: SlotSpec } = {
      seating: { type: 'enum', values: ['inside', { value: 'terrace', synonyms: ['outside', 'patio'] }] },
    };
    expect(extractSlots('outside if possible', slots, base)).toEqual({ seating: 'terrace' });
    expect(extractSlots('the terace', slots, base)).toEqual({ seating: 'terrace' });
    expect(extractSlots('not inside, on the patio', slots, base)).toEqual({ seating: 'terrace' });
    expect(extractSlots('somewhere quiet', slots, base)).toEqual({});
  });

  it('reads booleans', () => {
    expect(extractSlots('yes please', { confirm: 'boolean' }, base)).toEqual({ confirm: true });
    expect(extractSlots('nope', { confirm: 'boolean' }, base)).toEqual({ confirm: false });
    expect(extractSlots('what time?', { confirm: 'boolean' }, base)).toEqual({});
  });

  it('reads strings by pattern, by label, or as the whole reply', () => {
    expect(extractSlots('my code is AB-1234 ok', { code: { type: 'string', pattern: '[A-Z]{2}-\\d{4}' } }, base)).toEqual({ code: 'AB-1234' });
    expect(extractSlots('2 people, special request: window seat', { partySize: 'number', specialRequest: 'string' }, base)).toEqual({
      partySize: 2,
      specialRequest: 'window seat',
    });
    expect(extractSlots('  a quiet corner  ', { note: 'string' }, base)).toEqual({ note: 'a quiet corner' });
    expect(extractSlots('hi', { note: { type: 'string', min: 3 } }, base)).toEqual({});
  });

  it('finds an anchored pattern as one word of a sentence', () => {
    const orderId = { type: 'string' as const, pattern: '^[A-Za-z]{2}-?\\d{6}$' };
    expect(extractSlots('The order number is AB-123456.', { orderId }, base)).toEqual({ orderId: 'AB-123456' });
    expect(extractSlots('track order (cd-654321) for jo@example.com', { orderId }, base)).toEqual({ orderId: 'cd-654321' });
    expect(extractSlots('my order AB-1234567 is late', { orderId }, base)).toEqual({});
    expect(extractSlots('no idea', { orderId }, base)).toEqual({});
  });
});
