import { sha256 } from '@noble/hashes/sha2.js';
import { bytesToHex, utf8ToBytes } from '@noble/hashes/utils.js';

/** Thrown for a value JSON cannot carry faithfully (`Infinity`, `NaN`): they would fingerprint as `null`. */
export class NonFiniteNumberError extends TypeError {
  override readonly name = 'NonFiniteNumberError';
}

/**
 * JSON with object keys sorted, so the same arguments always give the same
 * text. Non-finite numbers throw instead of turning into `null`, so
 * `Infinity` and `-Infinity` can never share a fingerprint or a signature.
 */
export function canonicalJson(value: unknown): string {
  if (typeof value === 'number' && !Number.isFinite(value)) throw new NonFiniteNumberError('A non-finite number has no JSON form.');
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null';
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  const entries = Object.keys(value)
    .sort()
    .map((key) => `${JSON.stringify(key)}:${canonicalJson((value as Record<string, unknown>)[key])}`);
  return `{${entries.join(',')}}`;
}

/**
 * SHA-256 of the call's canonical JSON, hex. Synchronous (@noble/hashes, no
 * Node APIs, so it runs in browsers too): Web Crypto's digest is a round trip
 * through a thread pool, which cost the tools endpoint more than hashing a
 * few hundred bytes does.
 */
export function fingerprintOf(value: unknown): string {
  return bytesToHex(sha256(utf8ToBytes(canonicalJson(value))));
}
