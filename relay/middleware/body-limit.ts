import { RelayError } from '../errors.ts';

/** Default largest request body, in bytes. */
export const DEFAULT_BODY_LIMIT_BYTES = 32 * 1024;

function tooLarge(limit: number): RelayError {
  return new RelayError(413, 'body_too_large', `The request body exceeds ${limit} bytes.`);
}

function unreadable(cause: unknown): RelayError {
  return new RelayError(400, 'unreadable_body', 'The request body could not be read.', {}, { cause });
}

/**
 * The body as a stream where the runtime exposes one. Firefox's `Request`
 * has no `body` property at all (up to 153 at least), so a relay running in
 * a Firefox page (the demo, under MSW) gets `undefined` here, not `null`.
 */
function bodyStream(request: Request): ReadableStream<Uint8Array> | null | undefined {
  const body: unknown = (request as { body?: unknown }).body;
  if (body === null) return null;
  if (body !== undefined && typeof (body as ReadableStream<Uint8Array>).getReader === 'function') return body as ReadableStream<Uint8Array>;
  return undefined;
}

/** Counts the stream's bytes while they arrive and stops reading at the limit. */
async function readCounted(stream: ReadableStream<Uint8Array>, limitBytes: number): Promise<Uint8Array> {
  const reader = stream.getReader();
  const chunks: Uint8Array[] = [];
  let received = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    received += value.byteLength;
    if (received > limitBytes) {
      await reader.cancel().catch(() => undefined);
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
  return joined;
}

/**
 * Reads a request body as UTF-8 text, refusing more than `limitBytes`. A
 * declared `Content-Length` over the limit is refused before reading; a body
 * without one (chunked) is counted while it streams and cut off at the limit.
 * Where `Request` has no body stream (Firefox), the body is read whole with
 * `arrayBuffer()` and then measured: such a body was built in the page's
 * memory, not received from the network, so there is nothing to cut short.
 * A body that cannot be read (already used, aborted) is the client's 400,
 * with the cause kept for the log.
 */
export async function readBodyWithLimit(request: Request, limitBytes: number): Promise<string> {
  const declared = request.headers.get('content-length');
  if (declared !== null) {
    const length = Number(declared);
    if (!Number.isFinite(length) || length < 0) throw new RelayError(400, 'bad_request', 'Invalid Content-Length.');
    if (length > limitBytes) throw tooLarge(limitBytes);
  }
  const stream = bodyStream(request);
  if (stream === null) return '';
  let bytes: Uint8Array;
  try {
    // The HTTP layer delivers exactly Content-Length bytes, so a declared length may be read whole.
    bytes = stream === undefined || declared !== null ? new Uint8Array(await request.arrayBuffer()) : await readCounted(stream, limitBytes);
  } catch (error) {
    if (error instanceof RelayError) throw error;
    throw unreadable(error);
  }
  if (bytes.byteLength > limitBytes) throw tooLarge(limitBytes);
  return new TextDecoder('utf-8', { fatal: false }).decode(bytes);
}
