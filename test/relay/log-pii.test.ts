import { http, HttpResponse } from 'msw';
import { setupServer } from 'msw/node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MaskedLogger } from '../../relay/logger.ts';
import { restaurantFlow } from './fixtures.ts';
import { get, post, testRelay } from './helpers.ts';
import { verifiedCall } from './support/visitor.ts';

const PII = {
  email: 'ann.lee@example.com',
  phone: '+44 20 7946 0958',
  card: '4111 1111 1111 1111',
  iban: 'gb82west12345698765432',
  ssn: '123-45-6789',
  ipv4: '198.51.100.23',
  ipv6: '2001:db8::8a2e:370:7334',
  name: 'Ada Lovelace',
};
const freeText = `I am ${PII.name}, mail ${PII.email}, call ${PII.phone}, card ${PII.card}, iban ${PII.iban}, ssn ${PII.ssn}, from ${PII.ipv4} / ${PII.ipv6}`;

const server = setupServer(
  http.post('https://llm.test/v1/chat/completions', () =>
    HttpResponse.json({
      id: 'x',
      object: 'chat.completion',
      created: 1,
      model: 'm',
      choices: [{ index: 0, finish_reason: 'stop', logprobs: null, message: { role: 'assistant', refusal: null, content: JSON.stringify({ intent: 'CONTACT', confidence: 0.8, slots: { email: '<EMAIL_1>', partySize: null, date: null, time: null } }) } }],
    }),
  ),
);
beforeAll(() => server.listen({ onUnhandledRequest: 'error' }));
afterAll(() => server.close());

describe('log lines carry no PII', () => {
  it('masks what comes through every endpoint, valid or not', async () => {
    const { handler, logs } = testRelay({ llm: { apiKey: 'sk-test', model: 'm', baseURL: 'https://llm.test/v1', timeoutMs: 500 } });
    const booking = { date: '2026-12-24', time: '19:30', partySize: 4, name: PII.name, phone: PII.phone };
    // A conversation that reached the booking: the relay runs it, and logs the call.
    const verified = verifiedCall(restaurantFlow(), 'session-pii-1', 'CreateBooking', booking);
    const requests = [
      get('/v1/health'),
      get(`/v1/flows/${encodeURIComponent(PII.email)}`),
      get(`/v1/${PII.ssn}/${PII.card.replaceAll(' ', '')}`),
      post('/v1/classify', { flowId: 'restaurant', state: 'Start', sessionId: 's1', text: freeText }),
      post('/v1/classify', { flowId: 'restaurant', state: 'Start', sessionId: 's1', text: `book a table for 4, I am ${PII.name}, ${PII.phone}` }),
      verified.request(),
      verified.request(),
      post('/v1/tools/CreateBooking', { flowId: 'restaurant', sessionId: 's1', args: { ...booking, partySize: 5, note: freeText } }, { 'idempotency-key': 'key-pii-0002' }),
      post('/v1/tools/CheckAvailability', { flowId: 'restaurant', sessionId: 's1', args: { date: freeText, time: PII.iban, partySize: 2 } }, { 'idempotency-key': 'key-pii-0003' }),
      post('/v1/tools/LookupOrder', { flowId: 'shop', sessionId: 's1', args: { orderId: 'A-1', email: PII.email } }, { 'idempotency-key': 'key-pii-0004' }),
      post('/v1/tools/LookupOrder', { flowId: 'restaurant', sessionId: 's1', args: { orderId: 'A-1', email: PII.email } }, { 'idempotency-key': 'key-pii-0005' }),
    ];
    for (const request of requests) await handler(request, { clientAddress: PII.ipv4 });

    const output = logs.text();
    expect(logs.lines.length).toBeGreaterThanOrEqual(requests.length + 1);
    for (const [kind, value] of Object.entries(PII)) {
      expect(output, kind).not.toContain(value);
      expect(output.toLowerCase(), kind).not.toContain(value.toLowerCase());
    }
    expect(output).not.toContain('41111111');
    expect(output).not.toContain('7946');
    expect(output).toContain('[OTHER]');
    // Ids the relay does not know never reach the log, whatever their shape.
    expect(logs.parsed().map((line) => line.path)).toContain('/v1/flows/[OTHER]');
    expect(logs.parsed().map((line) => line.path)).toContain('/v1/[OTHER]/[OTHER]');
    expect(output).not.toContain('%40');
    expect(logs.parsed().filter((line) => line.msg === 'tool call')).toHaveLength(1);
  });

  it('logs no id a client made up as it is: a session id, a flow, a state or a tool name may be a name or a passport number', async () => {
    const { handler, logs } = testRelay();
    const madeUp = { nino: 'QQ123456C', passport: '533401372', birthDate: '14/07/1985', name: 'Ana Lima', street: '221B Baker Street' };
    for (const value of Object.values(madeUp)) {
      await handler(post('/v1/classify', { flowId: 'restaurant', state: 'Start', sessionId: value, text: 'hello' }));
      await handler(post('/v1/classify', { flowId: value, state: value, sessionId: 's1', text: 'hello' }));
      await handler(post('/v1/classify', { flowId: 'restaurant', state: value, sessionId: 's1', text: 'hello' }));
      await handler(post(`/v1/tools/${encodeURIComponent(value)}`, { flowId: 'restaurant', sessionId: value, args: {} }, { 'idempotency-key': 'key-made-up-1' }));
      await handler(post('/v1/tools/CheckAvailability', { flowId: value, sessionId: value, args: {} }, { 'idempotency-key': 'key-made-up-2' }));
      await handler(post('/v1/checkpoint', { flowId: 'restaurant', sessionId: value, proof: { entries: [] } }));
    }
    const widgetSession = '3f2b8c1e-9d4a-4e7b-8c2d-1a5e6f7b8c9d';
    await handler(post('/v1/classify', { flowId: 'restaurant', state: 'Start', sessionId: widgetSession, text: 'hello' }));
    const output = logs.text();
    for (const [kind, value] of Object.entries(madeUp)) {
      expect(output, kind).not.toContain(value);
      expect(output, kind).not.toContain(encodeURIComponent(value));
    }
    const lines = logs.parsed();
    // The widget's session ids are random UUIDs, logged as they are; one made-up id's lines still go together.
    expect(lines.map((line) => line.sessionId)).toContain(widgetSession);
    const ninoSessions = new Set(lines.filter((line) => line.path === '/v1/checkpoint' || line.path === '/v1/tools/[OTHER]').map((line) => line.sessionId));
    expect([...ninoSessions].every((id) => typeof id === 'string' && /^s-[0-9a-f]{16}$/.test(id))).toBe(true);
    expect(lines.some((line) => line.flowId === 'restaurant' && line.state === 'Start')).toBe(true);
    expect(lines.some((line) => line.flowId === '[OTHER]' && line.state === '[OTHER]')).toBe(true);
  });

  it('logs only the argument names a tool declares, counting the others: a client\'s key names are free text', async () => {
    const { handler, logs } = testRelay();
    const args = { date: '2026-12-24', time: '19:30', partySize: 2, [PII.name]: 'x', 'my maiden name is Byron': 'y' };
    const response = await handler(post('/v1/tools/CheckAvailability', { flowId: 'restaurant', sessionId: 's1', args }, { 'idempotency-key': 'key-arg-names-1' }));
    expect(response.status).toBe(422);
    expect(logs.text()).not.toContain('Ada');
    expect(logs.text()).not.toContain('Byron');
    expect(logs.parsed().find((line) => line.msg === 'request')).toMatchObject({ args: ['date', 'time', 'partySize'], otherArgs: 2 });
  });

  it('masks free text and flagged values in any field of a line', () => {
    const lines: unknown[] = [];
    const sink = { info: (fields: object, message: string) => lines.push({ ...fields, message }), warn: () => undefined, error: () => undefined };
    new MaskedLogger(sink).write('info', { note: `${PII.name} wrote from ${PII.email}`, nested: [{ card: PII.card }] }, `ip ${PII.ipv6}`, [PII.name]);
    expect(lines).toEqual([{ note: '[PII] wrote from [EMAIL]', nested: [{ card: '[CARD]' }], message: 'ip [IP]' }]);
  });
});
