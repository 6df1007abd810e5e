import { hmac } from '@noble/hashes/hmac.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { utf8ToBytes } from '@noble/hashes/utils.js';
import { canonicalJson } from '../tools/fingerprint.ts';

/** What a signature is for; part of the signed text, so one kind can never pass for another. */
export type SignaturePurpose = 'classification' | 'tool-result' | 'checkpoint';

const MIN_SECRET_LENGTH = 32;

function base64Url(bytes: Uint8Array): string {
  let binary = '';
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return btoa(binary).replaceAll('+', '-').replaceAll('/', '_').replace(/=+$/, '');
}

/** Compares two strings in time that depends on their length only. */
function sameText(left: string, right: string): boolean {
  if (left.length !== right.length) return false;
  let difference = 0;
  for (let index = 0; index < left.length; index++) difference |= left.charCodeAt(index) ^ right.charCodeAt(index);
  return difference === 0;
}

/**
 * HMAC-SHA-256 over a purpose and a value's canonical JSON, keyed with the
 * relay's secret. Rotation: the first secret signs, every listed one
 * verifies, so a new secret goes first and the old one stays listed until
 * what it signed (checkpoints in visitors' browsers) no longer matters.
 *
 * @example
 * const signer = new Signer(['new-secret-of-32-characters-or-more…', 'old-secret…']);
 * const signature = signer.sign('tool-result', { result });
 * signer.verify('tool-result', { result }, signature); // true
 */
export class Signer {
  readonly #keys: Uint8Array[];

  constructor(secrets: readonly string[]) {
    if (secrets.length === 0) throw new TypeError('The relay needs at least one signing secret.');
    for (const secret of secrets) {
      if (typeof secret !== 'string' || secret.length < MIN_SECRET_LENGTH) {
        throw new TypeError(`Each relay secret must be a string of at least ${MIN_SECRET_LENGTH} characters.`);
      }
    }
    this.#keys = secrets.map((secret) => utf8ToBytes(secret));
  }

  #mac(key: Uint8Array, purpose: SignaturePurpose, value: unknown): string {
    return base64Url(hmac(sha256, key, utf8ToBytes(`statechat:${purpose}\n${canonicalJson(value)}`)));
  }

  sign(purpose: SignaturePurpose, value: unknown): string {
    return this.#mac(this.#keys[0] as Uint8Array, purpose, value);
  }

  verify(purpose: SignaturePurpose, value: unknown, signature: unknown): boolean {
    if (typeof signature !== 'string' || signature.length !== 43) return false;
    return this.#keys.some((key) => sameText(this.#mac(key, purpose, value), signature));
  }
}

/** A random secret for a relay given none: signatures then last as long as the process. */
export function ephemeralSecret(): string {
  const bytes = new Uint8Array(32);
  globalThis.crypto.getRandomValues(bytes);
  return base64Url(bytes);
}
