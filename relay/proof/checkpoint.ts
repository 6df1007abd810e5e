import { sha256 } from '@noble/hashes/sha2.js';
import { bytesToHex, utf8ToBytes } from '@noble/hashes/utils.js';
import type { Snapshot } from '../../widget/engine/index.ts';
import { canonicalJson } from '../tools/fingerprint.ts';
import type { Signer } from './signer.ts';

/**
 * What a checkpoint vouches for: the relay replayed this session of this flow
 * version up to journal position `seq`, and the snapshot there hashes to
 * `digest`. The relay keeps nothing: the browser sends the snapshot back
 * with the token, and the relay hashes it again.
 */
export interface CheckpointClaim {
  flowId: string;
  flowVersion: string;
  sessionId: string;
  seq: number;
  digest: string;
  /** The clock of the last event before it (epoch ms), so time never runs backwards across a checkpoint. */
  at: number;
}

export function snapshotDigest(snapshot: Snapshot): string {
  return bytesToHex(sha256(utf8ToBytes(canonicalJson(snapshot))));
}

function toBase64Url(text: string): string {
  return btoa(String.fromCharCode(...utf8ToBytes(text))).replaceAll('+', '-').replaceAll('/', '_').replace(/=+$/, '');
}

function fromBase64Url(text: string): string {
  const binary = atob(text.replaceAll('-', '+').replaceAll('_', '/'));
  return new TextDecoder().decode(Uint8Array.from(binary, (character) => character.charCodeAt(0)));
}

export function issueCheckpoint(signer: Signer, claim: CheckpointClaim): string {
  return `${toBase64Url(JSON.stringify(claim))}.${signer.sign('checkpoint', claim)}`;
}

const MAX_TOKEN_LENGTH = 2048;

/** The claim of a token this relay signed (with any of its secrets), or `null`. */
export function readCheckpoint(signer: Signer, token: unknown): CheckpointClaim | null {
  if (typeof token !== 'string' || token.length > MAX_TOKEN_LENGTH) return null;
  const dot = token.indexOf('.');
  if (dot <= 0) return null;
  let parsed: unknown;
  try {
    parsed = JSON.parse(fromBase64Url(token.slice(0, dot)));
  } catch {
    return null;
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) return null;
  const record = parsed as Record<string, unknown>;
  const { flowId, flowVersion, sessionId, seq, digest, at } = record;
  if (typeof flowId !== 'string' || typeof flowVersion !== 'string' || typeof sessionId !== 'string' || typeof digest !== 'string') return null;
  if (typeof seq !== 'number' || !Number.isSafeInteger(seq) || seq < 0 || typeof at !== 'number' || !Number.isFinite(at)) return null;
  const claim: CheckpointClaim = { flowId, flowVersion, sessionId, seq, digest, at };
  if (Object.keys(record).length !== 6 || !signer.verify('checkpoint', claim, token.slice(dot + 1))) return null;
  return claim;
}
