/**
 * The forms real visitors write (issue #9), one test per form, with the
 * clock and the zone injected: Friday 2026-11-27 14:00 in London unless a
 * test says otherwise. Every phrasing here is ours, not the corpus's.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { basicParsers, extractSlots, loadFullParsers, type ExtractOptions, type SlotParsers } from '../../widget/nlu/index.ts';

const now = Date.parse('2026-11-27T14:00:00Z');
const base: ExtractOptions = { now, timeZone: 'Europe/London', language: 'en-GB' };
const booking = {
  partySize: { type: 'integer', min: 1, max: 50 },
  date: 'date',
  time: { type: 'time', hours: { from: '12:00', to: '22:00' } },
  name: 'name',
  phone: { type: 'phone', region: 'GB' },
} as const;

let full: SlotParsers;
beforeAll(async () => {
  full = await loadFullParsers({ languages: ['en', 'fr'], regions: ['GB', 'FR'] });
});

/** Both parser sets must read every form here; the full set never reads less than the basic one. */
function both(text: string, options: Partial<ExtractOptions> = {}) {
  const basic = extractSlots(text, booking, { ...base, ...options, parsers: basicParsers });
  const fuller = extractSlots(text, booking, { ...base, ...options, parsers: full });
  expect(fuller, `full parsers on ${JSON.stringify(text)}`).toEqual(basic);
  return basic;
}

describe('dates', () => {
  it.each([
    ['on the 8th', '2026-12-08'],
    ['the 30th please', '2026-11-30'],
    ['the 27th', '2026-11-27'],
    ['the twelfth', '2026-12-12'],
    ['for the twenty-first', '2026-12-21'],
    ['the 11th of this month', '2026-11-11'],
    ['the 4th of next month', '2026-12-04'],
    ['on the third of December', '2026-12-03'],
    ['Wednesday next week', '2026-12-02'],
    ['next Friday', '2026-12-04'],
    ['this Saturday', '2026-11-28'],
    ['tonight', '2026-11-27'],
    ['this evening', '2026-11-27'],
    ['tomorrow night', '2026-11-28'],
    ['the day after tomorrow', '2026-11-29'],
    ['Friday the 4th', '2026-12-04'],
    ['2 January', '2027-01-02'],
  ])('%s → %s', (text, date) => {
    expect(both(text).date).toBe(date);
  });

  it('reads a day of the month that is past as next month, and skips days a month lacks', () => {
    expect(both('the 31st').date).toBe('2026-12-31');
    expect(extractSlots('the 31st', booking, { ...base, now: Date.parse('2026-11-05T10:00:00Z') }).date).toBe('2026-12-31');
    expect(extractSlots('the 30th', booking, { ...base, now: Date.parse('2027-02-05T10:00:00Z') }).date).toBe('2027-03-30');
  });

  it('reads the day in the flow zone, not UTC', () => {
    // 23:30 on the 27th in New York is already the 28th in UTC.
    const late = { now: Date.parse('2026-11-28T04:30:00Z'), timeZone: 'America/New_York', language: 'en-US' };
    expect(extractSlots('today', booking, late).date).toBe('2026-11-27');
    expect(extractSlots('the 27th', booking, late).date).toBe('2026-11-27');
  });

  it('never reads "this month" or "next month" alone as a day', () => {
    expect(both('sometime this month').date).toBeUndefined();
    expect(both('next month maybe').date).toBeUndefined();
  });

  it('lets a later correction win', () => {
    expect(both('today… no, tomorrow').date).toBe('2026-11-28');
    expect(both('today at 7, actually no, the 2nd').date).toBe('2026-12-02');
  });

  it('does not read a sign-off or an ordinal that is not a day', () => {
    expect(both("thanks, that's all for today").date).toBeUndefined();
    expect(both('the first one looks good').date).toBeUndefined();
    expect(both('a table on the 3rd floor').date).toBeUndefined();
  });
});

describe('times', () => {
  it.each([
    ['half past 6', '18:30'],
    ['a quarter to 2', '13:45'],
    ['quarter past 7 in the evening', '19:15'],
    ['20 past 8', '20:20'],
    ['7 in the evening', '19:00'],
    ['8 at night', '20:00'],
    ['5:45 in the evening', '17:45'],
    ['evening 6:30', '18:30'],
    ['afternoon 2', '14:00'],
    ["7 o'clock", '19:00'],
    ['seven pm', '19:00'],
    ['at seven thirty', '19:30'],
    ['noon', '12:00'],
    ['midnight', '00:00'],
    ['19h', '19:00'],
    ['19h30', '19:30'],
    ['at 8', '20:00'],
    ['tonight at 8', '20:00'],
    ['dinner at 7:30', '19:30'],
    ['19:30', '19:30'],
    ['3am', '03:00'],
  ])('%s → %s', (text, time) => {
    expect(both(text).time).toBe(time);
  });

  it('reads a bare hour with the expected hours, or as written when none fit or none are given', () => {
    expect(both('at 11').time).toBe('11:00');
    expect(both('12:30').time).toBe('12:30');
    expect(extractSlots('at 8', { time: 'time' }, base).time).toBe('08:00');
    const lateBar = { time: { type: 'time', hours: { from: '18:00', to: '02:00' } } } as const;
    expect(extractSlots('at 1', lateBar, base).time).toBe('01:00');
    expect(extractSlots('at 9', lateBar, base).time).toBe('21:00');
  });

  it('reads a number alone as a time when the question asked for the time', () => {
    expect(extractSlots('8', booking, { ...base, asking: 'time' })).toEqual({ time: '20:00' });
    expect(extractSlots('8', booking, { ...base, asking: 'partySize' })).toEqual({ partySize: 8 });
  });
});

describe('"now" is never a date or a time', () => {
  it.each(["that's all for now", 'can you book it now', 'right now please', 'now, for 2 people'])('%s', (text) => {
    const found = both(text);
    expect(found.date).toBeUndefined();
    expect(found.time).toBeUndefined();
  });
});

describe('party size in context', () => {
  it.each([
    ['just the two of us', 2],
    ['a couple', 2],
    ['me and my wife', 2],
    ['my husband and I', 2],
    ['for one', 1],
    ['party of six', 6],
    ['a table for 3 at half past 10', 3],
    ['4 people at Sushi 29', 4],
  ])('%s → %d', (text, size) => {
    expect(both(text).partySize).toBe(size);
  });

  it.each([
    'half past 10',
    'find one in San Jose',
    'is Sushi 29 any good?',
    'it costs $40 a head',
    'we are at 221 Baker Street',
    "it's 15 minutes away",
    'room 12',
  ])('%s has no party size', (text) => {
    expect(both(text).partySize).toBeUndefined();
  });

  it('takes a bare number only when the question asked for the party size', () => {
    expect(extractSlots('6', booking, { ...base, asking: 'partySize' }).partySize).toBe(6);
    expect(extractSlots('6', booking, { ...base, asking: 'name' }).partySize).toBeUndefined();
    expect(extractSlots('2 at 8', booking, { ...base, asking: 'partySize' })).toEqual({ partySize: 2, time: '20:00' });
  });
});

describe('phone numbers for the flow region', () => {
  it('gives a national number the region country code', () => {
    expect(both('07700 900123').phone).toBe('+447700900123');
    expect(both('call me on 020 7946 0958').phone).toBe('+442079460958');
    expect(both('+33 6 12 34 56 78').phone).toBe('+33612345678');
  });

  it('keeps a local number it cannot place as written', () => {
    expect(both('My name is John Doe, phone 555-1234')).toMatchObject({ name: 'John Doe', phone: '555-1234' });
  });

  it('never takes a card number, a date or an order number for a phone', () => {
    expect(both('my card is 4111 1111 1111 1111').phone).toBeUndefined();
    expect(both('born 12/03/1990').phone).toBeUndefined();
    expect(both('order number 12345678').phone).toBeUndefined();
    expect(both('ref AB-1234567').phone).toBeUndefined();
  });

  it('accepts only numbers of a possible length with the full parsers', () => {
    expect(extractSlots('07700 9001', booking, { ...base, parsers: full }).phone).toBeUndefined();
    expect(extractSlots('+44 7700 9001', booking, { ...base, parsers: full }).phone).toBeUndefined();
  });
});

describe('names beside phones and e-mails', () => {
  it.each([
    ['Sam Smith 07700 900123', 'Sam Smith'],
    ['Ana Lee, 07700 900123', 'Ana Lee'],
    ["it's under Patel", 'Patel'],
    ["the booking is for Mr O'Neill-Brown", "Mr O'Neill-Brown"],
  ])('%s → %s', (text, name) => {
    expect(both(text).name).toBe(name);
  });

  it('reads the name before an e-mail', () => {
    expect(extractSlots('Jo Bloggs, jo@example.com', { name: 'name', email: 'email' }, base)).toEqual({ name: 'Jo Bloggs', email: 'jo@example.com' });
  });

  it('takes no word from the rest of the sentence', () => {
    expect(both('a table for two').name).toBeUndefined();
    expect(both('the reservation for March 3rd').name).toBeUndefined();
  });
});

describe('phrasings in the style of the dialogues, written for these tests', () => {
  const friday = { ...base, now: Date.parse('2019-03-01T12:00:00Z'), language: 'en-US' };
  it.each([
    ['on the 3rd of next month at 6 in the evening', { date: '2019-04-03', time: '18:00' }],
    ['Monday next week at quarter to 8 pm', { date: '2019-03-04', time: '19:45' }],
    ['for 3 people at afternoon 1', { partySize: 3, time: '13:00' }],
    ['one person at half past eleven in the morning', { partySize: 1, time: '11:30' }],
    ['Book a table for two at 7:30 pm on Saturday this week', { partySize: 2, date: '2019-03-02', time: '19:30' }],
    ['Thursday next week in the evening around 7', { date: '2019-03-07', time: '19:00' }],
    ['I want to make a reservation for this evening 7.', { date: '2019-03-01', time: '19:00' }],
    ['It will be 2 of us.', { partySize: 2 }],
  ])('%s', (text, expected) => {
    expect(extractSlots(text, booking, { ...friday, parsers: basicParsers })).toEqual(expected);
    expect(extractSlots(text, booking, { ...friday, parsers: full })).toEqual(expected);
  });
});

describe('the full parsers fall back to the basic ones', () => {
  it('keeps what the basic set reads where chrono reads nothing', () => {
    const text = 'for one person at 18:00 of March 9th';
    expect(extractSlots(text, booking, { ...base, parsers: full })).toMatchObject({ partySize: 1, time: '18:00', date: '2027-03-09' });
  });

  it('adds forms only chrono knows', () => {
    expect(extractSlots('Dec 3rd 2026 5pm', booking, { ...base, parsers: full })).toMatchObject({ date: '2026-12-03', time: '17:00' });
  });
});

describe('French', () => {
  const french: Partial<ExtractOptions> = { language: 'fr-FR' };
  it.each([
    ['demain à 19h', { date: '2026-11-28', time: '19:00' }],
    ['samedi soir à 20h30', { date: '2026-11-28', time: '20:30' }],
    ['vendredi prochain', { date: '2026-12-04' }],
    ['pour quatre personnes', { partySize: 4 }],
    ['4 personnes', { partySize: 4 }],
    ['le 12 à 19 heures', { date: '2026-12-12', time: '19:00' }],
    ['le 3 décembre à midi', { date: '2026-12-03', time: '12:00' }],
    ['ce soir à 8h', { date: '2026-11-27', time: '20:00' }],
    ['8 heures et demie du soir', { time: '20:30' }],
    ["aujourd'hui à 21h15", { date: '2026-11-27', time: '21:15' }],
    ['moi et ma femme', { partySize: 2 }],
    ['nous sommes six', { partySize: 6 }],
    ['Bonjour, une table pour 4 personnes samedi soir à 20h30', { partySize: 4, date: '2026-11-28', time: '20:30' }],
    ['pour deux, demain midi', { partySize: 2, date: '2026-11-28', time: '12:00' }],
    ['mardi de la semaine prochaine à 21 heures 15', { date: '2026-12-01', time: '21:15' }],
    ['ce soir à 8h moins le quart', { date: '2026-11-27', time: '19:45' }],
  ])('%s', (text, expected) => {
    expect(both(text, french)).toEqual(expected);
  });

  it('does not take the article "une" for a head count', () => {
    expect(both('une table en terrasse', french).partySize).toBeUndefined();
  });
});
