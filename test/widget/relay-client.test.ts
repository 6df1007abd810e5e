import { QueryClient } from '@tanstack/query-core';
import { afterEach, describe, expect, it } from 'vitest';
import type { Flow } from '../../flows/types.ts';
import { RelayClient, RelayRequestError } from '../../widget/client/index.ts';

interface Sent {
  url: string;
  method: string;
  headers: Headers;
  body: string | null;
}

/** A `fetch` that records each request and answers with `answer(request)`, which may wait for the request's signal. */
function recordingFetch(answer: (sent: Sent, signal: AbortSignal) => Promise<Response>): { fetch: typeof fetch; sent: Sent[] } {
  const sent: Sent[] = [];
  const fetchFunction = async (input: RequestInfo | URL, init?: RequestInit): Promise<Response> => {
    const request = { url: String(input), method: init?.method ?? 'GET', headers: new Headers(init?.headers), body: typeof init?.body === 'string' ? init.body : null };
    sent.push(request);
    return answer(request, init?.signal ?? new AbortController().signal);
  };
  return { fetch: fetchFunction as typeof fetch, sent };
}

const json = (body: unknown, status = 200, headers: Record<string, string> = {}) =>
  new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json', ...headers } });

/** Never answers; rejects with the signal's reason once aborted, as `fetch` does. */
const hang = (_sent: Sent, signal: AbortSignal) =>
  new Promise<Response>((_resolve, reject) => signal.addEventListener('abort', () => reject(signal.reason ?? new DOMException('aborted', 'AbortError'))));

const clients: QueryClient[] = [];
function client(fetchFunction: typeof fetch, baseUrl = 'https://relay.test/statechat/', classifyTimeoutMs?: number): RelayClient {
  const queryClient = new QueryClient();
  clients.push(queryClient);
  return new RelayClient({ baseUrl, fetch: fetchFunction, queryClient, ...(classifyTimeoutMs === undefined ? {} : { classifyTimeoutMs }) });
}

afterEach(() => {
  for (const queryClient of clients.splice(0)) queryClient.clear();
});

async function failure(promise: Promise<unknown>): Promise<RelayRequestError> {
  const error = await promise.then(
    () => undefined,
    (reason: unknown) => reason,
  );
  expect(error).toBeInstanceOf(RelayRequestError);
  return error as RelayRequestError;
}

describe('the relay client', () => {
  it('posts a tool call as JSON under the base URL, with its idempotency key, and returns the result', async () => {
    const { fetch, sent } = recordingFetch(async () => json({ result: { reference: 'R-1' } }));
    const result = await client(fetch).callTool('Book table', { flowId: 'reservations', sessionId: 's1', args: { partySize: 4 } }, 'key-1', 1000);
    expect(result).toEqual({ result: { reference: 'R-1' } });
    expect(sent).toHaveLength(1);
    const [request] = sent as [Sent];
    expect(request.url).toBe('https://relay.test/statechat/v1/tools/Book%20table');
    expect(request.method).toBe('POST');
    expect(request.headers.get('content-type')).toBe('application/json');
    expect(request.headers.get('idempotency-key')).toBe('key-1');
    expect(JSON.parse(request.body ?? '')).toEqual({ flowId: 'reservations', sessionId: 's1', args: { partySize: 4 } });
  });

  it('returns the relay’s signature of a tool result and its checkpoint with the snapshot it vouches for', async () => {
    const snapshot = { seq: 7, state: 'Done' };
    const { fetch } = recordingFetch(async () => json({ result: { reference: 'R-1' }, signature: 'sig', checkpoint: 'token', snapshot }));
    const answer = await client(fetch).callTool('Book', { flowId: 'f', sessionId: 's', args: {} }, 'key-1', 1000);
    expect(answer).toEqual({ result: { reference: 'R-1' }, signature: 'sig', checkpoint: { token: 'token', snapshot } });
    // A checkpoint without its snapshot is of no use: the next call would have nothing to send with it.
    const { fetch: halfFetch } = recordingFetch(async () => json({ result: null, checkpoint: 'token' }));
    expect(await client(halfFetch).callTool('Book', { flowId: 'f', sessionId: 's', args: {} }, 'key-2', 1000)).toEqual({ result: null });
  });

  it('turns the relay’s error body into a RelayRequestError with its code, transient or not by status', async () => {
    const { fetch } = recordingFetch(async (request) =>
      request.url.endsWith('/v1/classify')
        ? json({ error: { code: 'rate_limited', message: 'slow down' } }, 429, { 'retry-after': '2' })
        : json({ error: { code: 'invalid_arguments', message: 'partySize must be a number' } }, 422),
    );
    const relay = client(fetch);
    const invalid = await failure(relay.callTool('Book', { flowId: 'f', sessionId: 's', args: {} }, 'k', 1000));
    expect(invalid).toMatchObject({ code: 'invalid_arguments', status: 422, transient: false });
    expect(invalid.message).toBe('POST /v1/tools/Book: partySize must be a number');
    const limited = await failure(relay.classify({ flowId: 'f', state: 'Start', text: 'hi', sessionId: 's' }));
    expect(limited).toMatchObject({ code: 'rate_limited', status: 429, transient: true, retryAfterMs: 2000 });
  });

  it('times a request out as a transient `timeout`, and an unreachable relay as a transient `network` error', async () => {
    const slow = recordingFetch(hang);
    const started = performance.now();
    const timedOut = await failure(client(slow.fetch, 'https://relay.test', 40).classify({ flowId: 'f', state: 'Start', text: 'hi', sessionId: 's' }));
    expect(timedOut).toMatchObject({ code: 'timeout', transient: true, status: null });
    expect(timedOut.message).toBe('POST /v1/classify timed out');
    expect(performance.now() - started).toBeLessThan(2000);

    const down = recordingFetch(async () => {
      throw new TypeError('Failed to fetch');
    });
    const unreachable = await failure(client(down.fetch).callTool('Book', { flowId: 'f', sessionId: 's', args: {} }, 'k', 1000));
    expect(unreachable).toMatchObject({ code: 'network', transient: true });
    expect(unreachable.cause).toBeInstanceOf(TypeError);
  });

  it('answers a response that is not what the endpoint promises as `bad_response`', async () => {
    const { fetch } = recordingFetch(async () => json({ intent: 3 }));
    const error = await failure(client(fetch).classify({ flowId: 'f', state: 'Start', text: 'hi', sessionId: 's' }));
    expect(error).toMatchObject({ code: 'bad_response', transient: false });
  });

  it('revalidates a cached flow with its ETag and keeps the cached copy on 304', async () => {
    const definition = { meta: { id: 'reservations', version: '1' } } as unknown as Flow;
    const { fetch, sent } = recordingFetch(async (request) =>
      request.headers.get('if-none-match') === '"v1"' ? new Response(null, { status: 304 }) : json(definition, 200, { etag: '"v1"' }),
    );
    const relay = client(fetch, 'https://relay.test/');
    const fresh = await relay.fetchFlow('reservations', undefined);
    expect(fresh).toEqual({ definition, etag: '"v1"', changed: true });
    const kept = await relay.fetchFlow('reservations', { definition, etag: '"v1"' });
    expect(kept).toEqual({ definition, etag: '"v1"', changed: false });
    expect(sent.map((request) => [request.method, request.url, request.headers.get('if-none-match')])).toEqual([
      ['GET', 'https://relay.test/v1/flows/reservations', null],
      ['GET', 'https://relay.test/v1/flows/reservations', '"v1"'],
    ]);
  });
});
