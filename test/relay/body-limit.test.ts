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

describe('body limit', () => {
  it('refuses a declared length over the limit before reading', async () => {
    const request = new Request('https://relay.test/', { method: 'POST', body: 'x'.repeat(100), headers: { 'content-length': '100' } });
    await expect(readBodyWithLimit(request, 10)).rejects.toMatchObject({ status: 413, code: 'body_too_large' });
  });

  it('counts a chunked body and stops at the limit', async () => {
    await expect(readBodyWithLimit(streamed(['12345', '67890', 'x']), 10)).rejects.toBeInstanceOf(RelayError);
    await expect(readBodyWithLimit(streamed(['12345', '67890']), 10)).resolves.toBe('1234567890');
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
