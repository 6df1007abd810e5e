import { findPii, type PiiType } from './detect.ts';

const MAX_DEPTH = 8;

/**
 * Replaces every piece of personal data in `text` with its kind in brackets
 * (`[EMAIL]`, `[PHONE]`, `[CARD]`, `[IBAN]`, `[SSN]`, `[IP]`, `[PII]`).
 *
 * @example
 * maskText('reach me at ann@example.com') // → 'reach me at [EMAIL]'
 */
export function maskText(text: string, knownValues: readonly string[] = []): string {
  const found = findPii(text, knownValues);
  if (found.length === 0) return text;
  let masked = '';
  let position = 0;
  for (const match of found) {
    masked += text.slice(position, match.start) + `[${match.type}]`;
    position = match.end;
  }
  return masked + text.slice(position);
}

/**
 * Masks every string inside a JSON-like value (objects, arrays, nested), and
 * numbers that read as personal data (a card number sent as a number) unless
 * `keepNumbers` says they are measurements: the relay's log lines hold no
 * client numbers, and a `durationMs` of 10000.53 is not a phone number.
 * Keys are kept; they are the relay's own field names.
 */
export function maskValue(value: unknown, knownValues: readonly string[] = [], depth = 0, keepNumbers = false): unknown {
  if (typeof value === 'string') return maskText(value, knownValues);
  if (typeof value === 'number' || typeof value === 'bigint') {
    if (keepNumbers) return value;
    const text = String(value);
    const masked = text.length >= 7 || knownValues.length > 0 ? maskText(text, knownValues) : text;
    return masked === text ? value : masked;
  }
  if (value === null || typeof value !== 'object') return value;
  if (depth >= MAX_DEPTH) return '[DEPTH]';
  if (Array.isArray(value)) return value.map((item) => maskValue(item, knownValues, depth + 1, keepNumbers));
  const masked: Record<string, unknown> = {};
  for (const [key, item] of Object.entries(value)) {
    masked[key] = maskValue(item, knownValues, depth + 1, keepNumbers);
  }
  return masked;
}

/**
 * Masking that can be undone: each distinct value becomes a numbered
 * placeholder (`<EMAIL_1>`), so text can leave for an LLM without the data and
 * the LLM's answer can be mapped back.
 *
 * @example
 * const placeholders = createPlaceholders();
 * placeholders.mask('mail ann@example.com') // → 'mail <EMAIL_1>'
 * placeholders.restore('<EMAIL_1>')         // → 'ann@example.com'
 */
export function createPlaceholders(knownValues: readonly string[] = []) {
  const byValue = new Map<string, string>();
  const byPlaceholder = new Map<string, string>();
  const counters = new Map<PiiType, number>();

  function placeholderFor(type: PiiType, value: string): string {
    const existing = byValue.get(value);
    if (existing) return existing;
    const next = (counters.get(type) ?? 0) + 1;
    counters.set(type, next);
    const placeholder = `<${type}_${next}>`;
    byValue.set(value, placeholder);
    byPlaceholder.set(placeholder, value);
    return placeholder;
  }

  return {
    mask(text: string): string {
      let masked = '';
      let position = 0;
      for (const match of findPii(text, knownValues)) {
        masked += text.slice(position, match.start) + placeholderFor(match.type, match.value);
        position = match.end;
      }
      return masked + text.slice(position);
    },
    /** Puts the original values back into strings (deeply), leaving the rest alone. */
    restore(value: unknown, depth = 0): unknown {
      if (byPlaceholder.size === 0) return value;
      if (typeof value === 'string') {
        return value.replace(/<[A-Z]+_\d+>/g, (placeholder) => byPlaceholder.get(placeholder) ?? placeholder);
      }
      if (value === null || typeof value !== 'object' || depth >= MAX_DEPTH) return value;
      if (Array.isArray(value)) return value.map((item) => this.restore(item, depth + 1));
      const restored: Record<string, unknown> = {};
      for (const [key, item] of Object.entries(value)) restored[key] = this.restore(item, depth + 1);
      return restored;
    },
    get count(): number {
      return byPlaceholder.size;
    },
  };
}
export type Placeholders = ReturnType<typeof createPlaceholders>;
