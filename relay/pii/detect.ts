import { isPlausibleSsn, passesIbanMod97, passesLuhn } from './checksums.ts';

/**
 * The kinds of personal data the masker finds by their shape. Names and
 * street addresses in free text are not among them: only values the flow
 * marks `pii` (slots, tool arguments) are masked for those, by value.
 */
export type PiiType = 'EMAIL' | 'PHONE' | 'CARD' | 'IBAN' | 'SSN' | 'IP' | 'PII';

export interface PiiMatch {
  type: PiiType;
  start: number;
  /** Exclusive. */
  end: number;
  value: string;
}

const EMAIL = /(?<![\w.%+-])[A-Za-z0-9._%+-]{1,64}@[A-Za-z0-9](?:[A-Za-z0-9-]{0,62}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,62}[A-Za-z0-9])?)*\.[A-Za-z]{2,24}(?![\w-])/g;

// Printed IBANs come in one block or in groups of four; the trailing group may
// be shorter. Candidates are checked with mod-97, trimming trailing groups that
// belong to the next word.
const IBAN = /(?<![A-Za-z0-9])[A-Za-z]{2}\d{2}(?:[ -]?[A-Za-z0-9]{4}){2,7}(?:[ -]?[A-Za-z0-9]{1,4})?(?![A-Za-z0-9])/g;
const IBAN_COMPACT = /(?<![A-Za-z0-9])[A-Za-z]{2}\d{2}[A-Za-z0-9]{11,30}(?![A-Za-z0-9])/g;

const CARD = /(?<![\d.+-])\d(?:[ -]?\d){11,18}(?![\d-]|\.\d)/g;

const SSN = /(?<![\d-])(\d{3})([- ])(\d{2})\2(\d{4})(?![\d-])/g;

const IPV4_OCTET = '(?:25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)';
const IPV4 = new RegExp(`(?<![\\w.])${IPV4_OCTET}(?:\\.${IPV4_OCTET}){3}(?![\\w]|\\.\\d)`, 'g');
const IPV6_CANDIDATE = /(?<![\w:])(?:[0-9A-Fa-f]{0,4}:){2,7}[0-9A-Fa-f]{0,4}(?![\w:])/g;

// A phone number: an optional international prefix, an optional trunk "(0)"
// and area code in parentheses, then digit groups split by one space, dot or
// dash, then an optional extension. The digit count decides (7 to 15, E.164).
const PHONE = /(?<![\w+.\/-])(?:\+\d{1,3}[ .-]?)?(?:\(0\)[ ]?)?(?:\(\d{1,5}\)[ .-]?)?\d{1,12}(?:[ .-]\d{1,8}){0,6}(?:[ ]?(?:x|ext\.?|#)[ ]?\d{1,6})?(?![\w\/]|[.-]\d)/g;
const PHONE_EXTENSION = /[ ]?(?:x|ext\.?|#)[ ]?\d{1,6}$/;

// Dates and times look like phone numbers (digit groups joined by dashes), so
// they are found first and phone candidates that touch them are dropped.
const DATE_OR_TIME = /\b(?:\d{4}-\d{1,2}-\d{1,2}(?:[T ]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?|(?:[012]?\d|3[01])[\/.](?:[012]?\d|3[01])[\/.](?:\d{4}|\d{2})(?![.\/]?\d)|\d{1,2}:\d{2}(?::\d{2})?)\b/g;

function isIpv6(candidate: string): boolean {
  const halves = candidate.split('::');
  if (halves.length > 2) return false;
  const groupsOf = (part: string | undefined): string[] => (part ? part.split(':') : []);
  const head = groupsOf(halves[0]);
  const tail = groupsOf(halves[1]);
  const groups = [...head, ...tail];
  if (!groups.every((group) => /^[0-9A-Fa-f]{1,4}$/.test(group))) return false;
  if (halves.length === 2) return groups.length <= 7;
  return groups.length === 8;
}

function countDigits(text: string): number {
  let count = 0;
  for (let index = 0; index < text.length; index++) {
    const code = text.charCodeAt(index);
    if (code >= 48 && code <= 57) count++;
  }
  return count;
}

function* matches(pattern: RegExp, text: string): Generator<RegExpExecArray> {
  pattern.lastIndex = 0;
  let match: RegExpExecArray | null;
  while ((match = pattern.exec(text)) !== null) {
    yield match;
    if (match[0].length === 0) pattern.lastIndex++;
  }
}

function findIbans(text: string, found: PiiMatch[]): void {
  for (const pattern of [IBAN, IBAN_COMPACT]) {
    for (const match of matches(pattern, text)) {
      let candidate = match[0];
      // Shorten at group boundaries until the checksum holds, so a following
      // four-character word is not swallowed.
      while (candidate.length >= 15) {
        if (passesIbanMod97(candidate)) {
          found.push({ type: 'IBAN', start: match.index, end: match.index + candidate.length, value: candidate });
          break;
        }
        const lastSeparator = Math.max(candidate.lastIndexOf(' '), candidate.lastIndexOf('-'));
        if (lastSeparator <= 4) break;
        candidate = candidate.slice(0, lastSeparator);
      }
    }
  }
}

function findCards(text: string, found: PiiMatch[]): void {
  for (const match of matches(CARD, text)) {
    let candidate = match[0];
    while (candidate.length >= 12) {
      const digits = candidate.replace(/[ -]/g, '');
      if (digits.length >= 12 && digits.length <= 19 && passesLuhn(digits) && !/^(\d)\1+$/.test(digits)) {
        found.push({ type: 'CARD', start: match.index, end: match.index + candidate.length, value: candidate });
        break;
      }
      const lastSeparator = Math.max(candidate.lastIndexOf(' '), candidate.lastIndexOf('-'));
      if (lastSeparator <= 0) break;
      candidate = candidate.slice(0, lastSeparator);
    }
  }
}

function findPhones(text: string, found: PiiMatch[], blocked: PiiMatch[]): void {
  for (const match of matches(PHONE, text)) {
    const candidate = match[0];
    const withoutExtension = candidate.replace(PHONE_EXTENSION, '');
    const digits = countDigits(withoutExtension);
    if (digits < 7 || digits > 15) continue;
    // A lone run of digits needs at least 9 of them to count as a phone number
    // (shorter runs are order numbers, postcodes, amounts).
    if (/^\d+$/.test(withoutExtension) && digits < 9) continue;
    const start = match.index;
    const end = start + candidate.length;
    if (blocked.some((date) => date.start < end && start < date.end)) continue;
    found.push({ type: 'PHONE', start, end, value: candidate });
  }
}

/** Escapes a literal for use inside a regular expression. */
function escapeForPattern(literal: string): string {
  return literal.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

// Checked in this order; on overlap the earlier kind wins.
const PRIORITY: PiiType[] = ['PII', 'EMAIL', 'IBAN', 'CARD', 'SSN', 'IP', 'PHONE'];

/**
 * Finds personal data in `text`: the shapes listed in {@link PiiType}, and
 * the literal `knownValues` (slot values and tool arguments marked `pii`),
 * case-insensitively. Returns non-overlapping matches in text order.
 *
 * @example
 * findPii('mail ann@example.com or call +1-555-010-9999')
 * // → [{ type: 'EMAIL', … }, { type: 'PHONE', … }]
 */
export function findPii(text: string, knownValues: readonly string[] = []): PiiMatch[] {
  const found: PiiMatch[] = [];
  for (const known of knownValues) {
    if (known.length < 2) continue;
    const pattern = new RegExp(escapeForPattern(known), 'gi');
    for (const match of matches(pattern, text)) {
      found.push({ type: 'PII', start: match.index, end: match.index + match[0].length, value: match[0] });
    }
  }
  if (text.includes('@')) {
    for (const match of matches(EMAIL, text)) {
      found.push({ type: 'EMAIL', start: match.index, end: match.index + match[0].length, value: match[0] });
    }
  }
  if (countDigits(text) < 7) return resolveOverlaps(found);
  findIbans(text, found);
  findCards(text, found);
  for (const match of matches(SSN, text)) {
    const [value, area = '', , group = '', serial = ''] = match;
    if (isPlausibleSsn(area, group, serial)) {
      found.push({ type: 'SSN', start: match.index, end: match.index + value.length, value });
    }
  }
  for (const match of matches(IPV4, text)) {
    found.push({ type: 'IP', start: match.index, end: match.index + match[0].length, value: match[0] });
  }
  if (text.includes(':')) {
    for (const match of matches(IPV6_CANDIDATE, text)) {
      if (isIpv6(match[0])) {
        found.push({ type: 'IP', start: match.index, end: match.index + match[0].length, value: match[0] });
      }
    }
  }
  const datesAndTimes: PiiMatch[] = [];
  for (const match of matches(DATE_OR_TIME, text)) {
    datesAndTimes.push({ type: 'PII', start: match.index, end: match.index + match[0].length, value: match[0] });
  }
  findPhones(text, found, datesAndTimes);
  return resolveOverlaps(found);
}

function resolveOverlaps(found: PiiMatch[]): PiiMatch[] {
  if (found.length < 2) return found;
  const ranked = [...found].sort(
    (left, right) =>
      PRIORITY.indexOf(left.type) - PRIORITY.indexOf(right.type) ||
      right.end - right.start - (left.end - left.start) ||
      left.start - right.start,
  );
  const kept: PiiMatch[] = [];
  for (const candidate of ranked) {
    if (!kept.some((other) => other.start < candidate.end && candidate.start < other.end)) kept.push(candidate);
  }
  return kept.sort((left, right) => left.start - right.start);
}
