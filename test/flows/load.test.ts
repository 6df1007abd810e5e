import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { describe, expect, it } from 'vitest';
import { allowedIntents, FlowLoadError, loadFlow, loadFlowOrThrow, type Flow, type FlowIssue } from '../../flows/index.ts';
import schema from '../../flows/flow.schema.json' with { type: 'json' };

const read = (path: string): Flow => JSON.parse(readFileSync(fileURLToPath(new URL(path, import.meta.url)), 'utf8')) as Flow;
const origin = read('../fixtures/origin.flow.json');
const reservations = read('../../flows/reservations.flow.json');
const orders = read('../../flows/order-tracking.flow.json');

function errorsOf(flow: unknown): FlowIssue[] {
  const result = loadFlow(flow);
  return result.ok ? [] : result.errors;
}

/** A minimal valid flow to break one piece at a time. */
function base(): Flow {
  return {
    meta: { name: 'Test', domains: ['shop'] },
    start: 'Collect',
    intents: { GO: { examples: ['go'] }, HELP: { examples: ['help'] } },
    slots: { size: 'integer' },
    tools: { Ship: { domain: 'shop', args: { size: 'integer' }, result: { ok: 'boolean' } } },
    states: {
      Collect: {
        collect: [{ slot: 'size', ask: 'How many?' }],
        transitions: [{ onIntent: ['GO'], to: 'Done' }],
      },
      Done: { onEnter: [{ say: 'Bye' }], final: true },
    },
  };
}

describe('loading flows', () => {
  it('loads the origin document example unchanged', () => {
    const result = loadFlow(origin);
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.flow.id).toBe('restaurant-reservations');
    expect(result.flow.version).toMatch(/^[0-9a-f]{8}$/);
    expect(result.flow.tools.CheckAvailability?.args).toEqual({
      type: 'object',
      properties: { date: { type: 'string', maxLength: 1000 }, time: { type: 'string', maxLength: 1000 }, partySize: { type: 'number' } },
      required: ['date', 'time', 'partySize'],
      additionalProperties: false,
    });
    expect(result.flow.expressions.has('{{ctx.partySize}} > 8')).toBe(true);
  });

  it('loads every example flow without errors or warnings', () => {
    for (const flow of [reservations, orders]) {
      const result = loadFlow(flow);
      expect(result.ok ? [] : result.errors).toEqual([]);
      expect(result.warnings).toEqual([]);
    }
  });

  it('accepts the JSON text too, and reports text that is not JSON', () => {
    expect(loadFlow(JSON.stringify(origin)).ok).toBe(true);
    const errors = errorsOf('{ "meta": ');
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatchObject({ path: '', code: 'json' });
    expect(errors[0]?.message).toContain('not valid JSON');
  });

  it('collects the flow-wide facts the relay needs', () => {
    const flow = loadFlowOrThrow(reservations);
    expect(flow.id).toBe('reservations');
    expect(flow.domains).toEqual(['reservations']);
    expect(flow.threshold).toBe(0.45);
    expect(flow.piiSlots.sort()).toEqual(['name', 'phone']);
    expect(flow.tools.CreateBooking).toMatchObject({ domain: 'reservations', timeoutMs: 6000, retries: 1, pii: ['name', 'phone'] });
    // The flow's own intents, the built-in small talk, and yes / no (the answers to a confirmation).
    expect(allowedIntents(flow, 'Confirm')?.sort()).toEqual(['AFFIRM', 'ASK_ADDRESS', 'ASK_DOGS', 'ASK_HOURS', 'ASK_LARGE_PARTY', 'ASK_VEGETARIAN', 'BOT_QUESTION', 'CANCEL', 'DENY', 'GOODBYE', 'GREET', 'HELP', 'HUMAN', 'THANKS']);
    expect(flow.confirmations.HUMAN?.above).toBeUndefined();
    expect(flow.confirmations.CANCEL?.above).toBe(1);
    expect(flow.timeZone).toBe('Europe/London');
    expect(allowedIntents(flow, 'Nowhere')).toBeNull();
  });

  it('throws one error carrying every issue when asked to', () => {
    const flow = base();
    flow.start = 'Colect';
    expect(() => loadFlowOrThrow(flow)).toThrow(FlowLoadError);
    expect(() => loadFlowOrThrow(flow)).toThrow('did you mean "Collect"?');
  });
});

describe('schema errors', () => {
  it('reports every schema problem at once with a JSON Pointer and hints', () => {
    const flow = base() as unknown as Record<string, unknown>;
    const states = flow.states as Record<string, Record<string, unknown>>;
    (states.Collect as Record<string, unknown>).onEnterr = [];
    (states.Done as Record<string, unknown>).onEnter = [{ sya: 'Bye' }, { say: 'a', ask: 'b' }];
    (flow.slots as Record<string, unknown>).size = 'numbr';
    (flow.meta as Record<string, unknown>).threshold = 0.5;
    const errors = errorsOf(flow);
    const byPath = Object.fromEntries(errors.map((issue) => [issue.path, issue]));
    expect(byPath['/states/Collect/onEnterr']).toMatchObject({ message: 'unknown property "onEnterr"', hint: 'did you mean "onEnter"?' });
    expect(byPath['/states/Done/onEnter/0']).toMatchObject({ hint: 'did you mean "say"?' });
    expect(byPath['/states/Done/onEnter/1']?.message).toContain('an action does one thing');
    expect(byPath['/slots/size']).toMatchObject({ hint: 'did you mean "number"?' });
    expect(byPath['/meta/threshold']?.message).toBe('unknown property "threshold"');
    expect(errors.every((issue) => issue.severity === 'error' && issue.code === 'schema')).toBe(true);
  });

  it('explains wrong types and missing fields in words', () => {
    expect(errorsOf({})).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ path: '', message: '"meta" is required' }),
        expect.objectContaining({ path: '', message: '"states" is required' }),
      ]),
    );
    const flow = base() as unknown as { states: { Collect: { transitions: unknown[] } } };
    flow.states.Collect.transitions = [{ onIntent: 'GO', to: 5 }];
    const errors = errorsOf(flow);
    expect(errors).toContainEqual(expect.objectContaining({ path: '/states/Collect/transitions/0/onIntent', message: 'expected an array, found the string "GO"' }));
    expect(errors).toContainEqual(expect.objectContaining({ path: '/states/Collect/transitions/0/to', message: 'expected a string, found number 5' }));
  });

  it('refuses names that could not be used safely', () => {
    const flow = base() as unknown as { states: Record<string, unknown> };
    flow.states['bad name'] = { final: true };
    expect(errorsOf(flow)).toContainEqual(expect.objectContaining({ path: '/states/bad name', message: '"bad name" is not a valid name' }));
  });

  it('publishes a schema that is valid JSON Schema 2020-12 and agrees on the examples', () => {
    const ajv = new Ajv2020({ allErrors: true, strict: false });
    const validate = ajv.compile(schema);
    for (const flow of [origin, reservations, orders]) expect(validate(flow), JSON.stringify(validate.errors)).toBe(true);
    expect(validate({ meta: { name: 'x' }, start: 'A', intents: {}, states: { A: { onEnterr: [] } } })).toBe(false);
  });
});

describe('lint', () => {
  it('names unknown states, intents, tools and slots with suggestions', () => {
    const flow = base();
    flow.start = 'Colect';
    const collect = flow.states.Collect as NonNullable<Flow['states'][string]>;
    collect.transitions = [{ onIntent: ['GOO'], to: 'Don' }];
    collect.onEnter = [{ call: 'Shipp', args: {} }];
    collect.collect = [{ slot: 'sise', ask: 'How many?' }];
    const errors = errorsOf(flow);
    expect(errors).toContainEqual(expect.objectContaining({ path: '/start', code: 'unknown-state', message: 'unknown state "Colect"', hint: 'did you mean "Collect"?' }));
    expect(errors).toContainEqual(expect.objectContaining({ path: '/states/Collect/transitions/0/onIntent/0', code: 'unknown-intent', hint: 'did you mean "GO"?' }));
    expect(errors).toContainEqual(expect.objectContaining({ path: '/states/Collect/transitions/0/to', hint: 'did you mean "Done"?' }));
    expect(errors).toContainEqual(expect.objectContaining({ path: '/states/Collect/onEnter/0/call', code: 'unknown-tool', hint: 'did you mean "Ship"?' }));
    expect(errors).toContainEqual(expect.objectContaining({ path: '/states/Collect/collect/0/slot', code: 'unknown-slot', hint: 'did you mean "size"?' }));
  });

  it('refuses tools outside the flow domains, and calls to tools the relay would deny', () => {
    const flow = base();
    (flow.tools as NonNullable<Flow['tools']>).Ship = { domain: 'shpo', args: { size: 'integer' } };
    (flow.tools as NonNullable<Flow['tools']>).Refund = { args: {} };
    (flow.states.Collect as NonNullable<Flow['states'][string]>).onEnter = [{ call: 'Refund' }];
    const result = loadFlow(flow);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.errors).toContainEqual(expect.objectContaining({ path: '/tools/Ship/domain', code: 'domain-not-allowed', hint: 'did you mean "shop"?' }));
    expect(result.errors).toContainEqual(expect.objectContaining({ path: '/states/Collect/onEnter/0/call', code: 'tool-without-domain' }));
    expect(result.warnings).toContainEqual(expect.objectContaining({ path: '/tools/Refund', code: 'tool-without-domain' }));
  });

  it('checks tool arguments against the tool schema', () => {
    const flow = base();
    (flow.states.Collect as NonNullable<Flow['states'][string]>).onEnter = [{ call: 'Ship', args: { sise: 1 } }];
    const errors = errorsOf(flow);
    expect(errors).toContainEqual(expect.objectContaining({ path: '/states/Collect/onEnter/0/args/sise', code: 'unknown-argument', hint: 'did you mean "size"?' }));
    expect(errors).toContainEqual(expect.objectContaining({ path: '/states/Collect/onEnter/0/args', code: 'missing-argument' }));
  });

  it('reports expression errors where they are, and unknown slots they read', () => {
    const flow = base();
    const collect = flow.states.Collect as NonNullable<Flow['states'][string]>;
    collect.transitions = [
      { onIntent: ['GO'], when: '{{slot.size}} >', to: 'Done' },
      { onIntent: ['GO'], when: '{{slot.sizes}} > 2', to: 'Done' },
      { onIntent: ['GO'], when: 'ctx.constructor', to: 'Done' },
    ];
    collect.onEnter = [{ say: 'You said {{slot.size' }];
    const errors = errorsOf(flow);
    expect(errors).toContainEqual(expect.objectContaining({ path: '/states/Collect/transitions/0/when', code: 'expression' }));
    expect(errors).toContainEqual(expect.objectContaining({ path: '/states/Collect/transitions/1/when', code: 'unknown-slot', hint: 'did you mean "size"?' }));
    expect(errors).toContainEqual(expect.objectContaining({ path: '/states/Collect/transitions/2/when', message: expect.stringContaining('"constructor" cannot be read') }));
    expect(errors).toContainEqual(expect.objectContaining({ path: '/states/Collect/onEnter/0/say', code: 'template' }));
  });

  it('warns about unreachable states, dead ends, branches without else and unassigned context', () => {
    const flow = base();
    flow.states.Island = { onEnter: [{ say: 'nobody comes here' }], final: true };
    flow.states.Stuck = { onEnter: [{ say: '{{ctx.never}}' }] };
    (flow.states.Collect as NonNullable<Flow['states'][string]>).transitions = [
      { onIntent: ['GO'], branch: [{ when: '{{slot.size}} > 2', to: 'Done' }] },
      { onIntent: ['HELP'], to: 'Stuck' },
    ];
    const result = loadFlow(flow);
    expect(result.ok).toBe(true);
    const codes = result.warnings.map((issue) => `${issue.code} ${issue.path}`);
    expect(codes).toContain('unreachable /states/Island');
    expect(codes).toContain('no-way-out /states/Stuck');
    expect(codes).toContain('branch-without-else /states/Collect/transitions/0/branch');
    expect(codes).toContain('unassigned-context /states/Stuck/onEnter/0/say');
  });

  it('refuses a slot declared with two different types', () => {
    const flow = base();
    flow.intents.GO = { examples: ['go'], slots: { size: 'string' } };
    expect(errorsOf(flow)).toContainEqual(expect.objectContaining({ path: '/intents/GO/slots/size', code: 'slot-type-conflict' }));
  });

  it('refuses assigning to prototype keys', () => {
    const flow = base();
    (flow.states.Collect as NonNullable<Flow['states'][string]>).onEnter = [{ assign: JSON.parse('{"__proto__": {"polluted": true}}') as Record<string, never> }];
    const errors = errorsOf(flow);
    expect(errors.some((issue) => issue.code === 'forbidden-key' || issue.code === 'schema')).toBe(true);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});

describe('cards', () => {
  const withCard = (card: unknown): Flow => {
    const flow = base();
    (flow.states.Done as NonNullable<Flow['states'][string]>).onEnter = [{ card } as never];
    return flow;
  };

  it('loads a card with fields, a copyable value and link buttons', () => {
    const card = {
      title: { en: 'Booked', fr: 'Réservé' },
      text: 'See you soon.',
      fields: [{ label: 'Size', value: '{{slot.size}}' }, { label: 'Reference', value: '{{ctx.reference}}', copy: true }],
      buttons: [{ label: 'Manage', url: 'https://example.com/b/{{ctx.reference}}' }, { label: 'Call', url: 'tel:+442079460958' }],
    };
    const result = loadFlow(withCard(card));
    expect(result.ok ? [] : result.errors).toEqual([]);
  });

  it('reports a misspelt or missing part of a card at its JSON Pointer, with a hint', () => {
    const errors = errorsOf(withCard({ titel: 'Booked', fields: [{ label: 'Size' }] }));
    expect(errors).toContainEqual(expect.objectContaining({ path: '/states/Done/onEnter/0/card/titel', hint: 'did you mean "title"?' }));
    expect(errors).toContainEqual(expect.objectContaining({ path: '/states/Done/onEnter/0/card', message: '"title" is required' }));
    expect(errors).toContainEqual(expect.objectContaining({ path: '/states/Done/onEnter/0/card/fields/0', message: '"value" is required' }));
  });

  it('refuses links a card must not open, and checks the templates inside it', () => {
    const errors = errorsOf(
      withCard({
        title: 'Booked {{slot.size',
        fields: [{ label: 'Size', value: '{{slot.sise}}' }],
        buttons: [
          { label: 'Run', url: 'javascript:alert(1)' },
          { label: 'Data', url: 'data:text/html,{{ctx.x}}' },
          { label: 'Relative', url: '/bookings' },
          { label: 'Filled in', url: '{{ctx.link}}' },
        ],
      }),
    );
    expect(errors).toContainEqual(expect.objectContaining({ path: '/states/Done/onEnter/0/card/title', code: 'template' }));
    expect(errors).toContainEqual(expect.objectContaining({ path: '/states/Done/onEnter/0/card/fields/0/value', code: 'unknown-slot', hint: 'did you mean "size"?' }));
    const urls = errors.filter((issue) => issue.code === 'card-url');
    expect(urls.map((issue) => issue.path)).toEqual([0, 1, 2].map((index) => `/states/Done/onEnter/0/card/buttons/${index}/url`));
    expect(urls[0]).toMatchObject({ message: '"javascript:alert(1)" is not a link a card can open', hint: 'write an absolute https:, http:, mailto:, tel: URL' });
  });
});

describe('tool schemas', () => {
  it('takes full JSON Schema, closing objects and bounding strings and arrays it leaves open', () => {
    const flow = base();
    (flow.tools as NonNullable<Flow['tools']>).Ship = {
      domain: 'shop',
      args: {
        type: 'object',
        properties: { size: { type: 'integer', minimum: 1 }, note: { type: 'string' }, tags: { type: 'array', items: { type: 'string', maxLength: 20 } } },
        required: ['size'],
      },
    };
    const loaded = loadFlowOrThrow(flow);
    expect(loaded.tools.Ship?.args).toEqual({
      type: 'object',
      properties: {
        size: { type: 'integer', minimum: 1 },
        note: { type: 'string', maxLength: 1000 },
        tags: { type: 'array', items: { type: 'string', maxLength: 20 }, maxItems: 100 },
      },
      required: ['size'],
      additionalProperties: false,
    });
  });

  it('marks optional shorthand fields and refuses unknown field types', () => {
    const flow = base();
    (flow.tools as NonNullable<Flow['tools']>).Ship = { domain: 'shop', args: { size: 'integer', note: 'string?', when: 'date' as never } };
    const errors = errorsOf(flow);
    expect(errors).toContainEqual(expect.objectContaining({ path: '/tools/Ship/args/when', code: 'tool-schema', message: '"date" is not a field type' }));
    (flow.tools as NonNullable<Flow['tools']>).Ship = { domain: 'shop', args: { size: 'integer', note: 'string?' } };
    expect(loadFlowOrThrow(flow).tools.Ship?.args.required).toEqual(['size']);
  });
});

describe('allowed intents', () => {
  it('counts intents that carry a collected slot as answers in that state', () => {
    const flow = loadFlowOrThrow(reservations);
    const global = ['ASK_ADDRESS', 'ASK_DOGS', 'ASK_HOURS', 'ASK_LARGE_PARTY', 'ASK_VEGETARIAN', 'BOT_QUESTION', 'CANCEL', 'DENY', 'GOODBYE', 'GREET', 'HELP', 'HUMAN', 'THANKS'];
    expect(allowedIntents(flow, 'CollectPartySize')?.sort()).toEqual(['AFFIRM', 'BOOK', ...global.slice(0, 6), 'PROVIDE_PARTY_SIZE', ...global.slice(6)].sort());
    expect(allowedIntents(flow, 'CollectContact')?.sort()).toEqual(['AFFIRM', ...global, 'PROVIDE_CONTACT'].sort());
    // After the end: what the first state understands, to start again.
    expect(allowedIntents(flow, 'Cancelled')).toContain('BOOK');
  });
});
