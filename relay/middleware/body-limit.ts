import { RelayError } from '../errors.ts';

/** Default largest request body, in bytes. */
export const DEFAULT_BODY_LIMIT_BYTES = 32 * 1024;

function tooLarge(limit: number): RelayError {
  return new RelayError(413, 'body_too_large', `The request body exceeds ${limit} bytes.`);
}

/**
 * Reads a request body as UTF-8 text, refusing more than `limitBytes`. A
 * declared `Content-Length` over the limit is refused before reading; a body
 * without one (chunked) is counted while it streams and cut off at the limit.
 */
export async function readBodyWithLimit(request: Request, limitBytes: number): Promise<string> {
  const declared = request.headers.get('content-length');
  if (declared !== null) {
    const length = Number(declared);
    if (!Number.isFinite(length) || length < 0) throw new RelayError(400, 'bad_request', 'Invalid Content-Length.');
    if (length > limitBytes) throw tooLarge(limitBytes);
    // The HTTP layer delivers exactly Content-Length bytes, so the fast path is safe.
    const text = await request.text();
    if (text.length > limitBytes) throw tooLarge(limitBytes);
    return text;
  }
  if (request.body === null) return '';
  const reader = request.body.getReader();
  const chunks: Uint8Array[] = [];
  let received = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    received += value.byteLength;
    if (received > limitBytes) {
      await reader.cancel();
      throw tooLarge(limitBytes);
    }
    chunks.push(value);
  }
  const joined = new Uint8Array(received);
  let offset = 0;
  for (const chunk of chunks) {
    joined.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return new TextDecoder('utf-8', { fatal: false }).decode(joined);
}
