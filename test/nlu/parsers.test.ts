import { describe, expect, it } from 'vitest';
import { findBasicPhones } from '../../widget/nlu/parsers/basic-phone.ts';
import { findBasicTemporal } from '../../widget/nlu/parsers/basic-temporal.ts';
import { findBoolean } from '../../widget/nlu/parsers/boolean.ts';
import { findEmails } from '../../widget/nlu/parsers/email.ts';
import { editDistance, findEnumValues } from '../../widget/nlu/parsers/enum.ts';
import { loadFullParsers } from '../../widget/nlu/full-parsers.ts';
import { findBareName, findNames, titleCase } from '../../widget/nlu/parsers/name.ts';
import { findNumbers } from '../../widget/nlu/parsers/number.ts';
import type { TemporalReference } from '../../widget/nlu/types.ts';
import { formatDateTime, instantOf, offsetMinutesAt, wallClockAt } from '../../widget/nlu/zone.ts';

const full = await loadFullParsers();
const findChronoTemporal = (text: string, at: TemporalReference) => full.findTemporal(text, at);
const findLibphonenumberPhones = (text: string, region: string) => full.findPhones(text, region);

/** Monday 23 November 2026, 10:00 in New York. */
const reference: TemporalReference = {
  now: Date.parse('2026-11-23T15:00:00Z'),
  timeZone: 'America/New_York',
  language: 'en-US',
};

const values = (text: string): number[] => findNumbers(text).map((mention) => mention.value);

describe('findNumbers', () => {
  it('reads digits and words', () => {
    expect(values('4')).toEqual([4]);
    expect(values('four')).toEqual([4]);
    expect(values('party of 10')).toEqual([10]);
    expect(values("we're six")).toEqual([6]);
    expect(values('twenty-one guests')).toEqual([21]);
    expect(values('one hundred and five')).toEqual([105]);
    expect(values('1,000 and 2.5')).toEqual([1000, 2.5]);
  });

  it('reads counting idioms', () => {
    expect(values('a dozen')).toEqual([12]);
    expect(values('half a dozen of us')).toEqual([6]);
    expect(values('a couple of friends')).toEqual([2]);
    expect(values('just me')).toEqual([1]);
  });

  it('joins a range into its upper bound', () => {
    const [range] = findNumbers('4 or 5 of us');
    expect(range).toEqual({ value: 5, start: 0, end: 6, range: true });
    expect(values('six to eight people')).toEqual([8]);
    expect(values('4-5')).toEqual([5]);
  });

  it('skips ordinals and words that only contain number words', () => {
    expect(values('the 3rd')).toEqual([]);
    expect(values('someone often gone')).toEqual([]);
  });
});

describe('findBasicTemporal', () => {
  const first = (text: string) => findBasicTemporal(text, reference)[0];

  it('reads relative days in the reference zone', () => {
    expect(first('tomorrow')?.date).toEqual({ year: 2026, month: 11, day: 24 });
    expect(first('the day after tomorrow')?.date).toEqual({ year: 2026, month: 11, day: 25 });
    // 03:00 UTC on the 24th is still the 23rd in New York.
    const lateEvening = findBasicTemporal('today', { ...reference, now: Date.parse('2026-11-24T03:00:00Z') })[0];
    expect(lateEvening?.date).toEqual({ year: 2026, month: 11, day: 23 });
  });

  it('reads weekdays the way chrono-node does', () => {
    expect(first('Friday')?.date?.day).toBe(27);
    expect(first('next Friday')?.date?.day).toBe(4);
    expect(first('on monday')?.date?.day).toBe(30);
    expect(findBasicTemporal('we sat down', reference)).toEqual([]);
  });

  it('reads month-day dates, rolling into next year when past', () => {
    expect(first('the 3rd of December')?.date).toEqual({ year: 2026, month: 12, day: 3 });
    expect(first('December 3rd')?.date).toEqual({ year: 2026, month: 12, day: 3 });
    expect(first('3 Jan')?.date).toEqual({ year: 2027, month: 1, day: 3 });
    expect(first('2027-02-14')?.date).toEqual({ year: 2027, month: 2, day: 14 });
  });

  it('reads times and joins them to a date', () => {
    expect(first('at 19:30')?.time).toEqual({ hour: 19, minute: 30 });
    expect(first('7pm')?.time).toEqual({ hour: 19, minute: 0 });
    expect(first('7:15 a.m.')?.time).toEqual({ hour: 7, minute: 15 });
    expect(first('12am')?.time).toEqual({ hour: 0, minute: 0 });
    expect(first('noon')?.time).toEqual({ hour: 12, minute: 0 });
    const joined = findBasicTemporal('tomorrow at 7pm', reference);
    expect(joined).toHaveLength(1);
    expect(joined[0]).toMatchObject({ start: 0, end: 15, date: { day: 24 }, time: { hour: 19 } });
  });

  it('moves a bare time that has passed to tomorrow', () => {
    expect(first('at 9am')?.impliedDate.day).toBe(24);
    expect(first('at 11am')?.impliedDate.day).toBe(23);
  });
});

describe('findChronoTemporal', () => {
  it('reads what chrono reads, in the reference zone', () => {
    const [mention] = findChronoTemporal('tomorrow at 7pm', reference);
    expect(mention).toMatchObject({ date: { year: 2026, month: 11, day: 24 }, time: { hour: 19, minute: 0 } });
    expect(findChronoTemporal('in 2 hours', reference)[0]?.time).toEqual({ hour: 12, minute: 0 });
  });

  it('does not read a party size as an hour', () => {
    const mentions = findChronoTemporal('party of 10 next Friday at 19:30', reference);
    expect(mentions).toHaveLength(1);
    expect(mentions[0]).toMatchObject({ start: 12, date: { month: 12, day: 4 }, time: { hour: 19, minute: 30 } });
  });

  it('leaves the date out when only a time was said', () => {
    const [mention] = findChronoTemporal('at 8', reference);
    expect(mention?.date).toBeUndefined();
    expect(mention?.time).toEqual({ hour: 8, minute: 0 });
  });

  it('reads day-first dates outside the US', () => {
    expect(findChronoTemporal('on 3/12', { ...reference, language: 'en-GB' })[0]?.date).toEqual({ year: 2026, month: 12, day: 3 });
    expect(findChronoTemporal('on 3/12', reference)[0]?.date).toEqual({ year: 2027, month: 3, day: 12 });
  });
});

describe('zone arithmetic', () => {
  it('knows offsets on both sides of a DST change', () => {
    expect(offsetMinutesAt(Date.parse('2026-07-01T12:00:00Z'), 'America/New_York')).toBe(-240);
    expect(offsetMinutesAt(Date.parse('2026-12-01T12:00:00Z'), 'America/New_York')).toBe(-300);
    expect(offsetMinutesAt(Date.parse('2026-12-01T12:00:00Z'), 'Asia/Kolkata')).toBe(330);
  });

  it('formats a datetime with the offset of that day, not of now', () => {
    expect(formatDateTime({ year: 2027, month: 7, day: 1 }, { hour: 19, minute: 0 }, 'America/New_York')).toBe('2027-07-01T19:00:00-04:00');
    expect(formatDateTime({ year: 2026, month: 11, day: 24 }, { hour: 19, minute: 0 }, 'Asia/Kolkata')).toBe('2026-11-24T19:00:00+05:30');
  });

  it('round-trips wall clock and instant', () => {
    const instant = instantOf({ year: 2026, month: 3, day: 29 }, { hour: 12, minute: 30 }, 'Europe/London');
    expect(new Date(instant).toISOString()).toBe('2026-03-29T11:30:00.000Z');
    expect(wallClockAt(instant, 'Europe/London')).toMatchObject({ day: 29, hour: 12, minute: 30 });
  });

  it('moves a time inside a spring-forward gap past the gap', () => {
    const instant = instantOf({ year: 2026, month: 3, day: 29 }, { hour: 1, minute: 30 }, 'Europe/London');
    expect(wallClockAt(instant, 'Europe/London')).toMatchObject({ hour: 2, minute: 30 });
  });
});

describe('phones', () => {
  it('normalises international numbers to E.164', () => {
    expect(findLibphonenumberPhones('+44 20 7946 0958', 'US')[0]?.value).toBe('+442079460958');
    expect(findBasicPhones('+44 20 7946 0958', 'US')[0]?.value).toBe('+442079460958');
  });

  it('reads national numbers in the default region', () => {
    expect(findLibphonenumberPhones('call 020 7946 0958', 'GB')[0]?.value).toBe('+442079460958');
    expect(findLibphonenumberPhones('my cell is (415) 555-2671', 'US')[0]).toMatchObject({ value: '+14155552671', start: 11, end: 25 });
    expect(findBasicPhones('(415) 555-2671', 'US')[0]?.value).toBe('+14155552671');
    expect(findBasicPhones('(415) 555-2671', 'GB')).toEqual([]);
  });

  it('keeps a local number without area code rather than losing it', () => {
    expect(findLibphonenumberPhones('phone 555-1234', 'US')[0]?.value).toBe('555-1234');
    expect(findLibphonenumberPhones('phone 555-1234', 'GB')[0]?.value).toBe('555-1234');
    expect(findBasicPhones('phone 555-1234', 'GB')[0]?.value).toBe('555-1234');
  });

  it('does not read plain amounts as phones', () => {
    expect(findLibphonenumberPhones('for 4 people', 'US')).toEqual([]);
    expect(findLibphonenumberPhones('order 12345678', 'US')).toEqual([]);
  });
});

describe('findEmails', () => {
  it('keeps plus-addressing and the local part, lower-cases the domain', () => {
    expect(findEmails('mail Jane.Doe+tables@Example.CO.UK please').map((mention) => mention.value)).toEqual(['Jane.Doe+tables@example.co.uk']);
  });

  it('rejects what is not an address', () => {
    expect(findEmails('@home or a@b or x@y.z')).toEqual([]);
    expect(findEmails('.bad@example.com')).toEqual([]);
  });
});

describe('names', () => {
  const name = (text: string) => findNames(text)[0]?.value;

  it('reads names after cues', () => {
    expect(name('my name is John Doe')).toBe('John Doe');
    expect(name("I'm Ana")).toBe('Ana');
    expect(name('this is Dr. Lee')).toBe('Dr. Lee');
    expect(name('call me maria garcia')).toBe('Maria Garcia');
    expect(name('name: John Doe, phone 555-1234')).toBe('John Doe');
  });

  it('reads names that are also words', () => {
    expect(name("I'm Will")).toBe('Will');
    expect(name('my name is April May')).toBe('April May');
  });

  it('does not take what follows "I am" for a name', () => {
    expect(findNames("I'm looking for a table")).toEqual([]);
    expect(findNames('I am hungry')).toEqual([]);
    expect(findNames('this is Friday')).toEqual([]);
    expect(findNames('hi I am coming with 3 friends')).toEqual([]);
  });

  it('accepts a bare name as a whole reply', () => {
    expect(findBareName('john doe')?.value).toBe('John Doe');
    expect(findBareName('tomorrow please')).toBeUndefined();
    expect(findBareName('I want a table for four')).toBeUndefined();
  });

  it('title-cases only names written in one case', () => {
    expect(titleCase("o'BRIEN")).toBe("o'BRIEN");
    expect(titleCase('JOHN MCDONALD')).toBe('John Mcdonald');
    expect(titleCase('John McDonald')).toBe('John McDonald');
  });
});

describe('findEnumValues', () => {
  const seating = ['inside', { value: 'terrace', synonyms: ['outside', 'patio', 'out on the deck'] }, 'bar'];

  it('finds values and synonyms', () => {
    expect(findEnumValues('inside please', seating)[0]?.value).toBe('inside');
    expect(findEnumValues('on the Patio', seating)[0]?.value).toBe('terrace');
    expect(findEnumValues('we would like to sit out on the deck', seating)[0]?.value).toBe('terrace');
  });

  it('forgives small typos but not in short words', () => {
    expect(findEnumValues('the terace', seating)[0]).toMatchObject({ value: 'terrace', distance: 1 });
    expect(findEnumValues('insdie', seating)[0]?.value).toBe('inside');
    expect(findEnumValues('a car', seating)).toEqual([]);
  });

  it('measures transpositions as one edit', () => {
    expect(editDistance('insdie', 'inside', 2)).toBe(1);
    expect(editDistance('kitten', 'sitting', 5)).toBe(3);
    expect(editDistance('abcdef', 'uvwxyz', 1)).toBe(2);
  });
});

describe('findBoolean', () => {
  const answer = (text: string) => findBoolean(text)?.value;

  it('reads the common forms', () => {
    for (const text of ['yes', 'Yeah!', 'yep', 'sure thing', 'ok', 'of course', 'sounds good', 'no problem', 'fine']) expect(answer(text), text).toBe(true);
    for (const text of ['no', 'Nope', 'nah', 'not really', 'no thanks', "don't"]) expect(answer(text), text).toBe(false);
  });

  it('lets the earliest answer win and ignores weak words in long messages', () => {
    expect(answer('no, yes')).toBe(false);
    expect(answer('we want the table on the right side of the room')).toBeUndefined();
    expect(answer('maybe')).toBeUndefined();
  });
});

describe('findChronoTemporal with number words', () => {
  it('reads number words as digits and maps offsets back to the input', () => {
    const text = 'eat by five pm, twenty people';
    const [mention] = findChronoTemporal(text, reference);
    expect(mention?.time).toEqual({ hour: 17, minute: 0 });
    expect(text.slice(mention?.start, mention?.end)).toBe('five pm');
    expect(text.slice(findBasicTemporal(text, reference)[0]?.start, findBasicTemporal(text, reference)[0]?.end)).toBe('five pm');
  });
});
