import type { SlotDefinition, SlotSpec } from '../../flows/types.ts';
import { findBasicPhones } from './parsers/basic-phone.ts';
import { findBasicTemporal } from './parsers/basic-temporal.ts';
import { findBoolean } from './parsers/boolean.ts';
import { findEmails } from './parsers/email.ts';
import { findEnumValues } from './parsers/enum.ts';
import { languageModule, type LanguageModule } from './parsers/languages/index.ts';
import { findBareName, findNames, findNamesBeside } from './parsers/name.ts';
import { stem } from './text.ts';
import type { ExpectedHours, ExtractOptions, ExtractedSlots, SlotParsers, SlotValue, TemporalReference } from './types.ts';
import { formatDate, formatDateTime, formatTime } from './zone.ts';

/**
 * The parsers that ship in the main bundle: rule-based dates and times in
 * English and French ("tomorrow at 7pm", "the 12th at half past 6",
 * "samedi soir à 20h30") and phone numbers written with "+" or in the
 * national form of a few regions (US, CA, GB, FR, IE, DE…).
 */
export const basicParsers: SlotParsers = { findTemporal: findBasicTemporal, findPhones: findBasicPhones };

interface Span {
  start: number;
  end: number;
}

interface Candidate extends Span {
  value: SlotValue;
}

interface NamedSlot {
  name: string;
  definition: SlotDefinition;
  /** Stemmed words of the slot's name ("partySize" → party, size), the hints for disambiguation. */
  hints: string[];
  index: number;
}

/**
 * Fills a flow's slots from one message. Extraction is driven by slot type,
 * never by slot name; names only break ties between slots of one type.
 *
 * How each type is found:
 * - email, phone, name, date, time and datetime spans are found first; a
 *   number inside them ("7" in "7pm", "555" in a phone) is not a quantity.
 * - number/integer: digits and number words of the message's language, "a
 *   dozen", head-count phrases ("just the two of us", "me and my wife"); a
 *   range ("4 or 5") gives its upper bound. A number that is a price, a
 *   duration, an address, part of a name ("Sushi 29") or the pronoun "one"
 *   is not a count. For count-like slots (party, people, guests…) a number
 *   with no people cue counts only when `asking` names that slot (or, with
 *   nothing asked, every slot is a number). Candidates outside `min`/`max`
 *   are skipped.
 * - date/time/datetime: the `parsers` (the rules of the message's language,
 *   plus chrono-node after `loadFullParsers()`), read in `timeZone` against
 *   `now`; a bare hour in the time slot's `hours`. A datetime needs a time
 *   of day; a bare time means its next occurrence. A mention preceded by a
 *   negation ("not tomorrow, Friday") is skipped, and of two mentions the
 *   later one (the correction) wins.
 * - phone: in the phone slot's `region` (else `options.region`, else the
 *   language's region); a local number that cannot be placed stays as written.
 * - name: after a cue ("my name is", "I'm", "this is", "call me", "it's
 *   under", "the booking is for Mr …"), right before a phone or an e-mail,
 *   or the whole reply when it is nothing but one to three name-like words.
 *   Slots whose name mentions first/given or last/family/surname get that part.
 * - enum: a value or synonym, exact or with a small typo; negated ones skipped.
 * - boolean: yes/no in their common forms.
 * - string: the first match of `pattern` when there is one (an anchored
 *   pattern matches the whole reply or one word of it); else the text
 *   after "<slot name> is"/"<slot name>:"; else the whole message when it is
 *   the only slot asked for.
 *
 * When several slots share a type, each candidate is scored against each
 * slot: +1 for every word of the slot's name found within three words of the
 * candidate, and for count-like slots (name contains party, size, people,
 * guests, …) +3 when a people word follows the number ("4 people", "6 of
 * us") and +2 when a cue precedes it ("party of", "table for", "we're").
 * The best pairs are taken first; ties go to the earlier candidate and the
 * slot declared first, so "2 adults … 3" with slots adults, children gives
 * adults = 2 and children = 3 even without cues.
 *
 * @example
 * ```ts
 * extractSlots('4 people tomorrow at 7pm, name John Doe', {
 *   partySize: 'number', date: 'date', time: 'time', name: 'name',
 * }, { now: Date.parse('2026-11-23T15:00:00Z'), timeZone: 'America/New_York' });
 * // → { partySize: 4, date: '2026-11-24', time: '19:00', name: 'John Doe' }
 * ```
 */
export function extractSlots(text: string, slots: { readonly [slot: string]: SlotSpec }, options: ExtractOptions): ExtractedSlots {
  const named: NamedSlot[] = Object.entries(slots).map(([name, spec], index) => ({
    name,
    definition: typeof spec === 'string' ? { type: spec } : spec,
    hints: splitName(name),
    index,
  }));
  const asked = named.find((slot) => slot.name === options.asking);
  const timeSlot = asked?.definition.type === 'time' || asked?.definition.type === 'datetime' ? asked : named.find((slot) => slot.definition.type === 'time' || slot.definition.type === 'datetime');
  const hours = expectedHours(timeSlot?.definition.hours);
  const reference: TemporalReference = {
    now: typeof options.now === 'number' ? options.now : options.now.getTime(),
    timeZone: options.timeZone ?? 'UTC',
    language: options.language ?? 'en-US',
    ...(hours !== undefined ? { hours } : {}),
    ...(asked?.definition.type === 'time' || asked?.definition.type === 'date' ? { expecting: asked.definition.type } : {}),
    ...(options.meter !== undefined ? { meter: options.meter } : {}),
  };
  const language = languageModule(reference.language);
  const parsers = options.parsers ?? basicParsers;
  const hasType = (...types: string[]): boolean => named.some((slot) => types.includes(slot.definition.type));

  // Claimed characters: a number inside a phone, a time or a name is not a quantity.
  const claimedCharacters = new Uint8Array(text.length);
  const free = (span: Span): boolean => {
    for (let index = span.start; index < span.end; index++) if (claimedCharacters[index] === 1) return false;
    return true;
  };
  const claim = (spans: readonly Span[]): void => {
    for (const span of spans) claimedCharacters.fill(1, span.start, span.end);
  };
  const emails = findEmails(text);
  claim(emails);
  const phoneSlot = named.find((slot) => slot.definition.type === 'phone');
  const region = phoneSlot?.definition.region ?? options.region ?? regionOf(reference.language);
  const phones = parsers.findPhones(text, region, options.meter).filter(free);
  claim(phones);
  const names = findNames(text).filter(free);
  claim(names);
  const temporal = parsers.findTemporal(text, reference).filter(free);
  claim(temporal);
  const numbers = hasType('number', 'integer') ? findQuantities(text, language, free) : [];

  const result: ExtractedSlots = {};
  const fill = (
    type: string,
    candidates: Candidate[],
    scoreOf: (slot: NamedSlot, candidate: Candidate) => number,
    laterWins = false,
  ): void => {
    const targets = named.filter((slot) => slot.definition.type === type);
    // No visitor writes more than a few values of one type: scoring is bounded to the first (or, when the
    // later one wins, the last) MAX_CANDIDATES, so a long text of numbers costs linear time, not more.
    const bounded = laterWins ? candidates.slice(-MAX_CANDIDATES) : candidates.slice(0, MAX_CANDIDATES);
    const usable = bounded.filter((candidate) => !isNegated(text, candidate.start));
    assign(targets, usable, scoreOf, result, laterWins);
  };
  const byHints = (slot: NamedSlot, candidate: Candidate): number => hintScore(text, slot, candidate);

  for (const type of ['number', 'integer'] as const) {
    if (!hasType(type)) continue;
    // With nothing asked, a message for number slots only ("2 and 3" for adults and children) is all numbers.
    const onlyNumbers = named.every((slot) => slot.definition.type === 'number' || slot.definition.type === 'integer');
    fill(type, numbers, (slot, found) => {
      const candidate = found as Quantity;
      const value = candidate.value;
      if (type === 'integer' && !Number.isInteger(value)) return Number.NEGATIVE_INFINITY;
      if (!withinBounds(slot.definition, value)) return Number.NEGATIVE_INFINITY;
      const counting = isCountSlot(slot);
      const cue = counting ? quantityScore(text, language, candidate) : 0;
      if (counting && cue === 0) {
        // A number with no people cue counts heads only when the question asked for them (or it is the only slot asked about),
        // and never when it is a word that is usually something else ("find one in San Jose").
        if (candidate.weak || candidate.headCount === false) return Number.NEGATIVE_INFINITY;
        const askedHere = options.asking === undefined ? onlyNumbers : options.asking === slot.name;
        if (!askedHere && candidate.headCount !== true) return Number.NEGATIVE_INFINITY;
      }
      return hintScore(text, slot, candidate) + cue + (options.asking === slot.name ? 0.5 : 0);
    });
  }
  // "today… no, tomorrow": with one date slot, the later mention is the correction and wins.
  if (hasType('date'))
    fill('date', temporal.flatMap((mention) => (mention.date ? [{ ...mention, value: formatDate(mention.date) }] : [])), byHints, true);
  if (hasType('time'))
    fill('time', temporal.flatMap((mention) => (mention.time ? [{ ...mention, value: formatTime(mention.time) }] : [])), byHints, true);
  if (hasType('datetime'))
    fill(
      'datetime',
      temporal.flatMap((mention) =>
        mention.time
          ? [{ ...mention, value: formatDateTime(mention.date ?? mention.impliedDate, mention.time, reference.timeZone) }]
          : [],
      ),
      byHints,
      true,
    );
  if (hasType('email')) fill('email', emails, byHints);
  if (hasType('phone')) fill('phone', phones, byHints);
  if (hasType('name')) {
    const found: Candidate[] = [...names];
    // "Sam Smith 07700 900123", "Ana Lee, ana@example.com": the words right before a phone or an e-mail.
    if (found.length === 0) found.push(...findNamesBeside(text, [...phones, ...emails]).filter(free));
    if (found.length === 0) {
      // With no cue, a comma-separated part that is nothing but a name
      // ("John Doe, 555 1234") is the answer to "what name?".
      for (const part of text.matchAll(/[^,;\n]+/g)) {
        const span = { start: part.index, end: part.index + part[0].length };
        const bare = findBareName(part[0]);
        if (bare === undefined || !free(span) || numbers.some((number) => number.start < span.end && number.end > span.start)) continue;
        found.push({ ...bare, start: span.start + bare.start, end: span.start + bare.end });
        break;
      }
    }
    fillNames(named.filter((slot) => slot.definition.type === 'name'), found, result);
  }
  for (const slot of named) {
    const { type } = slot.definition;
    if (type === 'enum') {
      const best = findEnumValues(text, slot.definition.values ?? []).find((mention) => !isNegated(text, mention.start));
      if (best !== undefined) result[slot.name] = best.value;
    }
  }
  if (hasType('boolean')) {
    const answer = findBoolean(text);
    if (answer !== undefined) fill('boolean', [{ ...answer, value: answer.value }], byHints);
  }
  for (const slot of named) {
    if (slot.definition.type !== 'string') continue;
    const value = findString(text, slot, named.length === 1);
    if (value !== undefined) result[slot.name] = value;
  }

  const ordered: ExtractedSlots = {};
  for (const slot of named) {
    const value = result[slot.name];
    if (value !== undefined) ordered[slot.name] = value;
  }
  return ordered;
}

function assign(
  slots: readonly NamedSlot[],
  candidates: readonly Candidate[],
  scoreOf: (slot: NamedSlot, candidate: Candidate) => number,
  result: ExtractedSlots,
  laterWins: boolean,
): void {
  const pairs: Array<{ slot: NamedSlot; candidate: Candidate; score: number; order: number }> = [];
  candidates.forEach((candidate, order) => {
    for (const slot of slots) {
      const score = scoreOf(slot, candidate);
      if (score > Number.NEGATIVE_INFINITY) pairs.push({ slot, candidate, score, order });
    }
  });
  pairs.sort(
    (left, right) =>
      right.score - left.score ||
      (laterWins ? right.candidate.start - left.candidate.start : left.candidate.start - right.candidate.start) ||
      left.order - right.order ||
      left.slot.index - right.slot.index,
  );
  const usedSlots = new Set<string>();
  const usedCandidates = new Set<Candidate>();
  for (const { slot, candidate } of pairs) {
    if (usedSlots.has(slot.name) || usedCandidates.has(candidate)) continue;
    usedSlots.add(slot.name);
    usedCandidates.add(candidate);
    result[slot.name] = candidate.value;
  }
}

function fillNames(slots: readonly NamedSlot[], names: readonly Candidate[], result: ExtractedSlots): void {
  const full = names[0];
  if (full === undefined) return;
  const words = String(full.value).split(/\s+/);
  const withoutTitle = /^(dr|mr|mrs|ms|miss|mx|prof|sir|madam|mme|mlle)\.?$/i.test(words[0] ?? '') ? words.slice(1) : words;
  const partSlots = slots.filter((slot) => partOfName(slot) !== undefined);
  for (const slot of slots) {
    const part = partOfName(slot);
    if (part === 'first') result[slot.name] = withoutTitle[0] ?? String(full.value);
    else if (part === 'last') {
      if (withoutTitle.length > 1 || partSlots.length === 1) result[slot.name] = withoutTitle.at(-1) ?? String(full.value);
    } else result[slot.name] = full.value;
  }
}

function partOfName(slot: NamedSlot): 'first' | 'last' | undefined {
  const lower = slot.name.toLowerCase();
  if (/first|given|fore/.test(lower)) return 'first';
  if (/last|family|surname/.test(lower)) return 'last';
  return undefined;
}

function findString(text: string, slot: NamedSlot, onlySlot: boolean): string | undefined {
  const { pattern, min, max } = slot.definition;
  const fits = (value: string): boolean =>
    value !== '' && (min === undefined || value.length >= min) && (max === undefined || value.length <= max);
  if (pattern !== undefined) {
    let compiled: RegExp;
    try {
      compiled = new RegExp(pattern, 'u');
    } catch {
      return undefined;
    }
    // An anchored pattern ("^[A-Z]{2}-?\d{6}$") is tried on the whole reply,
    // then on each word of it with its punctuation trimmed ("it is AB-123456.").
    const anchored = pattern.startsWith('^') || pattern.endsWith('$');
    const tries = anchored ? [text.trim(), ...text.split(/\s+/).map((word) => word.replace(/^[^\p{L}\p{N}]+|[^\p{L}\p{N}]+$/gu, ''))] : [text];
    for (const attempt of tries) {
      const match = compiled.exec(attempt);
      if (match !== null && fits(match[0])) return match[0];
    }
    return undefined;
  }
  const label = slot.name.replace(/[_-]+/g, ' ').replace(/([a-z0-9])([A-Z])/g, '$1 $2');
  const cue = new RegExp(`\\b${escapeRegExp(label)}\\s*(?:is|:|=)\\s*([^,.;!?\\n]+)`, 'i').exec(text);
  const cued = cue?.[1]?.trim();
  if (cued !== undefined && fits(cued)) return cued;
  const whole = text.trim();
  return onlySlot && fits(whole) ? whole : undefined;
}

const MAX_CANDIDATES = 32;

const PEOPLE_HINTS = new Set(['party', 'size', 'people', 'person', 'guest', 'pax', 'seat', 'adult', 'group', 'head', 'cover', 'diner', 'attende', 'traveler', 'traveller', 'passenger']);

function isCountSlot(slot: NamedSlot): boolean {
  return slot.hints.some((hint) => PEOPLE_HINTS.has(hint));
}

interface Quantity extends Candidate {
  value: number;
  /** A word that is usually not a count ("one" the pronoun): needs a cue. */
  weak?: boolean;
  /** true: a head count by itself ("me and my wife"); false: the number is something else (a price, an address, a name). */
  headCount?: boolean;
}

/**
 * Numbers that may be quantities: head-count phrases, then every number the
 * language reads outside claimed spans (times, phones, names), each marked
 * when its context says it is something else: "$20", "20 minutes", "5th
 * Avenue", "room 212", "Sushi 29".
 */
function findQuantities(text: string, language: LanguageModule, free: (span: Span) => boolean): Quantity[] {
  const quantities: Quantity[] = [];
  const taken = new Uint8Array(text.length);
  for (const [pattern, value] of language.headCounts) {
    for (const match of text.matchAll(pattern)) {
      const span = { start: match.index, end: match.index + match[0].length };
      if (!free(span)) continue;
      taken.fill(1, span.start, span.end);
      quantities.push({ ...span, value, headCount: true });
    }
  }
  for (const mention of language.findNumbers(text)) {
    if (!free(mention) || taken[mention.start] === 1) continue;
    const written = text.slice(mention.start, mention.end);
    const before = text.slice(Math.max(0, mention.start - 24), mention.start);
    const after = text.slice(mention.end, mention.end + 32);
    const quantity: Quantity = { start: mention.start, end: mention.end, value: mention.value };
    if (language.weakNumber.test(written)) {
      quantity.weak = true;
      if (language.pronounAfter.test(after) || language.pronounBefore.test(before)) quantity.headCount = false;
    }
    if (language.notCountAfter.test(after) || language.notCountBefore.test(before) || UNIT_AFTER.test(after) || isPartOfName(text, mention.start))
      quantity.headCount = false;
    quantities.push(quantity);
  }
  return quantities.sort((left, right) => left.start - right.start);
}

/** "Sushi 29", "Studio 54": a number right after a capitalised word inside a sentence is part of a name. */
function isPartOfName(text: string, start: number): boolean {
  const before = /(?:^|[^\p{L}])(\p{Lu}[\p{L}'’&-]*)\s$/u.exec(text.slice(Math.max(0, start - 24), start));
  if (before === null) return false;
  const word = before[1] ?? '';
  const wordStart = start - word.length - 1;
  const preceding = text.slice(Math.max(0, wordStart - 8), wordStart);
  const sentenceStart = /[.!?]\s*$/.test(preceding) || (wordStart <= 8 && preceding.trim() === '');
  return !sentenceStart && !/^(?:i|for|party|table|we|us|me|make|just|only|about|around|maybe|pour|nous|on)$/i.test(word);
}

function quantityScore(text: string, language: LanguageModule, candidate: Quantity): number {
  if (candidate.headCount === false) return 0;
  let score = candidate.headCount === true ? 3 : 0;
  if (language.peopleAfter.test(text.slice(candidate.end, candidate.end + 40))) score += 3;
  if (language.peopleBefore.test(text.slice(Math.max(0, candidate.start - 32), candidate.start))) score += 2;
  return score;
}

function hintScore(text: string, slot: NamedSlot, candidate: Candidate): number {
  // Windows, not the whole text: the cost per candidate stays bounded, so many candidates cost linear time.
  const before = new Set((text.slice(Math.max(0, candidate.start - 60), candidate.start).toLowerCase().match(/[a-z]+/g) ?? []).slice(-3).map(stem));
  const after = new Set((text.slice(candidate.end, candidate.end + 60).toLowerCase().match(/[a-z]+/g) ?? []).slice(0, 3).map(stem));
  // Cues mostly precede their value ("check in on Friday"), so words before
  // count fully and words after by half.
  return slot.hints.reduce((score, hint) => score + (before.has(hint) ? 1 : after.has(hint) ? 0.5 : 0), 0);
}

const UNIT_AFTER = /^\s*(?:hours?|hrs?|minutes?|mins?|seconds?|secs?|days?|nights?|weeks?|months?|years?|yrs?|am|pm|a\.m|p\.m|o'?clock|%|percent|stars?|st|nd|rd|th)\b/i;

const NEGATION_BEFORE = /(?:\bnot|\bno|n't|\bnever|\bexcept|\binstead of|\brather than|\bbut not|\bpas)\s+(?:on\s+|at\s+|for\s+|the\s+|a\s+|an\s+|pour\s+|le\s+)?$/i;

function isNegated(text: string, start: number): boolean {
  const before = text.slice(Math.max(0, start - 24), start);
  const match = NEGATION_BEFORE.exec(before);
  // "No for 4 people": a "no" that opens the message answers the question before it.
  return match !== null && !(/^\s*no\b/i.test(match[0]) && text.slice(0, start - before.length + match.index).trim() === '');
}

function withinBounds(definition: SlotDefinition, value: number): boolean {
  return (definition.min === undefined || value >= definition.min) && (definition.max === undefined || value <= definition.max);
}

/** `{ from: "12:00", to: "22:00" }` as wall times; undefined when absent or malformed. */
function expectedHours(hours: { from: string; to: string } | undefined): ExpectedHours | undefined {
  if (hours === undefined) return undefined;
  const read = (value: string) => {
    const match = /^([01]\d|2[0-3]):([0-5]\d)$/.exec(value);
    return match === null ? undefined : { hour: Number(match[1]), minute: Number(match[2]) };
  };
  const from = read(hours.from);
  const to = read(hours.to);
  return from === undefined || to === undefined ? undefined : { from, to };
}

function splitName(name: string): string[] {
  return name
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .toLowerCase()
    .split(/[^a-z0-9]+/)
    .filter((word) => word !== '')
    .map(stem);
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** The default phone region of a language tag: `en-GB` → `GB`, `en` → `US` (its likely region). */
export function regionOf(language: string): string | undefined {
  try {
    const locale = new Intl.Locale(language);
    return locale.region ?? locale.maximize().region;
  } catch {
    return undefined;
  }
}
