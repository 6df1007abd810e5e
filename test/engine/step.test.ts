import { describe, expect, it } from 'vitest';
import { compileFlow, type Flow } from '../../flows/index.ts';
import { initialSnapshot, replay, step, type EngineEvent } from '../../widget/engine/index.ts';
import { Driver, readFlow } from './driver.ts';

const reservations = readFlow('../../flows/reservations.flow.json');
const origin = readFlow('../fixtures/origin.flow.json');

describe('step', () => {
  it('starts a session with the origin event names', () => {
    const driver = new Driver(origin);
    const effects = driver.start();
    expect(driver.emitted(effects)).toEqual(['session.started', 'fsm.transition', 'say', 'state.updated']);
    expect(driver.texts(effects)).toEqual(['Welcome! How can I help?']);
    expect(driver.snapshot).toMatchObject({ status: 'active', state: 'InitialGreeting', sessionId: 's1', seq: 1 });
  });

  it('is pure: the input snapshot is untouched and the same inputs give the same outputs', () => {
    const driver = new Driver(reservations);
    driver.start();
    const before = structuredClone(driver.snapshot);
    const event: EngineEvent = { type: 'user.text', text: 'book a table' };
    const first = step(driver.flow, driver.snapshot, event, { now: 1 });
    const second = step(driver.flow, driver.snapshot, event, { now: 1 });
    expect(driver.snapshot).toEqual(before);
    expect(second).toEqual(first);
  });

  it('asks the NLU with the intents and slots that matter in this state', () => {
    const driver = new Driver(reservations);
    driver.start();
    driver.say('book', 'BOOK');
    const effects = driver.send({ type: 'user.text', text: 'four of us' });
    const classify = effects.find((effect) => effect.type === 'classify');
    expect(classify).toMatchObject({ state: 'CollectPartySize', threshold: 0.45, language: 'en-US' });
    expect(classify?.type === 'classify' && classify.slots[0]).toBe('partySize');
    expect(classify?.type === 'classify' && classify.allowed.sort()).toEqual([
      'AFFIRM',
      'ASK_ADDRESS',
      'ASK_DOGS',
      'ASK_HOURS',
      'ASK_LARGE_PARTY',
      'ASK_VEGETARIAN',
      'BOOK',
      'BOT_QUESTION',
      'CANCEL',
      'DENY',
      'GOODBYE',
      'GREET',
      'HELP',
      'HUMAN',
      'PROVIDE_PARTY_SIZE',
      'THANKS',
    ]);
    expect(classify?.type === 'classify' && classify.context).toEqual({ slot: 'partySize', filled: [], lastBotMessage: 'How many people?' });
  });

  it('runs the origin branch on the assigned party size', () => {
    for (const [size, state] of [[6, 'CollectDateTime'], [9, 'TransferToManager']] as const) {
      const driver = new Driver(origin);
      driver.start();
      driver.say("I'd like to book", 'BOOK');
      driver.say(`we are ${size}`, 'PROVIDE_PARTY_SIZE', { partySize: size });
      expect(driver.snapshot.state).toBe(state);
      expect(driver.snapshot.ctx.partySize).toBe(size);
    }
  });

  it('treats a confident answer below the flow threshold as not understood', () => {
    const driver = new Driver(reservations);
    driver.start();
    const effects = driver.say('hmm book?', 'BOOK', {}, 0.3);
    expect(driver.snapshot.state).toBe('InitialGreeting');
    expect(driver.emitted(effects)).toContain('intent.unhandled');
  });

  it('ignores results it is not waiting for', () => {
    const driver = new Driver(reservations);
    driver.start();
    const effects = driver.send({ type: 'nlu.result', requestId: 'r99.1', intent: 'BOOK', confidence: 1 });
    expect(effects[0]).toMatchObject({ type: 'ignored' });
    expect(driver.snapshot.state).toBe('InitialGreeting');
    expect(driver.send({ type: 'tool.result', callId: 'c1.1', result: {} })[0]).toMatchObject({ type: 'ignored' });
  });

  it('queues what the visitor types while it waits, and handles it in order afterwards', () => {
    const driver = new Driver(reservations);
    driver.start();
    const first = driver.send({ type: 'user.text', text: 'book' });
    driver.send({ type: 'user.text', text: 'we are 2' });
    expect(driver.snapshot.queue).toEqual([{ type: 'user.text', text: 'we are 2' }]);
    const classify = first.find((effect) => effect.type === 'classify');
    const next = driver.send({ type: 'nlu.result', requestId: classify?.type === 'classify' ? classify.requestId : '', intent: 'BOOK', confidence: 1 });
    expect(driver.snapshot.queue).toEqual([]);
    expect(next.filter((effect) => effect.type === 'classify').map((effect) => effect.type === 'classify' && effect.text)).toEqual(['we are 2']);
  });

  it('fills several slots from one message and skips the questions already answered', () => {
    const driver = new Driver(reservations);
    driver.start();
    const effects = driver.say('a table for 4 tomorrow at 7pm', 'BOOK', { partySize: 4, date: '2026-11-24', time: '19:00' });
    expect(driver.texts(effects)).not.toContain('How many people?');
    expect(driver.texts(effects)).not.toContain('What day would you like to come?');
    const call = effects.find((effect) => effect.type === 'callTool');
    expect(call).toMatchObject({ name: 'CheckAvailability', args: { date: '2026-11-24', time: '19:00', partySize: 4 }, timeoutMs: 4000, retries: 2 });
    expect(driver.snapshot.pending).toMatchObject({ kind: 'tool', name: 'CheckAvailability' });
  });

  it('refuses slot values of the wrong type, whoever sent them', () => {
    const driver = new Driver(reservations);
    driver.start();
    driver.say('book', 'BOOK');
    driver.say('lots', null, { partySize: 'lots', __proto__: { polluted: true }, unknown: 1 });
    expect(driver.snapshot.slots).toEqual({});
    expect(driver.texts()).toContain('I need a number of guests between 1 and 50.');
    driver.say('2.5', null, { partySize: 2.5 });
    expect(driver.snapshot.slots).toEqual({});
    driver.say('"3"', null, { partySize: '3' });
    expect(driver.snapshot.slots.partySize).toBe(3);
  });

  it('derives tool idempotency keys from the session and journal position, and re-issues them on resume', () => {
    const driver = new Driver(reservations);
    driver.start();
    const effects = driver.say('table for 2 tomorrow at 8pm', 'BOOK', { partySize: 2, date: '2026-11-24', time: '20:00' });
    const call = effects.find((effect) => effect.type === 'callTool');
    expect(call?.type === 'callTool' && call.idempotencyKey).toMatch(/^s1:\d+:\d+$/);
    const resumed = driver.send({ type: 'session.resume' });
    const again = resumed.find((effect) => effect.type === 'callTool');
    expect(again).toEqual(call);
  });

  it('routes a tool result and assigns from it', () => {
    const driver = new Driver(reservations);
    driver.start();
    driver.say('table for 2 tomorrow at 8pm', 'BOOK', { partySize: 2, date: '2026-11-24', time: '20:00' });
    const call = driver.last('callTool');
    const effects = driver.send({ type: 'tool.result', callId: call?.callId ?? '', result: { ok: true } });
    expect(driver.emitted(effects)).toContain('tool.result');
    expect(driver.snapshot.state).toBe('CollectContact');
    driver.say('Ana', null, { name: 'Ana' });
    driver.say('555 0100', null, { phone: '555 0100' });
    driver.send({ type: 'user.choice', value: 'Yes, book it' });
    const booking = driver.last('callTool');
    expect(booking?.name).toBe('CreateBooking');
    driver.send({ type: 'tool.result', callId: booking?.callId ?? '', result: { bookingId: 'X1' } });
    expect(driver.snapshot).toMatchObject({ state: 'Confirmed', status: 'ended', ctx: { bookingId: 'X1' } });
    expect(driver.emitted()).toContain('booking.confirmed');
    expect(driver.emitted()).toContain('session.ended');
  });

  it('says sorry and re-asks when a tool fails and the flow has no onError', () => {
    const flow: Flow = {
      meta: { name: 'T', domains: ['d'] },
      start: 'A',
      intents: { GO: { examples: ['go'] } },
      tools: { T: { domain: 'd', args: {} } },
      states: {
        A: { onEnter: [{ ask: 'Go?' }], transitions: [{ onIntent: ['GO'], do: [{ call: 'T' }], to: 'B' }] },
        B: { final: true },
      },
    };
    const driver = new Driver(flow);
    driver.start();
    driver.say('go', 'GO');
    const call = driver.last('callTool');
    const effects = driver.send({ type: 'tool.error', callId: call?.callId ?? '', error: { code: 'timeout', message: 'slow' } });
    expect(driver.texts(effects)).toEqual(['Sorry, something went wrong on our side. Please try again.', 'Go?']);
    expect(driver.snapshot.state).toBe('A');
    driver.say('go', 'GO');
    driver.send({ type: 'tool.result', callId: driver.last('callTool')?.callId ?? '', result: {} });
    expect(driver.snapshot.state).toBe('B');
  });

  it('answers a digression in place and returns to the question', () => {
    const driver = new Driver(reservations);
    driver.start();
    driver.say('book', 'BOOK');
    const effects = driver.say('help', 'HELP');
    expect(driver.texts(effects)).toEqual([expect.stringContaining('I can book a table'), 'How many people?']);
    expect(driver.snapshot.state).toBe('CollectPartySize');
  });

  it('keeps a digression stack and returns with $return', () => {
    const flow: Flow = {
      meta: { name: 'T' },
      start: 'Ask',
      intents: { HELP: { examples: ['help'] }, OK: { examples: ['ok'] } },
      slots: { n: 'number' },
      global: [{ onIntent: ['HELP'], digress: true, to: 'Help' }],
      states: {
        Ask: { collect: [{ slot: 'n', ask: 'A number?' }], transitions: [{ to: 'Done' }] },
        Help: { onEnter: [{ ask: 'Numbers are digits. OK?' }], transitions: [{ onIntent: ['OK'], to: '$return' }] },
        Done: { final: true },
      },
    };
    const driver = new Driver(flow);
    driver.start();
    driver.say('help', 'HELP');
    expect(driver.snapshot.state).toBe('Help');
    expect(driver.snapshot.stack).toEqual([{ state: 'Ask', prompt: { text: 'A number?', choices: [], slot: 'n' } }]);
    const effects = driver.say('ok', 'OK');
    expect(driver.snapshot.state).toBe('Ask');
    expect(driver.snapshot.stack).toEqual([]);
    expect(driver.texts(effects)).toEqual(['A number?']);
    driver.say('3', null, { n: 3 });
    expect(driver.snapshot.state).toBe('Done');
  });

  it('hands over after too many misunderstandings', () => {
    const driver = new Driver(reservations);
    driver.start();
    driver.say('blah', null);
    driver.say('blah', null);
    const effects = driver.say('blah', null);
    expect(effects).toContainEqual(expect.objectContaining({ type: 'handoff', queue: 'front-desk' }));
    expect(driver.snapshot.state).toBe('HumanHandoff');
  });

  it('handles host events with their data', () => {
    const driver = new Driver(readFlow('../../flows/order-tracking.flow.json'));
    driver.start();
    driver.send({ type: 'host.event', name: 'order.selected', data: { orderId: 'AB-123456' } });
    expect(driver.texts()).toContain('I see you\'re looking at order AB-123456.');
    expect(driver.snapshot.ctx.preselected).toBe('AB-123456');
    expect(driver.send({ type: 'host.event', name: 'unknown.event' })[0]).toMatchObject({ type: 'ignored' });
  });

  it('picks the visitor language from per-language messages', () => {
    const flow: Flow = {
      meta: { name: 'T', language: 'en' },
      start: 'A',
      intents: {},
      states: { A: { onEnter: [{ say: { en: 'Hello', fr: 'Bonjour', 'pt-BR': 'Olá' } }], final: true } },
    };
    expect(new Driver(flow).start('fr-CA').find((effect) => effect.type === 'say')).toMatchObject({ text: 'Bonjour' });
    expect(new Driver(flow).start('pt').find((effect) => effect.type === 'say')).toMatchObject({ text: 'Olá' });
    expect(new Driver(flow).start('de').find((effect) => effect.type === 'say')).toMatchObject({ text: 'Hello' });
  });

  it('still classifies what the visitor writes after the end', () => {
    const driver = new Driver(reservations);
    driver.start();
    driver.say('cancel', 'CANCEL');
    expect(driver.snapshot.status).toBe('ended');
    const effects = driver.send({ type: 'user.text', text: 'hello?' });
    expect(effects.find((effect) => effect.type === 'classify')).toMatchObject({ state: 'Cancelled' });
  });

  it('re-issues, on restore, the classification of what the visitor wrote after the end (chaos seed 33)', () => {
    const driver = new Driver(reservations);
    driver.start();
    driver.say('cancel', 'CANCEL');
    driver.send({ type: 'user.text', text: 'hello?' });
    expect(driver.snapshot).toMatchObject({ status: 'ended', pending: { kind: 'classify' } });
    const effects = driver.send({ type: 'session.resume' });
    expect(effects.find((effect) => effect.type === 'classify')).toMatchObject({ text: 'hello?', state: 'Cancelled' });
    expect(effects.some((effect) => effect.type === 'ignored')).toBe(false);
  });

  it('starts over on reset, cancelling timers', () => {
    const driver = new Driver(reservations);
    driver.start();
    driver.say('book', 'BOOK');
    driver.say('2', null, { partySize: 2 });
    const timer = driver.snapshot.timers[0];
    expect(timer).toBeDefined();
    const effects = driver.send({ type: 'session.reset', sessionId: 's2' });
    expect(effects).toContainEqual({ type: 'cancelTimer', timerId: timer?.id });
    expect(driver.snapshot).toMatchObject({ state: 'InitialGreeting', sessionId: 's2', slots: {}, ctx: {}, timers: [] });
  });

  it('stops an eventless loop instead of hanging', () => {
    const flow: Flow = {
      meta: { name: 'T' },
      start: 'A',
      intents: {},
      states: { A: { transitions: [{ to: 'B' }] }, B: { transitions: [{ to: 'A' }] } },
    };
    const driver = new Driver(flow);
    const effects = driver.start();
    expect(effects).toContainEqual(expect.objectContaining({ type: 'error', code: 'loop' }));
  });

  it.each([
    [null],
    [{}],
    [{ type: 'nope' }],
    [{ type: 'user.text' }],
    [{ type: 'user.text', text: '   ' }],
    [{ type: 'nlu.result', requestId: 'x', intent: 5, confidence: 1 }],
    [{ type: 'tool.error', callId: 'x', error: 'boom' }],
    [{ type: 'session.start' }],
    [{ type: 'host.event', name: '' }],
  ])('never throws on a malformed event: %j', (event) => {
    const driver = new Driver(reservations);
    driver.start();
    const before = driver.snapshot;
    const result = step(driver.flow, before, event as unknown as EngineEvent, { now: driver.now });
    expect(result.effects[0]).toMatchObject({ type: 'error', code: 'bad-event' });
    expect({ ...result.snapshot, seq: before.seq }).toEqual(before);
  });

  it('refuses a second start and input before the start', () => {
    const driver = new Driver(reservations);
    expect(driver.send({ type: 'user.text', text: 'hi' })[0]).toMatchObject({ type: 'error', code: 'not-started' });
    driver.start();
    expect(driver.start()[0]).toMatchObject({ type: 'error', code: 'already-started' });
  });

  it('replays a journal to exactly the live snapshot', () => {
    const driver = new Driver(reservations);
    driver.start();
    driver.say('table for 2 tomorrow at 8pm', 'BOOK', { partySize: 2, date: '2026-11-24', time: '20:00' });
    driver.send({ type: 'tool.result', callId: driver.last('callTool')?.callId ?? '', result: { ok: true } });
    driver.say('Ana', null, { name: 'Ana' });
    expect(replay(driver.flow, driver.journal)).toEqual(driver.snapshot);
    expect(JSON.parse(JSON.stringify(driver.snapshot))).toEqual(driver.snapshot);
    expect(initialSnapshot(driver.flow).seq).toBe(0);
  });
});

describe('timers', () => {
  function idle(): Driver {
    const driver = new Driver(reservations);
    driver.start();
    driver.say('book', 'BOOK');
    driver.say('2', null, { partySize: 2 });
    return driver;
  }

  it('arms idle timers with absolute deadlines and restarts them on activity', () => {
    const driver = idle();
    const [timer] = driver.snapshot.timers;
    expect(timer?.deadline).toBe(driver.now + 120000);
    driver.now += 60000;
    const effects = driver.say('hmm', null);
    expect(effects).toContainEqual({ type: 'cancelTimer', timerId: timer?.id });
    expect(driver.snapshot.timers[0]?.deadline).toBe(driver.now + 120000);
  });

  it('ignores a timer fired early or already cancelled', () => {
    const driver = idle();
    const [timer] = driver.snapshot.timers;
    expect(driver.send({ type: 'timer.fired', timerId: timer?.id ?? '' })[0]).toMatchObject({ type: 'ignored' });
    expect(driver.send({ type: 'timer.fired', timerId: 'gone' })[0]).toMatchObject({ type: 'ignored' });
  });

  it('re-arms a restored timer whose deadline is still ahead at that same deadline', () => {
    const driver = idle();
    const [timer] = driver.snapshot.timers;
    driver.now += 30000;
    const effects = driver.send({ type: 'session.resume' });
    expect(effects).toContainEqual({ type: 'startTimer', timerId: timer?.id, deadline: timer?.deadline });
  });

  it('fires an overdue timer once, late, on restore (missed: "fire", the default)', () => {
    const driver = new Driver(reservations);
    driver.start();
    driver.say('table for 2 tomorrow at 8pm', 'BOOK', { partySize: 2, date: '2026-11-24', time: '20:00' });
    driver.send({ type: 'tool.result', callId: driver.last('callTool')?.callId ?? '', result: { ok: true } });
    expect(driver.snapshot.state).toBe('CollectContact');
    driver.now += 3_600_000;
    const effects = driver.send({ type: 'session.resume' });
    expect(driver.texts(effects)).toEqual(["Are you still there? I'm holding your table while you finish."]);
    expect(driver.snapshot.timers).toEqual([]);
  });

  it('drops an overdue timer and re-arms it from now on restore (missed: "skip")', () => {
    const driver = idle();
    driver.now += 3_600_000;
    const effects = driver.send({ type: 'session.resume' });
    expect(driver.texts(effects)).toEqual([]);
    expect(driver.snapshot.timers[0]?.deadline).toBe(driver.now + 120000);
  });

  it('repeats up to its maximum', () => {
    const driver = new Driver(readFlow('../../flows/order-tracking.flow.json'));
    driver.start();
    driver.send({ type: 'user.choice', value: 'Track an order' });
    const said: string[] = [];
    for (let round = 0; round < 4; round += 1) {
      const timer = driver.snapshot.timers[0];
      if (!timer) break;
      driver.now = timer.deadline;
      said.push(...driver.texts(driver.send({ type: 'timer.fired', timerId: timer.id })));
    }
    expect(said).toHaveLength(2);
  });
});

describe('digressions that also answer', () => {
  it('does not ask again for a slot the same message filled', () => {
    const driver = new Driver(reservations);
    driver.start();
    driver.say('book', 'BOOK');
    const effects = driver.say('we are 4, what can you do?', 'HELP', { partySize: 4 });
    expect(driver.texts(effects)).toEqual([expect.stringContaining('I can book a table'), 'What day would you like to come?']);
    expect(driver.snapshot.state).toBe('CollectDateTime');
  });
});

describe('cards', () => {
  /** A flow whose end is a card reading a slot, the context and the visitor's language. */
  const cardFlow = (buttonUrl: string): Flow => ({
    meta: { name: 'Cards', language: 'en' },
    start: 'A',
    intents: {},
    states: {
      A: {
        onEnter: [
          { assign: { reference: 'AB-2026-0042', note: '' } },
          {
            card: {
              title: { en: 'Booked', fr: 'Réservé' },
              text: { en: 'See you soon.', fr: 'À bientôt.' },
              fields: [
                { label: { en: 'Reference', fr: 'Référence' }, value: '{{ctx.reference}}', copy: true },
                { label: 'Note', value: '{{ctx.note}}' },
              ],
              buttons: [
                { label: 'Manage', url: buttonUrl },
                { label: 'Call', url: 'tel:+442079460958' },
              ],
            },
          },
        ],
        final: true,
      },
    },
  });

  it('says a card as data and as lines of text, in the visitor’s language, leaving out empty fields', () => {
    const driver = new Driver(cardFlow('https://example.com/b/{{ctx.reference}}'));
    const say = driver.start('fr').find((effect) => effect.type === 'say');
    expect(say).toMatchObject({
      text: 'Réservé\nÀ bientôt.\nRéférence: AB-2026-0042',
      card: {
        title: 'Réservé',
        text: 'À bientôt.',
        fields: [{ label: 'Référence', value: 'AB-2026-0042', copy: true }],
        buttons: [
          { label: 'Manage', url: 'https://example.com/b/AB-2026-0042' },
          { label: 'Call', url: 'tel:+442079460958' },
        ],
      },
    });
    const event = driver.effects.find((effect) => effect.type === 'emit' && effect.name === 'say');
    expect(event?.type === 'emit' && event.data).toMatchObject({ text: say?.text, card: { title: 'Réservé' } });
    expect(driver.snapshot.lastBotMessage).toBe('Réservé\nÀ bientôt.\nRéférence: AB-2026-0042');
  });

  it('leaves out a button whose filled-in URL is not a safe absolute link, even in a flow nobody validated', () => {
    for (const url of ['{{ctx.reference}}', 'javascript:alert(1)//{{ctx.reference}}', ' {{ctx.note}}']) {
      const say = new Driver(compileFlow(cardFlow(url))).start().find((effect) => effect.type === 'say');
      expect(say?.type === 'say' && say.card?.buttons.map((button) => button.label)).toEqual(['Call']);
    }
  });

  it('replays a conversation that ended on a card, and its snapshot is plain JSON', () => {
    const driver = new Driver(reservations);
    driver.start();
    driver.say('table for 2 tomorrow at 8pm', 'BOOK', { partySize: 2, date: '2026-11-24', time: '20:00' });
    driver.send({ type: 'tool.result', callId: driver.last('callTool')?.callId ?? '', result: { ok: true } });
    driver.say('Ana Lima', null, { name: 'Ana Lima' });
    driver.say('07700 900123', null, { phone: '+447700900123' });
    driver.send({ type: 'user.choice', value: 'Yes, book it' });
    const effects = driver.send({ type: 'tool.result', callId: driver.last('callTool')?.callId ?? '', result: { bookingId: 'CS-1042' } });
    const card = effects.find((effect) => effect.type === 'say')?.card;
    expect(card?.title).toBe("You're booked!");
    expect(card?.fields).toEqual([
      { label: 'Date', value: 'Tuesday, November 24' },
      { label: 'Time', value: expect.stringMatching(/^8:00\sPM$/) },
      { label: 'Guests', value: '2' },
      { label: 'Name', value: 'Ana Lima' },
      { label: 'Reference', value: 'CS-1042', copy: true },
    ]);
    // The visitor's name is personal: the NLU's context gets the slot's name instead.
    expect(driver.snapshot.lastBotMessage).toContain('Name: <name>');
    expect(replay(driver.flow, driver.journal)).toEqual(driver.snapshot);
    expect(JSON.parse(JSON.stringify(effects))).toEqual(effects);
  });
});
