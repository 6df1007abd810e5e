import { delay, http, HttpResponse } from 'msw';
import { setupServer } from 'msw/node';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { post, testRelay } from './helpers.ts';

const LLM_URL = 'https://llm.test/v1';
const captured: { body: Record<string, unknown> }[] = [];
const server = setupServer();

beforeAll(() => server.listen({ onUnhandledRequest: 'error' }));
afterEach(() => {
  server.resetHandlers();
  captured.length = 0;
});
afterAll(() => server.close());

function completion(content: string) {
  return {
    id: 'chatcmpl-test',
    object: 'chat.completion',
    created: 1_700_000_000,
    model: 'test-model',
    choices: [{ index: 0, finish_reason: 'stop', logprobs: null, message: { role: 'assistant', content, refusal: null } }],
    usage: { prompt_tokens: 10, completion_tokens: 10, total_tokens: 20 },
  };
}

function answerWith(respond: () => Response | Promise<Response>) {
  server.use(
    http.post(`${LLM_URL}/chat/completions`, async ({ request }) => {
      captured.push({ body: (await request.json()) as Record<string, unknown> });
      return respond();
    }),
  );
}

const relay = (options: { mask?: boolean } = {}) =>
  testRelay({ llm: { apiKey: 'sk-test-secret', model: 'test-model', baseURL: LLM_URL, timeoutMs: 150 }, maskPiiForLlm: options.mask ?? true });

// Words the local classifier has not seen, so its confidence stays under the threshold.
const UNSURE = 'we would love to celebrate our anniversary with you, write to ann.lee@example.com';
const body = (text: string, extra: Record<string, unknown> = {}) => ({ flowId: 'restaurant', state: 'Start', sessionId: 's1', text, ...extra });

describe('POST /v1/classify', () => {
  it('answers locally when the local classifier is sure, without calling the LLM', async () => {
    const { handler } = relay();
    answerWith(() => HttpResponse.json(completion('{}')));
    const response = await handler(post('/v1/classify', body('I want to book a table for 4 people tomorrow at 7pm')));
    const answer = (await response.json()) as Record<string, unknown>;
    expect(answer).toMatchObject({ intent: 'BOOK', source: 'local', slots: { partySize: 4, date: '2026-11-24', time: '19:00' } });
    expect(captured).toHaveLength(0);
  });

  it('works without an LLM configured', async () => {
    const { handler } = testRelay();
    const answer = (await (await handler(post('/v1/classify', body(UNSURE)))).json()) as Record<string, unknown>;
    expect(answer.source).toBe('local');
  });

  it('asks the LLM when unsure, with a schema from its own copy of the flow and PII replaced', async () => {
    const { handler } = relay();
    answerWith(() => HttpResponse.json(completion(JSON.stringify({ intent: 'CONTACT', confidence: 0.9, slots: { email: '<EMAIL_1>', partySize: null, date: null, time: null } }))));
    const response = await handler(post('/v1/classify', body(UNSURE, { intents: ['ADMIN_DELETE_ALL'] })));
    expect(await response.json()).toEqual({ intent: 'CONTACT', confidence: 0.9, slots: { email: 'ann.lee@example.com' }, source: 'llm', signature: expect.any(String) });

    expect(captured).toHaveLength(1);
    const sent = JSON.stringify(captured[0]?.body);
    expect(sent).not.toContain('ann.lee@example.com');
    expect(sent).toContain('<EMAIL_1>');
    expect(sent).not.toContain('ADMIN_DELETE_ALL');
    const format = captured[0]?.body.response_format as { type: string; json_schema: { strict: boolean; schema: { properties: { intent: { enum: string[] } } } } };
    expect(format.type).toBe('json_schema');
    expect(format.json_schema.strict).toBe(true);
    // The flow's intents and the built-in small talk.
    expect(format.json_schema.schema.properties.intent.enum.sort()).toEqual(['BOOK', 'BOT_QUESTION', 'CONTACT', 'GOODBYE', 'GREET', 'HELP', 'HOURS', 'THANKS', 'none']);
  });

  it('tells the LLM the question asked, the names of the filled slots and the last bot message, with personal data masked', async () => {
    const { handler } = relay();
    answerWith(() => HttpResponse.json(completion(JSON.stringify({ intent: 'none', confidence: 0.3, slots: { email: null, partySize: null, date: null, time: null } }))));
    const context = {
      slot: 'email',
      filled: ['name', 'partySize', 'notASlot'],
      lastBotMessage: 'Thanks Ann! Which e-mail should we use, ann.lee@example.com or another? Call +44 20 7946 0958 if unsure.',
    };
    const response = await handler(post('/v1/classify', body(UNSURE, { context })));
    expect(response.status).toBe(200);
    expect(captured).toHaveLength(1);
    const messages = captured[0]?.body.messages as { role: string; content: string }[];
    const around = messages.find((message) => message.role === 'system' && message.content.startsWith('Conversation so far'));
    expect(around?.content).toContain('It asked for the slot "email"');
    expect(around?.content).toContain('Already known (values withheld): name, partySize.');
    expect(around?.content).not.toContain('notASlot');
    // The e-mail is also in the visitor's message, where it was read as the slot: one placeholder for both.
    expect(around?.content).toContain('use, <PII_1> or another? Call <PHONE_1> if unsure');
    const sent = JSON.stringify(captured[0]?.body);
    expect(sent).not.toContain('ann.lee@example.com');
    expect(sent).not.toContain('7946 0958');
    expect(messages.at(-1)).toEqual({ role: 'user', content: expect.stringContaining('<PII_1>') });
  });

  it('refuses a malformed context with a 400 naming the field', async () => {
    const { handler } = relay();
    for (const context of [{ filled: 'name' }, { slot: 4 }, { lastBotMessage: 'x'.repeat(1001) }, 'slot']) {
      const response = await handler(post('/v1/classify', body('book a table', { context })));
      expect(response.status).toBe(400);
      const answer = (await response.json()) as { error: { code: string; message: string } };
      expect(answer.error.code).toBe('bad_request');
      expect(answer.error.message).toMatch(/context/);
    }
  });

  it('reads a short answer as an answer to the question asked', async () => {
    const { handler } = testRelay();
    const answer = (await (await handler(post('/v1/classify', body('4', { context: { slot: 'partySize', filled: [], lastBotMessage: 'How many people?' } })))).json()) as Record<string, unknown>;
    expect(answer).toMatchObject({ slots: { partySize: 4 } });
  });

  it('reads dates and times in the visitor’s language when the page says which', async () => {
    const { handler } = testRelay();
    const ask = async (extra: Record<string, unknown>) =>
      ((await (await handler(post('/v1/classify', body('demain à 19h', { context: { slot: 'date', filled: ['partySize'], lastBotMessage: 'Quel jour ?' }, ...extra })))).json()) as Record<string, unknown>);
    expect(await ask({ language: 'fr' })).toMatchObject({ slots: { date: '2026-11-24' } });
    expect(await ask({ language: 'fr-CA' })).toMatchObject({ slots: { date: '2026-11-24' } });
    // Without it (or with something that is not a language tag), the flow's language: English reads no date in it.
    for (const extra of [{}, { language: 'fr; DROP TABLE' }]) expect((await ask(extra)).slots).not.toHaveProperty('date');
  });

  it('sends the text as is when masking is turned off', async () => {
    const { handler } = relay({ mask: false });
    answerWith(() => HttpResponse.json(completion(JSON.stringify({ intent: 'none', confidence: 0.2, slots: { email: null, partySize: null, date: null, time: null } }))));
    const answer = (await (await handler(post('/v1/classify', body(UNSURE)))).json()) as Record<string, unknown>;
    expect(answer).toMatchObject({ intent: null, source: 'llm' });
    expect(JSON.stringify(captured[0]?.body)).toContain('ann.lee@example.com');
  });

  it.each([
    ['malformed JSON', () => HttpResponse.json(completion('{"intent": "CONTACT", '))],
    ['an intent outside the allowed enum', () => HttpResponse.json(completion(JSON.stringify({ intent: 'ADMIN', confidence: 1, slots: {} })))],
    ['a slot of the wrong type', () => HttpResponse.json(completion(JSON.stringify({ intent: 'BOOK', confidence: 1, slots: { partySize: 'many', email: null, date: null, time: null } })))],
    ['an answer whose body stalls after its headers', () =>
      new HttpResponse(new ReadableStream({ start: (controller) => controller.enqueue(new TextEncoder().encode('{"id":"chatcmpl-test",')) }), {
        headers: { 'content-type': 'application/json' },
      })],
    ['a timeout', async () => {
      await delay(1000);
      return HttpResponse.json(completion('{}'));
    }],
    ['a refusal', () => HttpResponse.json({ ...completion(''), choices: [{ index: 0, finish_reason: 'stop', logprobs: null, message: { role: 'assistant', content: null, refusal: 'I cannot help with that.' } }] })],
    ['no choices', () => HttpResponse.json({ ...completion(''), choices: [] })],
    ['an answer with keys outside the schema', () => HttpResponse.json(completion(JSON.stringify({ intent: 'BOOK', confidence: 1, slots: { partySize: 2, email: null, date: null, time: null }, admin: true })))],
    ['an answer far larger than a classification', () => HttpResponse.json(completion(JSON.stringify({ intent: 'BOOK', confidence: 1, slots: { partySize: null, email: 'x'.repeat(300_000), date: null, time: null } })))],
    ['429', () => HttpResponse.json({ error: { message: 'slow down' } }, { status: 429 })],
    ['500', () => HttpResponse.json({ error: { message: 'boom' } }, { status: 500 })],
  ])('falls back to the local answer on %s', async (_label, respond) => {
    const { handler, logs } = relay();
    answerWith(respond);
    const started = performance.now();
    const response = await handler(post('/v1/classify', body(UNSURE)));
    expect(response.status).toBe(200);
    const answer = (await response.json()) as Record<string, unknown>;
    expect(answer.source).toBe('local');
    expect(captured).toHaveLength(1);
    expect(performance.now() - started).toBeLessThan(900);
    expect(logs.text()).not.toContain('sk-test-secret');
  });
});

describe('an LLM key in a browser', () => {
  afterEach(() => vi.unstubAllGlobals());

  it('is refused unless the page says it is a demo', () => {
    vi.stubGlobal('window', { document: {} });
    vi.stubGlobal('navigator', { userAgent: 'test' });
    expect(() => relay()).toThrow(/browser/);
    expect(() => testRelay({ llm: { apiKey: 'demo', model: 'm', baseURL: LLM_URL, dangerouslyAllowBrowser: true } })).not.toThrow();
  });
});

describe('the LLM client', () => {
  it('goes through the openai SDK with the key, organization and project as headers', async () => {
    const seen: Headers[] = [];
    server.use(
      http.post(`${LLM_URL}/chat/completions`, ({ request }) => {
        seen.push(request.headers);
        return HttpResponse.json(completion(JSON.stringify({ intent: 'BOOK', confidence: 0.9, slots: { partySize: null, date: null, time: null } })));
      }),
    );
    const { handler } = testRelay({
      llm: { apiKey: 'sk-test-secret', model: 'test-model', baseURL: LLM_URL, timeoutMs: 500, organization: 'org-demo', project: 'proj-demo' },
    });
    await handler(post('/v1/classify', body(UNSURE)));
    expect(seen).toHaveLength(1);
    expect(seen[0]?.get('authorization')).toBe('Bearer sk-test-secret');
    expect(seen[0]?.get('openai-organization')).toBe('org-demo');
    expect(seen[0]?.get('openai-project')).toBe('proj-demo');
    expect(seen[0]?.get('x-stainless-lang')).toBe('js');
  });
});
