import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { loadFlowOrThrow, type Json, type LoadedFlow } from '../../flows/index.ts';
import { initialSnapshot, replay, step, type EngineEvent, type JournalEntry, type Snapshot } from '../../widget/engine/index.ts';
import { readFlow } from './driver.ts';

const flows: [string, LoadedFlow][] = [
  ['reservations', loadFlowOrThrow(readFlow('../../flows/reservations.flow.json'))],
  ['order tracking', loadFlowOrThrow(readFlow('../../flows/order-tracking.flow.json'))],
  ['origin', loadFlowOrThrow(readFlow('../fixtures/origin.flow.json'))],
];

const KINDS = ['text', 'answer', 'choice', 'tool', 'timer', 'host', 'resume', 'reset', 'garbage', 'wait'] as const;

const slotValues: Json[] = [4, 0, 9, 12, -1, 2.5, 'four', '2026-11-24', '19:00', 'John Doe', '+442079460958', 'ana@example.com', 'AB-123456', 'late', true, null, { nested: 1 }, ['x']];

const command = fc.record({
  kind: fc.constantFrom(...KINDS),
  pick: fc.nat(1000),
  text: fc.string({ maxLength: 30 }),
  confidence: fc.double({ min: 0, max: 1, noNaN: true }),
  advance: fc.nat(400_000),
  slots: fc.dictionary(fc.constantFrom('partySize', 'date', 'time', 'name', 'phone', 'orderId', 'email', 'issue', 'bogus', '__proto__'), fc.constantFrom(...slotValues), { maxKeys: 4 }),
  result: fc.constantFrom<Json>({ ok: true }, { ok: false }, { bookingId: 'B1' }, { status: 'shipped', eta: 'soon' }, { status: 'not_found', eta: '' }, { status: 'delivered', eta: 'x' }, null, 'text', 3),
});
type Command = typeof command extends fc.Arbitrary<infer T> ? T : never;

function pickFrom<T>(items: readonly T[], pick: number): T | undefined {
  return items.length === 0 ? undefined : items[pick % items.length];
}

/** Turns an abstract command into an event that makes sense (or deliberately doesn't) for the current snapshot. */
function materialise(flow: LoadedFlow, snapshot: Snapshot, item: Command, now: { value: number }): EngineEvent | unknown {
  const intents = [...Object.keys(flow.definition.intents), null];
  switch (item.kind) {
    case 'text':
      return { type: 'user.text', text: item.text.trim() === '' ? 'hello' : item.text };
    case 'answer':
      return {
        type: 'nlu.result',
        requestId: snapshot.pending?.kind === 'classify' && item.pick % 5 !== 0 ? snapshot.pending.requestId : `r${item.pick}`,
        intent: pickFrom(intents, item.pick) ?? null,
        confidence: item.confidence,
        slots: item.slots,
      };
    case 'choice':
      return { type: 'user.choice', value: pickFrom(snapshot.prompt?.choices ?? [], item.pick)?.value ?? item.text ?? 'x' };
    case 'tool': {
      const callId = snapshot.pending?.kind === 'tool' && item.pick % 5 !== 0 ? snapshot.pending.callId : `c${item.pick}`;
      return item.pick % 3 === 0
        ? { type: 'tool.error', callId, error: { code: 'failed', message: 'boom' } }
        : { type: 'tool.result', callId, result: item.result };
    }
    case 'timer': {
      const timer = pickFrom(snapshot.timers, item.pick);
      if (timer) now.value = Math.max(now.value, timer.deadline);
      return { type: 'timer.fired', timerId: timer?.id ?? `t${item.pick}` };
    }
    case 'host':
      return { type: 'host.event', name: pickFrom(['booking.requested', 'order.selected', 'cart.updated'], item.pick), data: { orderId: item.text } };
    case 'resume':
      return { type: 'session.resume' };
    case 'reset':
      return { type: 'session.reset' };
    case 'wait':
      now.value += item.advance;
      return { type: 'session.resume' };
    case 'garbage':
      return pickFrom<unknown>([null, 42, { type: 'user.text', text: 7 }, { type: 'tool.result' }, { type: '__proto__' }, { type: 'nlu.result', requestId: 'x', intent: 'BOOK', confidence: 'high' }], item.pick);
  }
}

describe.each(flows)('the engine on random event sequences (%s)', (_name, flow) => {
  it('never throws, keeps snapshots JSON round-trippable and valid, and replays exactly', () => {
    fc.assert(
      fc.property(fc.array(command, { maxLength: 60 }), (commands) => {
        const now = { value: Date.parse('2026-11-23T10:00:00Z') };
        const journal: JournalEntry[] = [{ event: { type: 'session.start', sessionId: 'p1' }, env: { now: now.value } }];
        let snapshot = step(flow, initialSnapshot(flow), journal[0]?.event as EngineEvent, { now: now.value }).snapshot;
        for (const item of commands) {
          const event = materialise(flow, snapshot, item, now) as EngineEvent;
          const env = { now: now.value };
          journal.push({ event, env });
          const result = step(flow, snapshot, event, env);
          expect(result.effects.some((effect) => effect.type === 'error' && effect.code === 'loop')).toBe(false);
          snapshot = result.snapshot;
          expect(JSON.parse(JSON.stringify(snapshot))).toEqual(snapshot);
          expect(Object.hasOwn(flow.definition.states, snapshot.state)).toBe(true);
          expect(snapshot.seq).toBe(journal.length);
          expect(Object.getPrototypeOf(snapshot.ctx)).toBe(Object.prototype);
          expect(Object.getPrototypeOf(snapshot.slots)).toBe(Object.prototype);
          for (const [name, value] of Object.entries(snapshot.slots)) {
            expect(Object.hasOwn(flow.slots, name), `unknown slot ${name} kept`).toBe(true);
            expect(typeof value === 'object' && value !== null).toBe(false);
          }
        }
        const stored = JSON.parse(JSON.stringify(journal)) as JournalEntry[];
        expect(replay(flow, stored)).toEqual(snapshot);
      }),
      { numRuns: 150, seed: 20261123 },
    );
  });
});
