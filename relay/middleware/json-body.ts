import { RelayError } from '../errors.ts';
import { readBodyWithLimit } from './body-limit.ts';

const FORBIDDEN_KEYS = new Set(['__proto__', 'constructor', 'prototype']);
const MAX_DEPTH = 16;

export type JsonRecord = { [key: string]: unknown };

function checkShape(value: unknown, depth: number): void {
  // `1e309` parses as Infinity: refused here, so no schema, fingerprint or signature ever sees one.
  if (typeof value === 'number' && !Number.isFinite(value)) {
    throw new RelayError(400, 'non_finite_number', 'Numbers must be finite (a value like 1e309 is not).');
  }
  if (value === null || typeof value !== 'object') return;
  if (depth > MAX_DEPTH) throw new RelayError(400, 'bad_request', 'The request body is nested too deeply.');
  if (Array.isArray(value)) {
    for (const item of value) checkShape(item, depth + 1);
    return;
  }
  for (const key of Object.keys(value)) {
    // Keys that reach prototypes are refused outright rather than dropped, so
    // nothing downstream ever merges them into an object.
    if (FORBIDDEN_KEYS.has(key)) throw new RelayError(400, 'forbidden_key', `The key "${key}" is not allowed.`);
    checkShape((value as JsonRecord)[key], depth + 1);
  }
}

/**
 * Reads a JSON object body: `Content-Type: application/json` (415 otherwise),
 * within the size limit (413), valid JSON (400), an object at the top, no
 * `__proto__` / `constructor` / `prototype` keys anywhere, no non-finite numbers.
 */
export async function readJsonObject(request: Request, limitBytes: number): Promise<JsonRecord> {
  const contentType = request.headers.get('content-type') ?? '';
  const mediaType = contentType.split(';', 1)[0]?.trim().toLowerCase();
  if (mediaType !== 'application/json') {
    throw new RelayError(415, 'unsupported_media_type', 'Send the body as application/json.');
  }
  const text = await readBodyWithLimit(request, limitBytes);
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new RelayError(400, 'invalid_json', 'The request body is not valid JSON.');
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
    throw new RelayError(400, 'bad_request', 'The request body must be a JSON object.');
  }
  checkShape(parsed, 0);
  return parsed as JsonRecord;
}

/** A required string field, bounded in length; 400 when missing or of the wrong type. */
export function requireString(body: JsonRecord, field: string, maxLength: number): string {
  const value = body[field];
  if (typeof value !== 'string' || value.length === 0) {
    throw new RelayError(400, 'bad_request', `"${field}" must be a non-empty string.`);
  }
  if (value.length > maxLength) throw new RelayError(400, 'bad_request', `"${field}" is longer than ${maxLength} characters.`);
  return value;
}
