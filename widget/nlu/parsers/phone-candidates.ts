import type { WorkMeter } from '../types.ts';
import { scan } from './temporal-common.ts';

/** A run of digits and separators that may be a phone number, with why it may not be. */
export interface PhoneCandidate {
  start: number;
  end: number;
  /** As written, trimmed. */
  written: string;
  digits: string;
  international: boolean;
}

/** Digits that pass the Luhn check: a payment card, never a phone. */
function isLuhnValid(digits: string): boolean {
  let sum = 0;
  for (let index = 0; index < digits.length; index++) {
    let digit = Number(digits[digits.length - 1 - index]);
    if (index % 2 === 1) {
      digit *= 2;
      if (digit > 9) digit -= 9;
    }
    sum += digit;
  }
  return sum % 10 === 0;
}

const DATE_SHAPE = /^(?:\d{1,2}[./-]\d{1,2}[./-](?:\d{4}|\d{2})|\d{4}[./-]\d{1,2}[./-]\d{1,2})$/;
const NOT_A_PHONE_BEFORE = /(?:order|card|credit|debit|visa|mastercard|amex|ref(?:erence)?|booking|confirmation|account|acct|invoice|iban|ssn|social security|passport|licen[cs]e|tracking|parcel|serial|pin|code|id|born|birth|dob|date|commande|carte|numéro de commande|n°|#|no\.)\s*(?:number|no\.?|#|is|:|n°)?\s*(?:is\s*)?[:#]?\s*$/i;

/**
 * Digit runs shaped like phone numbers (7–15 digits, separators allowed),
 * minus what is something else: a card number (Luhn-valid, 13–19 digits),
 * a date (12/03/1990), a number after "order", "card", "ref", "born", or
 * glued to letters ("AB-1234567").
 */
export function phoneCandidates(text: string, meter?: WorkMeter): PhoneCandidate[] {
  scan(meter, text);
  const candidates: PhoneCandidate[] = [];
  for (const match of text.matchAll(/(?<![\w+.,/-])(\+\s?)?(\(?\d[\d\s().-]{5,20}\d)(?![\w/]|[.,]\d)/g)) {
    const written = match[0].trim();
    const digits = written.replace(/\D/g, '');
    const start = match.index + (match[0].length - match[0].trimStart().length);
    const end = start + written.length;
    if (digits.length < 7 || digits.length > 15) continue;
    if (DATE_SHAPE.test(written)) continue;
    if (digits.length >= 13 && isLuhnValid(digits)) continue;
    if (NOT_A_PHONE_BEFORE.test(text.slice(Math.max(0, start - 32), start))) continue;
    // A bare run of digits with no separator and no "+" is more often an amount or an id than a phone.
    if (match[1] === undefined && !/[\s().-]/.test(written) && !/^0/.test(digits)) continue;
    candidates.push({ start, end, written, digits, international: match[1] !== undefined });
  }
  return candidates;
}
