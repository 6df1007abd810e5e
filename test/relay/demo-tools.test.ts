import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { loadFlowOrThrow, type LoadedFlow } from '../../flows/index.ts';
import { createDemoTools, DEMO_ORDER_EMAIL } from '../../relay/demo-tools.ts';
import { createRelay, RelayError } from '../../relay/index.ts';
import { checkAgainstSchema } from '../../relay/tools/schema-validator.ts';
import { captureLogs } from './fixtures.ts';
import { post } from './helpers.ts';

const flowFiles = ['reservations', 'order-tracking'].map((name) => JSON.parse(readFileSync(new URL(`../../flows/${name}.flow.json`, import.meta.url), 'utf8')) as unknown);
const loaded = new Map<string, LoadedFlow>(flowFiles.map((definition) => {
  const flow = loadFlowOrThrow(definition);
  return [flow.id, flow];
}));

const NOW = Date.parse('2026-11-23T15:00:00Z');
const context = { flowId: 'reservations', sessionId: 'demo-session', idempotencyKey: 'demo-session:1:1', attempt: 1, signal: new AbortController().signal };

/** The demo tools on a fixed clock, each answer checked against the flow file's own result schema. */
function demoTools() {
  const tools = createDemoTools({ now: () => NOW });
  const call = async (flowId: string, tool: string, args: Record<string, unknown>) => {
    try {
      const result = await tools[tool]?.handler(args, context);
      const schema = loaded.get(flowId)?.tools[tool]?.result;
      expect(schema, `${flowId} ${tool} result schema`).toBeDefined();
      if (schema) expect(checkAgainstSchema(schema, result)).toEqual({ valid: true });
      return { status: 200, result };
    } catch (error) {
      if (!(error instanceof RelayError)) throw error;
      return { status: error.status, error: { code: error.code } };
    }
  };
  return { call };
}

describe('the demo tools with the example flows', () => {
  it('implement every tool the example flows declare, in the declared domain', () => {
    const tools = createDemoTools();
    for (const flow of loaded.values()) {
      for (const [name, tool] of Object.entries(flow.tools)) {
        expect(tools[name]?.domain, `${flow.id} ${name}`).toBe(tool.domain);
        expect(flow.domains).toContain(tool.domain);
      }
    }
  });

  it('check availability and book a table', async () => {
    const { call } = demoTools();
    const table = { date: '2026-12-24', time: '19:30', partySize: 4 };
    expect(await call('reservations', 'CheckAvailability', table)).toEqual({ status: 200, result: { ok: true } });
    expect(await call('reservations', 'CheckAvailability', { ...table, time: '23:00' })).toEqual({ status: 200, result: { ok: false } });
    expect(await call('reservations', 'CheckAvailability', { ...table, partySize: 13 })).toEqual({ status: 200, result: { ok: false } });

    const booking = { ...table, name: 'Ada Lovelace', phone: '+44 20 7946 0958' };
    const first = await call('reservations', 'CreateBooking', booking);
    expect(first).toEqual({ status: 200, result: { bookingId: 'R-20261224-1930-001' } });
    await call('reservations', 'CreateBooking', booking);
    await call('reservations', 'CreateBooking', booking);
    // Three tables per date and time: the slot is full now.
    expect(await call('reservations', 'CheckAvailability', table)).toEqual({ status: 200, result: { ok: false } });
  });

  it('CreateBooking checks what a restaurant would, whoever calls it: dates, hours, party size, the past, capacity', async () => {
    const { call } = demoTools();
    const booking = { date: '2026-12-24', time: '19:30', partySize: 2, name: 'Ada Lovelace', phone: '+44 20 7946 0958' };
    for (const wrong of [
      { date: 'next friday' },
      { date: '2026-02-30' },
      { time: '25:00' },
      { time: '07:00' },
      { time: '22:00' },
      { partySize: -5 },
      { partySize: 0 },
      { partySize: 13 },
      { partySize: 2.5 },
      { name: ' ' },
      // Yesterday, and earlier today at the restaurant (15:00 in London).
      { date: '2026-11-22' },
      { date: '2026-11-23', time: '14:30' },
    ]) {
      expect(await call('reservations', 'CreateBooking', { ...booking, ...wrong }), JSON.stringify(wrong)).toMatchObject({ status: 422, error: { code: 'invalid_booking' } });
      if (!('name' in wrong)) expect(await call('reservations', 'CheckAvailability', { ...booking, ...wrong }), JSON.stringify(wrong)).toEqual({ status: 200, result: { ok: false } });
    }
    expect(await call('reservations', 'CreateBooking', { ...booking, date: '2026-11-23', time: '19:00' })).toMatchObject({ status: 200 });
    // Three tables per slot: a fourth booking is refused, not squeezed in.
    for (let index = 0; index < 3; index++) expect((await call('reservations', 'CreateBooking', booking)).status).toBe(200);
    expect(await call('reservations', 'CreateBooking', booking)).toMatchObject({ status: 409, error: { code: 'slot_full' } });
  });

  it('find the documented demo orders, and reach the flow\'s not_found branch for anything else', async () => {
    const { call } = demoTools();
    const lookup = (orderId: string, email = DEMO_ORDER_EMAIL) => call('order-tracking', 'LookupOrder', { orderId, email });
    expect(await lookup('AB-123456')).toEqual({ status: 200, result: { status: 'shipped', eta: '2026-11-25' } });
    expect(await lookup('CD-654321')).toEqual({ status: 200, result: { status: 'delivered', eta: '2026-11-20' } });
    expect(await lookup('EF-112233')).toEqual({ status: 200, result: { status: 'processing', eta: '2026-11-28' } });
    // As the flow's pattern accepts them: any case, with or without the dash; the e-mail in any case.
    expect(await lookup('cd654321', ' Ana@Example.com ')).toEqual({ status: 200, result: { status: 'delivered', eta: '2026-11-20' } });
    expect(await lookup('ZZ-000000')).toEqual({ status: 200, result: { status: 'not_found', eta: '' } });
    expect(await lookup('AB-123456', 'someone@example.com')).toEqual({ status: 200, result: { status: 'not_found', eta: '' } });
    expect(await lookup('constructor')).toEqual({ status: 200, result: { status: 'not_found', eta: '' } });
  });

  it('stay inside their flow\'s domain', async () => {
    const handler = createRelay({ flows: flowFiles, tools: createDemoTools(), logger: captureLogs().sink });
    const response = await handler(post('/v1/tools/LookupOrder', { flowId: 'reservations', sessionId: 'demo-session', args: { orderId: 'AB-123456', email: DEMO_ORDER_EMAIL } }, { 'idempotency-key': 'demo-key-0001' }));
    expect(response.status).toBe(403);
    expect(await response.json()).toMatchObject({ error: { code: 'tool_not_allowed' } });
  });

  it('remember a bounded number of booked slots, forgetting the least recently booked', async () => {
    const tools = createDemoTools({ now: () => NOW });
    const book = (date: string, time: string) => tools.CreateBooking?.handler({ date, time, partySize: 2, name: 'A', phone: '1' }, context);
    const free = (date: string, time: string) => tools.CheckAvailability?.handler({ date, time, partySize: 2 }, context);
    for (let index = 0; index < 3; index++) book('2026-12-24', '19:30');
    expect(free('2026-12-24', '19:30')).toEqual({ ok: false });
    for (let day = 0; day < 10_000; day++) book(new Date(Date.UTC(2030, 0, 1) + day * 86_400_000).toISOString().slice(0, 10), '12:00');
    expect(free('2026-12-24', '19:30')).toEqual({ ok: true });
  });
});
