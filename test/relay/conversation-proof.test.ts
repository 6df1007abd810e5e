/**
 * The attack suite: a tool runs only for a conversation that reached it.
 * Every forged, altered, reordered, truncated or borrowed proof is refused
 * with one 403 code and a log line naming why; every example transcript's
 * calls still go through.
 */
import { describe, expect, it } from 'vitest';
import type { Flow, Json } from '../../flows/types.ts';
import { createRelay, RelayError, type ToolImplementation } from '../../relay/index.ts';
import { Signer } from '../../relay/proof/signer.ts';
import { toolResultClaim } from '../../relay/proof/verify-conversation.ts';
import { loadFullParsers } from '../../widget/nlu/index.ts';
import { captureLogs, restaurantFlow, shopFlow, testTools } from './fixtures.ts';
import { errorOf } from './helpers.ts';
import { loadTranscripts, transcriptCalls } from './support/transcript-calls.ts';
import { Visitor, type CallEffect } from './support/visitor.ts';

const SECRET = 'test-secret-0123456789-abcdefghijklmnop';
const OLD_SECRET = 'old-secret-0123456789-abcdefghijklmnop';
const NOW = Date.parse('2026-11-23T15:00:00Z');
const booking = { date: '2026-12-24', time: '19:30', partySize: 4, name: 'Ada Lovelace', phone: '+44 20 7946 0958' };

function relay(overrides: Parameters<typeof createRelay>[0] extends infer Options ? Partial<Options> : never = {}) {
  const counters = { checkAvailability: 0, createBooking: 0, throwing: 0 };
  const logs = captureLogs();
  const handler = createRelay({
    flows: [restaurantFlow(), shopFlow()],
    tools: testTools(counters),
    logger: logs.sink,
    secrets: [SECRET],
    toolRetry: { sleep: async () => undefined },
    now: () => NOW,
    rateLimits: { perIp: false, perSession: false },
    ...overrides,
  });
  /** The reason the last refusal was logged with. */
  const denied = () => logs.parsed().filter((line) => line.msg === 'request').at(-1)?.denied;
  return { handler, counters, logs, denied };
}

async function refused(response: Response): Promise<void> {
  expect(response.status).toBe(403);
  expect((await errorOf(response)).code).toBe('conversation_unverified');
}

function bookingVisitor(sessionId = 'session-attack-1'): { visitor: Visitor; call: CallEffect } {
  const visitor = new Visitor(restaurantFlow(), sessionId);
  return { visitor, call: visitor.trigger('CreateBooking', booking) };
}

describe('conversation-bound tool calls', () => {
  it('runs a call the replay reaches, and returns a signed result and a checkpoint', async () => {
    const { handler, counters } = relay();
    const { visitor, call } = bookingVisitor();
    const response = await handler(visitor.request(call));
    expect(response.status).toBe(200);
    const body = (await response.json()) as { result: Json; signature: string; checkpoint: string };
    expect(body.result).toEqual({ bookingId: 'B-1' });
    expect(new Signer([SECRET]).verify('tool-result', toolResultClaim('restaurant', visitor.sessionId, 'CreateBooking', call.idempotencyKey, body.result), body.signature)).toBe(true);
    expect(counters.createBooking).toBe(1);

    // The next call carries only what follows the checkpoint.
    visitor.answer(call, body);
    const next = visitor.trigger('CheckAvailability', { date: '2026-12-25', time: '19:30', partySize: 2 });
    expect(visitor.proof().entries).toHaveLength(2);
    expect((await handler(visitor.request(next))).status).toBe(200);
  });

  it('refuses a forged direct call: no journal, or a journal that never calls the tool', async () => {
    const { handler, counters, denied } = relay();
    const { visitor, call } = bookingVisitor();
    await refused(await handler(visitor.request(call, { proof: undefined })));
    expect(denied()).toBe('proof_missing');
    const idle = new Visitor(restaurantFlow(), 'session-attack-2');
    await refused(await handler(idle.request({ ...call, idempotencyKey: 'session-attack-2:2:1' })));
    expect(denied()).toBe('call_not_reached');
    expect(counters.createBooking).toBe(0);
  });

  it('refuses altered arguments and another idempotency key', async () => {
    const { handler, counters, denied } = relay();
    const { visitor, call } = bookingVisitor();
    await refused(await handler(visitor.request(call, { args: { ...booking, partySize: 12 } })));
    expect(denied()).toBe('call_not_reached');
    await refused(await handler(visitor.request(call, {}, 'session-attack-1:9:9')));
    expect(denied()).toBe('call_not_reached');
    expect(counters.createBooking).toBe(0);
  });

  it('refuses a forged tool result: an answer the relay never signed cannot lead to the next call', async () => {
    const { handler, denied } = relay();
    const visitor = new Visitor(restaurantFlow(), 'session-attack-3');
    const check = visitor.trigger('CheckAvailability', { date: '2026-12-24', time: '19:30', partySize: 13 });
    // The relay would answer ok: false; the browser claims ok: true, signed with a guess.
    visitor.answer(check, { result: { ok: true }, signature: 'A'.repeat(43) });
    const book = visitor.trigger('CreateBooking', booking);
    await refused(await handler(visitor.request(book)));
    expect(denied()).toBe('tool_result_forged');
  });

  it('refuses a forged classification, signed or not', async () => {
    const { handler, denied } = relay();
    const visitor = new Visitor(restaurantFlow(), 'session-attack-4');
    visitor.send({ type: 'user.text', text: 'zebra quantum marmalade' });
    const classify = visitor.lastEffects.find((effect) => effect.type === 'classify');
    if (classify?.type !== 'classify') throw new Error('no classification asked');
    // The local classifier does not say BOOK with certainty for this text.
    visitor.send({ type: 'nlu.result', requestId: classify.requestId, intent: 'BOOK', confidence: 1, slots: { partySize: 4 } });
    const call = visitor.trigger('CheckAvailability', { date: '2026-12-24', time: '19:30', partySize: 4 });
    await refused(await handler(visitor.request(call)));
    expect(denied()).toBe('classification_forged');

    const signed = new Visitor(restaurantFlow(), 'session-attack-5');
    signed.send({ type: 'user.text', text: 'zebra quantum marmalade' });
    const asked = signed.lastEffects.find((effect) => effect.type === 'classify');
    if (asked?.type !== 'classify') throw new Error('no classification asked');
    signed.send({ type: 'nlu.result', requestId: asked.requestId, intent: 'BOOK', confidence: 1, slots: {} }, 'B'.repeat(43));
    const again = signed.trigger('CheckAvailability', { date: '2026-12-24', time: '19:30', partySize: 4 });
    await refused(await handler(signed.request(again)));
    expect(denied()).toBe('classification_forged');
  });

  it('accepts a classification the relay signed, and one the local classifier gives again', async () => {
    const { handler } = relay();
    const visitor = new Visitor(restaurantFlow(), 'session-nlu-1');
    visitor.send({ type: 'user.text', text: 'I want to book a table' });
    const asked = visitor.lastEffects.find((effect) => effect.type === 'classify');
    if (asked?.type !== 'classify') throw new Error('no classification asked');
    const classified = await handler(
      new Request('https://relay.test/v1/classify', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ flowId: 'restaurant', state: asked.state, sessionId: visitor.sessionId, text: asked.text }),
      }),
    );
    const answer = (await classified.json()) as { intent: string | null; confidence: number; slots: Record<string, Json>; signature: string };
    visitor.send({ type: 'nlu.result', requestId: asked.requestId, intent: answer.intent, confidence: answer.confidence, slots: answer.slots }, answer.signature);
    const call = visitor.trigger('CheckAvailability', { date: '2026-12-24', time: '19:30', partySize: 4 });
    expect((await handler(visitor.request(call))).status).toBe(200);
  });

  it('refuses a reordered or truncated journal', async () => {
    const { handler, denied } = relay();
    const { visitor, call } = bookingVisitor('session-attack-6');
    const entries = visitor.proof().entries;
    await refused(await handler(visitor.request(call, { proof: { entries: [...entries].reverse() } })));
    expect(denied()).toBe('journal_out_of_order');
    await refused(await handler(visitor.request(call, { proof: { entries: entries.slice(0, -1) } })));
    expect(denied()).toBe('call_not_reached');
    await refused(await handler(visitor.request(call, { proof: { entries: entries.slice(1) } })));
    expect(denied()).toBe('journal_out_of_order');
  });

  it('refuses a checkpoint replayed from another session, or with another snapshot', async () => {
    const { handler, denied } = relay();
    const first = bookingVisitor('session-owner-1');
    const answered = (await (await handler(first.visitor.request(first.call))).json()) as { result: Json; signature: string; checkpoint: string };
    first.visitor.answer(first.call, answered);

    const thief = new Visitor(restaurantFlow(), 'session-thief-1');
    const stolen = thief.trigger('CheckAvailability', { date: '2026-12-24', time: '19:30', partySize: 4 });
    const proof = { checkpoint: answered.checkpoint, snapshot: first.visitor.checkpoint?.snapshot, entries: thief.proof().entries.slice(1) };
    await refused(await handler(thief.request(stolen, { proof })));
    expect(denied()).toBe('checkpoint_other_session');

    const next = first.visitor.trigger('CheckAvailability', { date: '2026-12-24', time: '19:30', partySize: 4 });
    const tampered = first.visitor.proof();
    tampered.snapshot = { ...(tampered.snapshot as NonNullable<typeof tampered.snapshot>), ctx: { vip: true } };
    await refused(await handler(first.visitor.request(next, { proof: tampered })));
    expect(denied()).toBe('checkpoint_snapshot_mismatch');
    await refused(await handler(first.visitor.request(next, { proof: { ...first.visitor.proof(), checkpoint: `${answered.checkpoint.slice(0, -2)}xx` } })));
    expect(denied()).toBe('checkpoint_invalid');
    expect((await handler(first.visitor.request(next))).status).toBe(200);
  });

  it('refuses a call for another flow', async () => {
    const { handler, denied } = relay();
    const { visitor, call } = bookingVisitor('session-flow-1');
    // The restaurant journal, presented as the shop flow's call of its own tool.
    const lookup = { ...call, name: 'LookupOrder', args: { orderId: 'A-1', email: 'ann@example.com' } };
    await refused(await handler(visitor.request(lookup, { flowId: 'shop' })));
    expect(denied()).toBe('call_not_reached');
    // The shop's journal, presented to the restaurant flow.
    const shopper = new Visitor(shopFlow(), 'session-flow-2');
    const order = shopper.trigger('LookupOrder', { orderId: 'A-1', email: 'ann@example.com' });
    const asRestaurant = { ...order, name: 'CheckAvailability', args: { date: '2026-12-24', time: '19:30', partySize: 4 } };
    await refused(await handler(shopper.request(asRestaurant, { flowId: 'restaurant' })));
    expect(denied()).toBe('call_not_reached');
  });

  it('refuses events dated in the future, and timers fired before their deadline', async () => {
    const { handler, denied } = relay();
    const visitor = new Visitor(restaurantFlow(), 'session-clock-1', NOW + 60 * 60_000);
    const call = visitor.trigger('CheckAvailability', { date: '2026-12-24', time: '19:30', partySize: 4 });
    await refused(await handler(visitor.request(call)));
    expect(denied()).toBe('clock_implausible');

    const timed: Flow = restaurantFlow();
    timed.states.Start = { ...timed.states.Start, after: [{ ms: 20 * 60_000, do: [{ call: 'CheckAvailability', args: { date: '2026-12-24', time: '12:00', partySize: 2 } }] }] };
    const timedRelay = relay({ flows: [timed] });
    const fireAt = async (start: number): Promise<Response> => {
      const visitor = new Visitor(timed, `session-clock-${start}`, start);
      const timer = visitor.lastEffects.find((effect) => effect.type === 'startTimer');
      if (timer?.type !== 'startTimer') throw new Error('no timer armed');
      visitor.now = timer.deadline - 1000;
      const fired = visitor.send({ type: 'timer.fired', timerId: timer.timerId }).find((effect): effect is CallEffect => effect.type === 'callTool');
      if (!fired) throw new Error('the timer called no tool');
      return timedRelay.handler(visitor.request(fired));
    };
    // Armed 25 minutes ago: its deadline has passed, the call goes through.
    expect((await fireAt(NOW - 25 * 60_000)).status).toBe(200);
    // Armed a minute ago, fired "20 minutes later": that moment has not come yet.
    await refused(await fireAt(NOW - 60_000));
    expect(timedRelay.denied()).toBe('clock_implausible');
  });

  it('verifies checkpoints signed with a retired secret that is still listed', async () => {
    const old = relay({ secrets: [OLD_SECRET] });
    const { visitor, call } = bookingVisitor('session-rotate-1');
    visitor.answer(call, (await (await old.handler(visitor.request(call))).json()) as { result: Json; signature: string; checkpoint: string });
    const next = visitor.trigger('CheckAvailability', { date: '2026-12-24', time: '19:30', partySize: 4 });
    const rotated = relay({ secrets: [SECRET, OLD_SECRET] });
    expect((await rotated.handler(visitor.request(next))).status).toBe(200);
    const forgotten = relay({ secrets: [SECRET] });
    await refused(await forgotten.handler(visitor.request(next)));
  });

  it('follows a session across a flow upgrade, with the earlier version kept for it', async () => {
    const v1 = restaurantFlow();
    const v2: Flow = { ...restaurantFlow(), meta: { ...restaurantFlow().meta, version: '2.0.0' } };
    const { handler } = relay({ flows: [v2, shopFlow()], previousFlows: [v1] });
    const visitor = new Visitor(v1, 'session-upgrade-1');
    visitor.send({ type: 'user.text', text: 'when are you open' });
    const asked = visitor.lastEffects.find((effect) => effect.type === 'classify');
    if (asked?.type !== 'classify') throw new Error('no classification asked');
    const local = (await import('../../widget/local-understanding.ts')).createLocalUnderstanding(visitor.flow)(asked, visitor.now);
    visitor.send({ type: 'nlu.result', requestId: asked.requestId, ...local });
    // The widget asks for a checkpoint before it moves the session to 2.0.0.
    const checkpointResponse = await handler(
      new Request('https://relay.test/v1/checkpoint', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ flowId: 'restaurant', flowVersion: '1.0.0', sessionId: visitor.sessionId, proof: visitor.proof() }),
      }),
    );
    expect(checkpointResponse.status).toBe(200);
    const { checkpoint } = (await checkpointResponse.json()) as { checkpoint: string };
    const upgraded = new Visitor(v2, visitor.sessionId, visitor.now);
    upgraded.snapshot = { ...visitor.snapshot, flowVersion: '2.0.0' };
    upgraded.journal.length = 0;
    upgraded.checkpoint = { token: checkpoint, snapshot: upgraded.snapshot };
    const call = upgraded.trigger('CheckAvailability', { date: '2026-12-24', time: '19:30', partySize: 4 });
    expect((await handler(upgraded.request(call))).status).toBe(200);
    // A version the relay does not know is refused.
    const stale = new Visitor({ ...v1, meta: { ...v1.meta, version: '0.9.0' } }, 'session-upgrade-2');
    const staleCall = stale.trigger('CheckAvailability', { date: '2026-12-24', time: '19:30', partySize: 4 });
    await refused(await handler(stale.request(staleCall)));
  });

  it('lets every tool call of every example transcript through', async () => {
    const parsers = await loadFullParsers();
    const signer = new Signer([SECRET]);
    let calls = 0;
    for (const loaded of loadTranscripts()) {
      const tools: Record<string, ToolImplementation> = {};
      for (const [name, tool] of Object.entries(loaded.flow.tools)) {
        tools[name] = {
          domain: tool.domain ?? '',
          handler: () => {
            const scripted = (loaded.transcript.tools ?? {})[name];
            if (scripted !== null && typeof scripted === 'object' && '$error' in scripted) throw new RelayError(409, 'scripted_error', String(scripted.$error));
            return scripted;
          },
        };
      }
      const handler = createRelay({ flows: [loaded.flowJson], tools, secrets: [SECRET], now: () => Date.parse('2026-12-01T00:00:00Z'), logger: captureLogs().sink, rateLimits: { perIp: false, perSession: false } });
      for (const call of transcriptCalls(loaded, signer, parsers)) {
        const response = await handler(
          new Request(`https://relay.test/v1/tools/${call.effect.name}`, {
            method: 'POST',
            headers: { 'content-type': 'application/json', 'idempotency-key': call.effect.idempotencyKey },
            body: JSON.stringify({ flowId: call.flow.id, flowVersion: call.flow.version, sessionId: call.sessionId, args: call.effect.args, proof: call.proof }),
          }),
        );
        const body = (await response.json()) as { checkpoint?: string; error?: unknown };
        expect(response.status === 200 || (response.status === 409 && JSON.stringify(body).includes('scripted_error')), `${call.file} / ${call.conversation}: ${JSON.stringify(body)}`).toBe(true);
        call.accept(body.checkpoint);
        calls += 1;
      }
    }
    expect(calls).toBeGreaterThan(10);
  });
});
