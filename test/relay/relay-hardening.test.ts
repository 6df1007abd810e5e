/**
 * The review's smaller findings: failed-request lines that say why, logs a
 * client cannot bend, 429s that cannot flood the log, personal answers kept
 * from the LLM, LLM slot values checked against their types, a tools module's
 * own copy of `RelayError`, non-finite numbers, and `authenticate`.
 */
import { http, HttpResponse } from 'msw';
import { setupServer } from 'msw/node';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Flow } from '../../flows/types.ts';
import { RelayError } from '../../relay/index.ts';
import { fingerprintOf } from '../../relay/tools/fingerprint.ts';
import { restaurantFlow, testTools } from './fixtures.ts';
import { errorOf, post, testRelay } from './helpers.ts';
import { Visitor } from './support/visitor.ts';

const LLM_URL = 'https://llm.test/v1';
const sent: string[] = [];
let llmAnswer: unknown = {};
const server = setupServer(
  http.post(`${LLM_URL}/chat/completions`, async ({ request }) => {
    sent.push(JSON.stringify(await request.json()));
    return HttpResponse.json({
      id: 'x',
      object: 'chat.completion',
      created: 1,
      model: 'm',
      choices: [{ index: 0, finish_reason: 'stop', logprobs: null, message: { role: 'assistant', refusal: null, content: JSON.stringify(llmAnswer) } }],
    });
  }),
);
beforeAll(() => server.listen({ onUnhandledRequest: 'bypass' }));
afterEach(() => {
  sent.length = 0;
});
afterAll(() => server.close());

/** The fixture flow with a state that asks for the visitor's name (a personal slot). */
function contactFlow(): Flow {
  const flow = restaurantFlow();
  flow.states.AskName = { collect: [{ slot: 'name', ask: 'What name should I put the booking under?' }], transitions: [{ to: 'Done' }] };
  return flow;
}

const booking = { date: '2026-12-24', time: '19:30', partySize: 4, name: 'Ada Lovelace', phone: '+44 20 7946 0958' };

describe('request log lines', () => {
  it('say the error code, its status and cause on a failed request; numbers stay numbers; a flagged value cannot erase relay fields', async () => {
    const { handler, logs } = testRelay();
    await handler(post('/v1/classify', '{"flowId":'));
    const failed = logs.parsed().at(-1);
    expect(failed).toMatchObject({ status: 400, error: { code: 'invalid_json', status: 400 } });
    expect(typeof failed?.durationMs).toBe('number');

    // "POST", "request" and "200" sent as personal values: masked where the client's text is, not in the relay's own fields.
    const visitor = new Visitor(restaurantFlow(), 'session-erase');
    const call = visitor.trigger('CreateBooking', { ...booking, name: 'POST', phone: '200' });
    expect((await handler(visitor.request(call))).status).toBe(200);
    const line = logs.parsed().find((entry) => entry.msg === 'request' && entry.tool === 'CreateBooking');
    expect(line).toMatchObject({ method: 'POST', status: 200, path: '/v1/tools/CreateBooking' });
    expect(typeof line?.durationMs).toBe('number');
  });

  it('logs at most 20 rate-limited requests per 10 seconds', async () => {
    const { handler, logs } = testRelay({ rateLimits: { perIp: { limit: 1, windowMs: 60_000 }, perSession: false } });
    for (let index = 0; index < 200; index++) await handler(new Request('https://relay.test/v1/health'), { clientAddress: '198.51.100.9' });
    const refused = logs.parsed().filter((line) => line.status === 429);
    expect(refused).toHaveLength(20);
    expect(refused[0]).toMatchObject({ error: { code: 'rate_limited', status: 429 } });
  });

  it('masks an unknown id in the path whatever its shape (a phone number, nine digits)', async () => {
    const { handler, logs } = testRelay();
    await handler(post('/v1/tools/415-555-2671', { flowId: 'restaurant', sessionId: 's1', args: {} }, { 'idempotency-key': 'key-00000001' }));
    await handler(new Request('https://relay.test/v1/flows/123456789'));
    expect(logs.text()).not.toMatch(/415-555-2671|123456789/);
    expect(logs.parsed().map((line) => line.path)).toEqual(['/v1/tools/[OTHER]', '/v1/flows/[OTHER]']);
  });
});

describe('the LLM', () => {
  const withLlm = () => testRelay({ flows: [contactFlow()], llm: { apiKey: 'sk-test', model: 'm', baseURL: LLM_URL, timeoutMs: 2000 } });

  it('never sees an answer to a question for a personal slot: a name and the street address after it', async () => {
    const { handler } = withLlm();
    llmAnswer = { intent: 'none', confidence: 0.9, slots: { name: '<PII_1>', email: null, phone: null, partySize: null, date: null, time: null } };
    const response = await handler(post('/v1/classify', { flowId: 'restaurant', state: 'AskName', sessionId: 's1', slot: 'name', text: 'Ada Augusta King, 12 Marylebone Road' }));
    expect(sent.join('\n')).not.toMatch(/Ada|Augusta|Marylebone/);
    expect(sent.join('\n')).toContain('<PII_1>');
    // The local parser's reading of the name wins over the LLM's (restored) one.
    expect(await response.json()).toMatchObject({ slots: { name: 'Ada Augusta King' } });
  });

  it('drops slot values that do not fit the slot type', async () => {
    const { handler } = testRelay({ llm: { apiKey: 'sk-test', model: 'm', baseURL: LLM_URL, timeoutMs: 2000 } });
    llmAnswer = { intent: 'BOOK', confidence: 0.9, slots: { partySize: 4000, date: '<img src=x onerror=alert(1)>', time: '25:99' } };
    const response = await handler(post('/v1/classify', { flowId: 'restaurant', state: 'Start', sessionId: 's1', text: 'zebra quantum marmalade sometime' }));
    const answer = (await response.json()) as { slots: Record<string, unknown> };
    expect(answer.slots).toEqual({});
  });
});

describe('tools modules and numbers', () => {
  it('treats a RelayError from another copy of the class (a CommonJS tools module) as the deliberate answer it is', async () => {
    let runs = 0;
    // What a second copy of the module produces: same name and fields, another class.
    class ForeignRelayError extends Error {
      override readonly name = 'RelayError';
      constructor(
        readonly status: number,
        readonly code: string,
        message: string,
      ) {
        super(message);
      }
    }
    const tools = testTools({ checkAvailability: 0, createBooking: 0, throwing: 0 });
    const { handler } = testRelay({
      tools: {
        ...tools,
        CreateBooking: {
          domain: 'reservations',
          handler: () => {
            runs += 1;
            throw new ForeignRelayError(409, 'slot_full', 'Every table is taken.');
          },
        },
      },
    });
    const visitor = new Visitor(restaurantFlow(), 'session-foreign');
    const response = await handler(visitor.request(visitor.trigger('CreateBooking', booking)));
    expect(response.status).toBe(409);
    expect(await errorOf(response)).toEqual({ code: 'slot_full', message: 'Every table is taken.' });
    expect(runs).toBe(1);
    expect(new RelayError(409, 'x', 'y')).toBeInstanceOf(Error);
  });

  it('refuses 1e309 and -1e309 in any body, and never fingerprints Infinity like -Infinity', async () => {
    const { handler, counters } = testRelay();
    for (const raw of ['{"flowId":"restaurant","sessionId":"s1","args":{"date":"2026-12-24","time":"19:30","partySize":1e309}}', '{"flowId":"restaurant","state":"Start","sessionId":"s1","text":"hi","x":-1e309}']) {
      const response = await handler(post(raw.includes('args') ? '/v1/tools/CheckAvailability' : '/v1/classify', raw, { 'idempotency-key': 'key-00000001' }));
      expect(response.status).toBe(400);
      expect((await errorOf(response)).code).toBe('non_finite_number');
    }
    expect(counters.checkAvailability).toBe(0);
    expect(() => fingerprintOf({ partySize: Number.POSITIVE_INFINITY })).toThrow();
    expect(() => fingerprintOf({ partySize: Number.NEGATIVE_INFINITY })).toThrow();
  });
});

describe('authenticate', () => {
  it('passes the identity to the tool and refuses a tool that needs one without it', async () => {
    const seen: unknown[] = [];
    const tools = testTools({ checkAvailability: 0, createBooking: 0, throwing: 0 });
    const { handler } = testRelay({
      authenticate: (request) => {
        const token = request.headers.get('authorization');
        if (token === 'Bearer forged') throw new RelayError(401, 'unauthenticated', 'Sign in again.');
        return token === 'Bearer member-7' ? { id: 'member-7', plan: 'gold' } : null;
      },
      tools: { ...tools, CreateBooking: { domain: 'reservations', requiresIdentity: true, handler: (_args, context) => (seen.push(context.identity), { bookingId: 'B-1' }) } },
    });
    const request = (sessionId: string, authorization?: string) => {
      const visitor = new Visitor(restaurantFlow(), sessionId);
      const call = visitor.trigger('CreateBooking', booking);
      const original = visitor.request(call);
      const headers = new Headers(original.headers);
      if (authorization) headers.set('authorization', authorization);
      return new Request(original, { headers });
    };
    const anonymous = await handler(request('session-anon'));
    expect(anonymous.status).toBe(401);
    expect((await errorOf(anonymous)).code).toBe('identity_required');
    const forged = await handler(request('session-forged-token', 'Bearer forged'));
    expect(forged.status).toBe(401);
    const member = await handler(request('session-member', 'Bearer member-7'));
    expect(member.status).toBe(200);
    expect(seen).toEqual([{ id: 'member-7', plan: 'gold' }]);
  });

  it('counts an identity\'s requests together, whatever session or address they come from', async () => {
    const { handler } = testRelay({
      authenticate: (request) => (request.headers.get('authorization') === 'Bearer member-9' ? { id: 'member-9' } : null),
      rateLimits: { perIp: { limit: 100, windowMs: 60_000 }, perSession: { limit: 100, windowMs: 60_000 }, perIdentity: { limit: 3, windowMs: 60_000 } },
    });
    const classify = (index: number, authorization?: string) =>
      new Request('https://relay.test/v1/classify', {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...(authorization ? { authorization } : {}) },
        body: JSON.stringify({ flowId: 'restaurant', state: 'Start', sessionId: `session-identity-${index}`, text: 'hello' }),
      });
    const statuses: number[] = [];
    for (let index = 0; index < 5; index++) statuses.push((await handler(classify(index, 'Bearer member-9'), { clientAddress: `192.0.2.${index}` })).status);
    expect(statuses).toEqual([200, 200, 200, 429, 429]);
    // Anonymous visitors are not counted against the member.
    expect((await handler(classify(9), { clientAddress: '192.0.2.9' })).status).toBe(200);
  });
});
