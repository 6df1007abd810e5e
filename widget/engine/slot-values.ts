/**
 * Checks a slot value against its definition before the engine keeps it:
 * the NLU (local, relay or a forged request) is not trusted to return the
 * declared type.
 */
import type { Json, SlotDefinition } from '../../flows/types.ts';

export type SlotCheck = { ok: true; value: Json } | { ok: false; reason: string };

const DATE = /^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])$/;
const TIME = /^([01]\d|2[0-3]):[0-5]\d(:[0-5]\d)?$/;
const DATETIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})?$/;
const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
const PHONE = /^\+?[0-9][0-9 ().-]{3,24}$/;
const MAX_TEXT = 1000;

function numberOf(value: Json): number | undefined {
  if (typeof value === 'number' && Number.isFinite(value)) return value;
  if (typeof value === 'string' && value.trim() !== '' && Number.isFinite(Number(value))) return Number(value);
  return undefined;
}

function inRange(definition: SlotDefinition, measure: number, what: string): string | undefined {
  if (definition.min !== undefined && measure < definition.min) return `${what} ${measure} is below the minimum ${definition.min}`;
  if (definition.max !== undefined && measure > definition.max) return `${what} ${measure} is above the maximum ${definition.max}`;
  return undefined;
}

function matchesPattern(definition: SlotDefinition, text: string): boolean {
  if (definition.pattern === undefined) return true;
  try {
    return new RegExp(definition.pattern, 'u').test(text);
  } catch {
    return false;
  }
}

export function checkSlotValue(definition: SlotDefinition, value: Json | undefined): SlotCheck {
  if (value === undefined || value === null) return { ok: false, reason: 'no value' };
  switch (definition.type) {
    case 'number':
    case 'integer': {
      const number = numberOf(value);
      if (number === undefined) return { ok: false, reason: 'not a number' };
      if (definition.type === 'integer' && !Number.isInteger(number)) return { ok: false, reason: 'not a whole number' };
      const outside = inRange(definition, number, 'value');
      return outside ? { ok: false, reason: outside } : { ok: true, value: number };
    }
    case 'boolean': {
      if (typeof value === 'boolean') return { ok: true, value };
      return { ok: false, reason: 'not yes or no' };
    }
    case 'enum': {
      if (typeof value !== 'string') return { ok: false, reason: 'not text' };
      const wanted = value.trim().toLowerCase();
      for (const option of definition.values ?? []) {
        const canonical = typeof option === 'string' ? option : option.value;
        const synonyms = typeof option === 'string' ? [] : (option.synonyms ?? []);
        if ([canonical, ...synonyms].some((candidate) => candidate.toLowerCase() === wanted)) return { ok: true, value: canonical };
      }
      return { ok: false, reason: 'not one of the choices' };
    }
    default: {
      if (typeof value !== 'string') return { ok: false, reason: 'not text' };
      const text = value.trim();
      if (text === '' || text.length > MAX_TEXT) return { ok: false, reason: 'empty or too long' };
      const shape = { date: DATE, time: TIME, datetime: DATETIME, email: EMAIL, phone: PHONE, name: undefined, string: undefined }[definition.type];
      if (shape !== undefined && !shape.test(text)) return { ok: false, reason: `not a ${definition.type}` };
      if (definition.type === 'string' || definition.type === 'name') {
        const outside = inRange(definition, text.length, 'length');
        if (outside) return { ok: false, reason: outside };
      }
      if (!matchesPattern(definition, text)) return { ok: false, reason: 'does not match the expected pattern' };
      return { ok: true, value: text };
    }
  }
}
