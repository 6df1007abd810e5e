import { describe, expect, it } from 'vitest';
import { createRelay, RelayConfigError } from '../../relay/index.ts';
import { restaurantFlow } from './fixtures.ts';
import { errorOf, get, post, testRelay } from './helpers.ts';

describe('relay endpoints', () => {
  it('answers /v1/health', async () => {
    const { handler } = testRelay();
    const response = await handler(get('/v1/health'));
    expect(await response.json()).toEqual({ status: 'ok', flows: 3, llm: 'off' });
  });

  it('serves its own copy of a flow with an ETag and 304', async () => {
    const { handler } = testRelay();
    const response = await handler(get('/v1/flows/restaurant'));
    expect(response.status).toBe(200);
    expect(response.headers.get('cache-control')).toContain('must-revalidate');
    const etag = response.headers.get('etag');
    expect(etag).toMatch(/^"1\.0\.0-/);
    expect(((await response.json()) as { meta: { id: string } }).meta.id).toBe('restaurant');
    const again = await handler(get('/v1/flows/restaurant', { 'if-none-match': etag ?? '' }));
    expect(again.status).toBe(304);
    expect(await again.text()).toBe('');
    expect((await handler(get('/v1/flows/restaurant', { 'if-none-match': '"stale"' }))).status).toBe(200);
  });

  it('answers 404 for an unknown flow and endpoint', async () => {
    const { handler } = testRelay();
    expect((await errorOf(await handler(get('/v1/flows/nope')))).code).toBe('flow_not_found');
    const missing = await handler(get('/v1/nothing'));
    expect(missing.status).toBe(404);
    expect((await errorOf(missing)).code).toBe('not_found');
  });

  it.each([
    ['malformed JSON', '{"flowId": "restaurant",', {}, 400, 'invalid_json'],
    ['a wrong content type', 'flowId=restaurant', { 'content-type': 'application/x-www-form-urlencoded' }, 415, 'unsupported_media_type'],
    ['a number for text', { flowId: 'restaurant', state: 'Start', sessionId: 's', text: 42 }, {}, 400, 'bad_request'],
    ['a missing flowId', { state: 'Start', sessionId: 's', text: 'hi' }, {}, 400, 'bad_request'],
    ['an unknown flow', { flowId: 'nope', state: 'Start', sessionId: 's', text: 'hi' }, {}, 404, 'flow_not_found'],
    ['an unknown state', { flowId: 'restaurant', state: 'Nope', sessionId: 's', text: 'hi' }, {}, 400, 'unknown_state'],
    // Names every object inherits must not resolve to a state (they used to reach a 500).
    ['a state named like an inherited property', { flowId: 'restaurant', state: 'constructor', sessionId: 's', text: 'hi' }, {}, 400, 'unknown_state'],
    ['a state named toString', { flowId: 'restaurant', state: 'toString', sessionId: 's', text: 'hi' }, {}, 400, 'unknown_state'],
    ['a flow named like an inherited property', { flowId: 'constructor', state: 'Start', sessionId: 's', text: 'hi' }, {}, 404, 'flow_not_found'],
    ['an overlong text', { flowId: 'restaurant', state: 'Start', sessionId: 's', text: 'x'.repeat(2001) }, {}, 400, 'bad_request'],
  ])('refuses %s on /v1/classify', async (_label, body, headers, status, code) => {
    const { handler } = testRelay();
    const response = await handler(post('/v1/classify', body, headers as Record<string, string>));
    expect(response.status).toBe(status);
    const text = await response.text();
    expect(JSON.parse(text)).toEqual({ error: { code, message: expect.any(String) } });
    expect(text).not.toMatch(/\bat .*\.ts|node_modules|Error:/);
  });

  it('refuses to start on an invalid flow and lists why', () => {
    const broken = restaurantFlow();
    broken.states.Start = { transitions: [{ onIntent: ['BOOK'], to: 'Colect' }] };
    let thrown: unknown;
    try {
      createRelay({ flows: [broken] });
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(RelayConfigError);
    const configError = thrown as RelayConfigError;
    expect(configError.message).toContain('/states/Start/transitions/0/to');
    expect(configError.issues[0]).toMatchObject({ flow: 'restaurant', severity: 'error' });
  });

  it('refuses two flows with one id', () => {
    expect(() => createRelay({ flows: [restaurantFlow(), restaurantFlow()] })).toThrow(/already has the id "restaurant"/);
  });
});
