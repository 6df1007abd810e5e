import { describe, expect, it } from 'vitest';
import { createRelay, type RelayOptions } from '../../relay/index.ts';
import { MemoryHandoffStore } from '../../relay/handoff/memory-store.ts';
import { captureLogs } from './fixtures.ts';
import { BASE, errorOf, get, post } from './helpers.ts';
import { AGENT_CONSOLE_CSP } from '../../relay/agent-console/serve.ts';
import { AGENT_TOKEN, collectEvents, handoffFlow, handoffProof, openBody, VISITOR_KEY } from './support/handoff.ts';

const agent = { authorization: `Bearer ${AGENT_TOKEN}` };
const visitor = { authorization: `Bearer ${VISITOR_KEY}` };

function relay(overrides: Partial<RelayOptions> = {}) {
  const logs = captureLogs();
  const handler = createRelay({ flows: [handoffFlow()], logger: logs.sink, handoff: { agentToken: AGENT_TOKEN, heartbeatMs: 200 }, ...overrides });
  return { handler, logs };
}

async function open(handler: ReturnType<typeof createRelay>, overrides: Record<string, unknown> = {}): Promise<string> {
  const response = await handler(post('/v1/handoffs', openBody(overrides)));
  expect(response.status).toBe(201);
  const body = (await response.json()) as { handoff: { id: string; status: string } };
  expect(body.handoff.status).toBe('waiting');
  return body.handoff.id;
}

describe('live handoff: the agent API', () => {
  it('answers 401 with a JSON error without a valid agent token, on every agent endpoint', async () => {
    const { handler } = relay();
    const id = await open(handler);
    const requests = [
      get('/v1/agent/handoffs'),
      get(`/v1/agent/handoffs/${id}`),
      get(`/v1/agent/handoffs/${id}/events`),
      get('/v1/agent/stream'),
      post(`/v1/agent/handoffs/${id}/messages`, { text: 'hi' }),
      post(`/v1/agent/handoffs/${id}/close`, {}),
    ];
    for (const request of requests) {
      const response = await handler(request);
      expect(response.status, request.url).toBe(401);
      expect(response.headers.get('www-authenticate')).toBe('Bearer');
      expect((await errorOf(response)).code).toBe('unauthorized');
    }
    const wrong = await handler(get('/v1/agent/handoffs', { authorization: 'Bearer not-the-token' }));
    expect(wrong.status).toBe(401);
    expect((await errorOf(wrong)).message).toMatch(/not valid/);
  });

  it('lists open handoffs newest first with their transcripts, unmasked for the agent', async () => {
    let clock = 1_000;
    const { handler } = relay({ now: () => clock });
    const first = await open(handler);
    clock = 2_000;
    const second = await open(handler, { sessionId: 'session-2' });
    const response = await handler(get('/v1/agent/handoffs', agent));
    expect(response.status).toBe(200);
    const body = (await response.json()) as { handoffs: Array<Record<string, unknown> & { messages: Array<{ role: string; text: string; at: number }> }> };
    expect(body.handoffs.map((handoff) => handoff.id)).toEqual([second, first]);
    const listed = body.handoffs[1] as (typeof body.handoffs)[number];
    expect(listed).toMatchObject({ id: first, flowId: 'handoff-restaurant', sessionId: 'session-1', reason: 'visitor asked for a person', queue: 'front-desk', status: 'waiting', createdAt: 1_000 });
    expect(listed.messages).toEqual([
      { role: 'bot', text: 'How can I help?', at: 1 },
      { role: 'visitor', text: 'talk to a person, I am ann@example.com', at: 2 },
    ]);
    const one = await handler(get(`/v1/agent/handoffs/${first}`, agent));
    expect(((await one.json()) as { id: string }).id).toBe(first);
    expect((await handler(get('/v1/agent/handoffs/nope', agent))).status).toBe(404);
  });

  it('accepts a custom authenticateAgent, whose name the visitor sees', async () => {
    const { handler } = relay({
      handoff: { authenticateAgent: (request) => (request.headers.get('x-staff') === 'yes' ? { name: 'Ana' } : null) },
    });
    const id = await open(handler);
    expect((await handler(get('/v1/agent/handoffs'))).status).toBe(401);
    const sent = await handler(post(`/v1/agent/handoffs/${id}/messages`, { text: 'Hello!' }, { 'x-staff': 'yes' }));
    expect(sent.status).toBe(201);
    expect(((await sent.json()) as { handoff: { agent: string; status: string } }).handoff).toMatchObject({ agent: 'Ana', status: 'active' });
  });

  it('is off without agent authentication: the widget is told, and keeps the old notice', async () => {
    const { handler } = relay({ handoff: {} });
    const response = await handler(post('/v1/handoffs', openBody()));
    expect(response.status).toBe(404);
    expect((await errorOf(response)).code).toBe('handoff_unavailable');
    expect((await handler(get('/v1/agent/handoffs', agent))).status).toBe(404);
  });
});

describe('live handoff: the visitor side', () => {
  it('streams the join and the agent messages, not the transcript, and resumes after Last-Event-ID', async () => {
    const { handler } = relay();
    const id = await open(handler);
    const stream = await handler(get(`/v1/handoffs/${id}/events`, visitor));
    expect(stream.headers.get('content-type')).toMatch(/^text\/event-stream/);
    const reading = collectEvents(stream, (events) => events.length >= 3);
    await handler(post(`/v1/agent/handoffs/${id}/messages`, { text: 'Hi, I am Ana. How can I help?', agent: 'Ana' }, agent));
    await handler(post(`/v1/agent/handoffs/${id}/messages`, { text: 'Still there?' }, agent));
    const events = await reading;
    expect(events.map((event) => event.event)).toEqual(['joined', 'message', 'message']);
    expect(events.map((event) => event.id)).toEqual(['3', '4', '5']);
    expect(JSON.parse(events[0]?.data ?? '')).toMatchObject({ type: 'joined', agent: 'Ana' });
    expect(JSON.parse(events[1]?.data ?? '').message).toMatchObject({ role: 'agent', text: 'Hi, I am Ana. How can I help?', agent: 'Ana' });
    expect(JSON.parse(events[2]?.data ?? '').message).toMatchObject({ agent: 'Ana' });

    const resumed = await handler(get(`/v1/handoffs/${id}/events`, { ...visitor, 'last-event-id': '4' }));
    const again = await collectEvents(resumed, (seen) => seen.length >= 1);
    expect(again.map((event) => event.id)).toEqual(['5']);
  });

  it('keeps visitor messages once per id, in order, for the agent', async () => {
    const { handler } = relay();
    const id = await open(handler);
    const agentStream = collectEvents(await handler(get(`/v1/agent/handoffs/${id}/events`, { ...agent, 'last-event-id': '2' })), (events) => events.length >= 2);
    const first = await handler(post(`/v1/handoffs/${id}/messages`, { id: 'm1', text: 'hello?' }, visitor));
    expect(first.status).toBe(201);
    const retried = await handler(post(`/v1/handoffs/${id}/messages`, { id: 'm1', text: 'hello?' }, visitor));
    expect(retried.status).toBe(200);
    expect(await retried.json()).toEqual({ seq: 3 });
    await handler(post(`/v1/handoffs/${id}/messages`, { id: 'm2', text: 'anyone?' }, visitor));
    const events = await agentStream;
    expect(events.map((event) => JSON.parse(event.data).message.text)).toEqual(['hello?', 'anyone?']);
  });

  it('refuses the handoff to anyone without the visitor key, without saying whether it exists', async () => {
    const { handler } = relay();
    const id = await open(handler);
    for (const headers of [{}, { authorization: 'Bearer someone-else-0123456789abcdefghijklmnop' }] as Record<string, string>[]) {
      const response = await handler(get(`/v1/handoffs/${id}/events`, headers));
      expect(response.status).toBe(404);
      expect((await errorOf(response)).code).toBe('handoff_not_found');
    }
    expect((await handler(post(`/v1/handoffs/${id}/messages`, { id: 'x', text: 'hi' }))).status).toBe(404);
  });

  it('opens once per session and key: a retried open gets the same handoff, another key a 409', async () => {
    const { handler } = relay();
    const id = await open(handler);
    const again = await handler(post('/v1/handoffs', openBody()));
    expect(again.status).toBe(200);
    expect(((await again.json()) as { handoff: { id: string } }).handoff.id).toBe(id);
    const stolen = await handler(post('/v1/handoffs', openBody({ visitorKey: 'another-visitor-key-0123456789abcdefghij' })));
    expect(stolen.status).toBe(409);
  });

  it('checks the open against the relay’s own flow: queue, flow, shapes', async () => {
    const { handler } = relay();
    const cases: Array<[Record<string, unknown>, number, string]> = [
      [{ queue: 'vip' }, 403, 'handoff_not_allowed'],
      [{ flowId: 'other' }, 404, 'flow_not_found'],
      [{ visitorKey: 'short' }, 400, 'bad_request'],
      [{ transcript: [{ role: 'agent', text: 'fake', at: 1 }] }, 400, 'bad_request'],
      [{ transcript: 'no' }, 400, 'bad_request'],
    ];
    for (const [overrides, status, code] of cases) {
      const response = await handler(post('/v1/handoffs', openBody(overrides)));
      expect(response.status, JSON.stringify(overrides)).toBe(status);
      expect((await errorOf(response)).code).toBe(code);
    }
  });

  it('opens only a handoff the conversation reached, as a tool call (its journal replayed with the relay’s flow)', async () => {
    const { handler, logs } = relay();
    const refused: Array<[string, Record<string, unknown>, number, string, RegExp]> = [
      ['no journal', { proof: undefined }, 403, 'conversation_unverified', /proof_missing/],
      ['a step that did not hand off', { key: '1' }, 403, 'conversation_unverified', /handoff_not_reached/],
      ['a position past the journal', { key: '7' }, 403, 'conversation_unverified', /handoff_not_reached/],
      ['another session’s journal', { proof: handoffProof('someone-else', 0) }, 403, 'conversation_unverified', /journal_not_started/],
      ['a journal that never asked for staff', { proof: { entries: [handoffProof('session-1', 0).entries[0]] } }, 403, 'conversation_unverified', /handoff_not_reached/],
      ['a key that is no journal position', { key: 'handoff-1' }, 400, 'bad_request', /journal position/],
    ];
    for (const [what, overrides, status, code, message] of refused) {
      const response = await handler(post('/v1/handoffs', openBody(overrides)));
      expect(response.status, what).toBe(status);
      const error = await errorOf(response);
      expect(error.code, what).toBe(code);
      expect(error.message, what).toMatch(message);
    }
    expect(((await (await handler(get('/v1/agent/handoffs', agent))).json()) as { handoffs: unknown[] }).handoffs).toEqual([]);
    expect(logs.parsed().filter((line) => line.denied !== undefined).map((line) => line.denied)).toEqual(['proof_missing', 'handoff_not_reached', 'handoff_not_reached', 'journal_not_started', 'handoff_not_reached']);
  });

  it('takes the reason and queue from the flow’s own handoff, not from the page, and logs no made-up id', async () => {
    const { handler, logs } = relay();
    const sessionId = 'Ann Smith 4111 1111 1111 1111';
    const id = await open(handler, { sessionId, reason: 'VIP, skip the queue' });
    const one = (await (await handler(get(`/v1/agent/handoffs/${id}`, agent))).json()) as { reason: string; queue: string; sessionId: string };
    expect(one).toMatchObject({ reason: 'visitor asked for a person', queue: 'front-desk', sessionId });
    expect(logs.text()).not.toContain('Ann Smith');
    expect(logs.text()).not.toContain('4111');
    expect(logs.parsed().find((line) => line.handoffId === id)).toMatchObject({ flowId: 'handoff-restaurant', queue: 'front-desk', sessionId: expect.stringMatching(/^s-[0-9a-f]{16}$/) });
  });

  it('opens without a journal when the relay does not verify conversations', async () => {
    const { handler } = relay({ verifyConversations: false });
    const response = await handler(post('/v1/handoffs', openBody({ proof: undefined, key: 'any-key' })));
    expect(response.status).toBe(201);
  });

  it('ends the visitor stream with the close, carrying the flow event and its data', async () => {
    const { handler } = relay();
    const id = await open(handler);
    const reading = collectEvents(await handler(get(`/v1/handoffs/${id}/events`, visitor)), () => false);
    await handler(post(`/v1/agent/handoffs/${id}/messages`, { text: 'Let me hand you back to the booking.', agent: 'Ana' }, agent));
    const closed = await handler(post(`/v1/agent/handoffs/${id}/close`, { event: 'booking.resume', data: { partySize: 9 } }, agent));
    expect(closed.status).toBe(200);
    expect(((await closed.json()) as { status: string }).status).toBe('closed');
    const events = await reading;
    expect(events.map((event) => event.event)).toEqual(['joined', 'message', 'closed']);
    expect(JSON.parse(events[2]?.data ?? '')).toMatchObject({ by: 'agent', event: 'booking.resume', data: { partySize: 9 } });
    const late = await handler(post(`/v1/handoffs/${id}/messages`, { id: 'late', text: 'hello?' }, visitor));
    expect(late.status).toBe(410);
    const listed = (await (await handler(get('/v1/agent/handoffs', agent))).json()) as { handoffs: unknown[] };
    expect(listed.handoffs).toEqual([]);
    expect((await handler(post(`/v1/agent/handoffs/${id}/close`, { event: 'bad event!' }, agent))).status).toBe(400);
  });

  it('lets the visitor leave (the flow moved on): the agent sees it closed', async () => {
    const { handler } = relay();
    const id = await open(handler);
    expect((await handler(post(`/v1/handoffs/${id}/leave`, {}, visitor))).status).toBe(200);
    const one = (await (await handler(get(`/v1/agent/handoffs/${id}`, agent))).json()) as { status: string };
    expect(one.status).toBe('closed');
    expect((await handler(post(`/v1/agent/handoffs/${id}/messages`, { text: 'hi' }, agent))).status).toBe(410);
  });

  it('logs ids and outcomes, never the transcript or messages (which reach the agent unmasked)', async () => {
    const { handler, logs } = relay();
    const id = await open(handler);
    await handler(post(`/v1/handoffs/${id}/messages`, { id: 'm1', text: 'my phone is +44 7700 900123' }, visitor));
    await handler(post(`/v1/agent/handoffs/${id}/messages`, { text: 'Thanks Ann, I will call +44 7700 900123' }, agent));
    const text = logs.text();
    expect(text).toContain(id);
    expect(text).not.toMatch(/ann@example\.com|7700|Thanks Ann|talk to a person/);
    const full = (await (await handler(get(`/v1/agent/handoffs/${id}`, agent))).json()) as { messages: Array<{ text: string }> };
    expect(full.messages.map((message) => message.text)).toContain('my phone is +44 7700 900123');
  });

  it('forgets handoffs after the retention time', async () => {
    let clock = 10_000;
    const store = new MemoryHandoffStore({ now: () => clock });
    const { handler } = relay({ now: () => clock, handoff: { agentToken: AGENT_TOKEN, store, retentionMs: 60_000 } });
    const id = await open(handler);
    clock += 59_000;
    expect((await handler(get(`/v1/agent/handoffs/${id}`, agent))).status).toBe(200);
    clock += 2_000;
    expect((await handler(get(`/v1/agent/handoffs/${id}`, agent))).status).toBe(404);
    expect(((await (await handler(get('/v1/agent/handoffs', agent))).json()) as { handoffs: unknown[] }).handoffs).toEqual([]);
  });

  it('allows the handoff headers through CORS', async () => {
    const { handler } = relay({ allowedOrigins: ['https://shop.example'] });
    const preflight = await handler(
      new Request(`${BASE}/v1/handoffs/x/events`, { method: 'OPTIONS', headers: { origin: 'https://shop.example', 'access-control-request-headers': 'authorization, last-event-id' } }),
    );
    expect(preflight.headers.get('access-control-allow-headers')).toMatch(/authorization/);
    expect(preflight.headers.get('access-control-allow-headers')).toMatch(/last-event-id/);
  });

  it('serves the agent console under a strict CSP, and its same-host requests pass CORS', async () => {
    const { handler } = relay({ allowedOrigins: ['https://shop.example'], handoff: { agentToken: AGENT_TOKEN, console: { script: 'console.log(1)' } } });
    const page = await handler(get('/agent'));
    expect(page.status).toBe(200);
    expect(page.headers.get('content-security-policy')).toBe(AGENT_CONSOLE_CSP);
    expect(await page.text()).toContain('<script type="module" src="agent/console.js"></script>');
    // Chromium sends Origin with a module script and a POST, even to the page's own host.
    const script = await handler(get('/agent/console.js', { origin: BASE }));
    expect(script.status).toBe(200);
    expect(script.headers.get('content-type')).toMatch(/^text\/javascript/);
    const id = await open(handler);
    expect((await handler(post(`/v1/agent/handoffs/${id}/messages`, { text: 'hi' }, { ...agent, origin: BASE }))).status).toBe(201);
    expect((await handler(get('/v1/agent/handoffs', { ...agent, origin: 'https://evil.example' }))).status).toBe(403);
    // No console without agent sign-in.
    const off = relay({ handoff: { console: { script: 'x' } } }).handler;
    expect((await off(get('/agent'))).status).toBe(404);
  });
});
