import { describe, expect, it } from 'vitest';
import { RelayError } from '../../relay/errors.ts';
import { readBodyWithLimit } from '../../relay/middleware/body-limit.ts';
import { readJsonObject } from '../../relay/middleware/json-body.ts';
import { errorOf, post, testRelay } from './helpers.ts';

function streamOf(chunks: string[]): ReadableStream<Uint8Array> {
  return new ReadableStream({
    start(controller) {
      for (const chunk of chunks) controller.enqueue(new TextEncoder().encode(chunk));
      controller.close();
    },
  });
}

function streamed(chunks: string[]): Request {
  // No Content-Length: the body arrives chunked and must be counted while read.
  return new Request('https://relay.test/', { method: 'POST', body: streamOf(chunks), duplex: 'half' } as RequestInit);
}

/**
 * A request the way Firefox builds one: no `body` property on `Request`
 * (`'body' in Request.prototype` is false there), so only the reading
 * methods reach the bytes. Node's `text()`/`arrayBuffer()` do not go through
 * the `body` getter, so hiding it here leaves them working as in Firefox.
 */
function withoutBodyProperty(request: Request): Request {
  Object.defineProperty(request, 'body', { get: () => undefined });
  return request;
}

function failingStream(): ReadableStream<Uint8Array> {
  return new ReadableStream({
    start(controller) {
      controller.enqueue(new TextEncoder().encode('{"flowId":'));
      controller.error(new TypeError('the connection was reset'));
    },
  });
}

describe('body limit', () => {
  it('refuses a declared length over the limit before reading', async () => {
    const request = new Request('https://relay.test/', { method: 'POST', body: 'x'.repeat(100), headers: { 'content-length': '100' } });
    await expect(readBodyWithLimit(request, 10)).rejects.toMatchObject({ status: 413, code: 'body_too_large' });
  });

  it('counts a chunked body and stops at the limit', async () => {
    await expect(readBodyWithLimit(streamed(['12345', '67890', 'x']), 10)).rejects.toBeInstanceOf(RelayError);
    await expect(readBodyWithLimit(streamed(['12345', '67890']), 10)).resolves.toBe('1234567890');
  });

  it('reads a body where Request has no body stream (Firefox), and still enforces the limit', async () => {
    const plain = (text: string) => withoutBodyProperty(new Request('https://relay.test/', { method: 'POST', body: text }));
    expect((plain('x') as { body?: unknown }).body).toBeUndefined();
    await expect(readBodyWithLimit(plain('1234567890'), 10)).resolves.toBe('1234567890');
    await expect(readBodyWithLimit(plain('12345678901'), 10)).rejects.toMatchObject({ status: 413, code: 'body_too_large' });
    // The limit is in bytes, not characters: 4 × "é" is 8 bytes.
    await expect(readBodyWithLimit(plain('éééé'), 7)).rejects.toMatchObject({ status: 413 });
    await expect(readBodyWithLimit(plain('éééé'), 8)).resolves.toBe('éééé');
  });

  it('counts bytes, not characters, when Content-Length is declared', async () => {
    const request = new Request('https://relay.test/', { method: 'POST', body: 'éééé', headers: { 'content-length': '4' } });
    await expect(readBodyWithLimit(request, 7)).rejects.toMatchObject({ status: 413 });
  });

  it('answers a classification through the relay when Request has no body property', async () => {
    const { handler, logs } = testRelay();
    const request = withoutBodyProperty(post('/v1/classify', { flowId: 'restaurant', state: 'Start', sessionId: 's', text: 'I want to book a table' }));
    const response = await handler(request);
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ source: 'local' });
    expect(logs.parsed().filter((line) => line.level === 'error')).toEqual([]);
  });

  it('answers 400 with the cause in the log, never 500, when the body cannot be read', async () => {
    const { handler, logs } = testRelay();
    const broken = new Request('https://relay.test/v1/classify', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: failingStream(),
      duplex: 'half',
    } as RequestInit);
    const response = await handler(broken);
    expect(response.status).toBe(400);
    expect(await errorOf(response)).toEqual({ code: 'unreadable_body', message: 'The request body could not be read.' });
    const line = logs.parsed().find((entry) => entry.msg === 'request');
    expect(line).toMatchObject({ status: 400, error: { code: 'unreadable_body', status: 400, cause: { kind: 'TypeError', message: 'the connection was reset' } } });

    const used = post('/v1/classify', { flowId: 'restaurant', state: 'Start', sessionId: 's', text: 'hi' });
    await used.text();
    const again = await handler(used);
    expect(again.status).toBe(400);
    expect((await errorOf(again)).code).toBe('unreadable_body');
  });

  it('answers 413 through the relay', async () => {
    const { handler } = testRelay({ bodyLimitBytes: 1024 });
    const response = await handler(post('/v1/classify', { flowId: 'restaurant', state: 'Start', sessionId: 's', text: 'x'.repeat(2000) }));
    expect(response.status).toBe(413);
    expect((await errorOf(response)).code).toBe('body_too_large');
  });
});

describe('JSON body', () => {
  it('wants application/json', async () => {
    const request = new Request('https://relay.test/', { method: 'POST', body: '{}', headers: { 'content-type': 'text/plain' } });
    await expect(readJsonObject(request, 100)).rejects.toMatchObject({ status: 415 });
  });

  it.each([
    ['{"flowId":', 'invalid_json'],
    ['[1,2]', 'bad_request'],
    ['"text"', 'bad_request'],
    ['{"a":{"__proto__":1}}', 'forbidden_key'],
    ['{"a":[{"constructor":1}]}', 'forbidden_key'],
  ])('refuses %s', async (raw, code) => {
    const request = new Request('https://relay.test/', { method: 'POST', body: raw, headers: { 'content-type': 'application/json; charset=utf-8' } });
    await expect(readJsonObject(request, 1000)).rejects.toMatchObject({ status: 400, code });
  });
});

describe('a failure of the relay itself', () => {
  it('answers a bare 500 and logs it as an error with its cause', async () => {
    const { handler, logs } = testRelay({
      stores: {
        rateLimit: {
          hit: async () => {
            throw new Error('the rate-limit store is down');
          },
        },
      },
    });
    const response = await handler(post('/v1/classify', { flowId: 'restaurant', state: 'Start', sessionId: 's', text: 'hello' }));
    expect(response.status).toBe(500);
    expect(await errorOf(response)).toEqual({ code: 'internal_error', message: 'The relay could not handle this request.' });
    expect(logs.parsed().find((entry) => entry.msg === 'request')).toMatchObject({
      level: 'error',
      status: 500,
      error: { code: 'internal_error', cause: { kind: 'Error', message: 'the rate-limit store is down' } },
    });
  });
});
