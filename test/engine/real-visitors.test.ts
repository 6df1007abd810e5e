import { describe, expect, it } from 'vitest';
import type { Flow } from '../../flows/index.ts';
import { replay } from '../../widget/engine/index.ts';
import { Driver, readFlow } from './driver.ts';

const reservations = readFlow('../../flows/reservations.flow.json');

/** A driver at the confirmation: 4 people, tomorrow 19:00, Ana, a phone number. */
function atConfirmation(): Driver {
  const driver = new Driver(reservations);
  driver.start();
  driver.say('table for 4 tomorrow at 7pm', 'BOOK', { partySize: 4, date: '2026-11-24', time: '19:00' });
  const check = driver.last('callTool');
  if (check) driver.send({ type: 'tool.result', callId: check.callId, result: { ok: true } });
  driver.say('Ana', null, { name: 'Ana' });
  driver.say('+44 20 7946 0958', null, { phone: '+442079460958' });
  expect(driver.snapshot.state).toBe('Confirm');
  return driver;
}

function answerAvailability(driver: Driver, ok = true): void {
  const check = driver.last('callTool');
  expect(check?.name).toBe('CheckAvailability');
  if (check) driver.send({ type: 'tool.result', callId: check.callId, result: { ok } });
}

describe('corrections', () => {
  it('takes a new party size at the date question, re-runs its route and asks the date again', () => {
    const driver = new Driver(reservations);
    driver.start();
    driver.say('book for 4', 'BOOK', { partySize: 4 });
    expect(driver.snapshot.state).toBe('CollectDateTime');
    const effects = driver.say('actually make it 6', 'BOOK', { partySize: 6 });
    expect(driver.snapshot.ctx.partySize).toBe(6);
    expect(driver.snapshot.state).toBe('CollectDateTime');
    expect(driver.emitted(effects)).toContain('slots.corrected');
    expect(driver.texts(effects).at(-1)).toBe('What day would you like to come?');
  });

  it('re-checks availability and repeats the changed booking at the confirmation', () => {
    const driver = atConfirmation();
    driver.say('no, 5 of us', 'DENY', { partySize: 5 });
    expect(driver.last('callTool')?.args).toMatchObject({ partySize: 5, date: '2026-11-24', time: '19:00' });
    answerAvailability(driver);
    expect(driver.snapshot.state).toBe('Confirm');
    expect(driver.texts().at(-1)).toContain('A table for 5 on Tuesday, November 24 at 7:00 PM, under the name Ana');
    expect(driver.snapshot.slots).toMatchObject({ name: 'Ana', phone: '+442079460958' });
  });

  it('sends a party of 12 to the manager, as the first time', () => {
    const driver = atConfirmation();
    driver.say('actually we are 12', null, { partySize: 12 });
    expect(driver.snapshot.state).toBe('TransferToManager');
    expect(driver.last('handoff')).toMatchObject({ queue: 'manager' });
  });

  it('checks a corrected value as when it was first given', () => {
    const driver = atConfirmation();
    driver.say('change the time to 3am', null, { time: '03:00' });
    expect(driver.snapshot.state).toBe('CollectDateTime');
    expect(driver.snapshot.slots.time).toBeUndefined();
    expect(driver.texts().join(' ')).toContain("We're open every day from noon to 10 pm");
  });

  it('leaves names alone: a short reply is not a new name', () => {
    const driver = atConfirmation();
    driver.say('go ahead', 'AFFIRM', { name: 'Go Ahead' });
    expect(driver.snapshot.state).toBe('Booking');
    expect(driver.snapshot.slots.name).toBe('Ana');
  });

  it('follows the flow: a slot that is not correctable, or a state that takes no corrections, keeps its value', () => {
    const flow = structuredClone(reservations) as Flow;
    const partySize = flow.slots?.partySize;
    if (partySize && typeof partySize === 'object') partySize.correctable = ['Confirm'];
    const driver = new Driver(flow);
    driver.start();
    driver.say('book for 4', 'BOOK', { partySize: 4 });
    driver.say('make it 6', null, { partySize: 6 });
    expect(driver.snapshot.ctx.partySize).toBe(4);
    expect(driver.snapshot.state).toBe('CollectDateTime');
  });

  it('asks what to change and keeps the rest', () => {
    const driver = atConfirmation();
    driver.send({ type: 'user.choice', value: 'No, change something' });
    expect(driver.snapshot.state).toBe('ChangeSomething');
    driver.send({ type: 'user.choice', value: 'Date' });
    expect(driver.snapshot.state).toBe('CollectDateTime');
    expect(driver.snapshot.slots).toMatchObject({ partySize: 4, time: '19:00', name: 'Ana' });
    expect(driver.snapshot.slots.date).toBeUndefined();
    driver.say('Friday', null, { date: '2026-11-27' });
    answerAvailability(driver);
    expect(driver.texts().at(-1)).toContain('A table for 4 on Friday, November 27 at 7:00 PM');
  });
});

describe('confirmations', () => {
  it('asks before handing over when the classifier is not sure, and hands over on yes', () => {
    const driver = new Driver(reservations);
    driver.start();
    driver.say('book', 'BOOK');
    const asked = driver.say('I want to talk', 'HUMAN', {}, 0.6);
    expect(driver.texts(asked)).toEqual(['Do you want to talk to a member of staff?']);
    expect(asked.some((effect) => effect.type === 'handoff')).toBe(false);
    expect(driver.last('ask')?.choices.map((choice) => choice.label)).toEqual(['Yes', 'No']);
    driver.send({ type: 'user.choice', value: 'Yes' });
    expect(driver.snapshot.state).toBe('HumanHandoff');
    expect(driver.last('handoff')).toMatchObject({ queue: 'front-desk' });
  });

  it('carries on with the same question on no', () => {
    const driver = new Driver(reservations);
    driver.start();
    driver.say('book', 'BOOK');
    driver.say('never mind', 'CANCEL', {}, 0.8);
    const effects = driver.say('no', 'DENY', {}, 0.95);
    expect(driver.snapshot.status).toBe('active');
    expect(driver.snapshot.state).toBe('CollectPartySize');
    expect(driver.texts(effects)).toEqual(['OK, let’s carry on.', 'How many people?']);
  });

  it('takes an unambiguous hand-over at once', () => {
    const driver = new Driver(reservations);
    driver.start();
    driver.say('I want to talk to a human', 'HUMAN', {}, 0.97);
    expect(driver.snapshot.state).toBe('HumanHandoff');
  });

  it('reads something else instead of yes or no as a new message', () => {
    const driver = new Driver(reservations);
    driver.start();
    driver.say('book', 'BOOK');
    driver.say('stop', 'CANCEL', {}, 0.7);
    driver.say('4 people', 'PROVIDE_PARTY_SIZE', { partySize: 4 });
    expect(driver.snapshot.state).toBe('CollectDateTime');
    expect(driver.snapshot.confirming).toBeNull();
  });
});

describe('after the end', () => {
  function ended(): Driver {
    const driver = new Driver(reservations);
    driver.start();
    driver.say('cancel', 'CANCEL', {}, 1);
    expect(driver.snapshot.status).toBe('ended');
    return driver;
  }

  it('answers small talk and questions', () => {
    const driver = ended();
    expect(driver.texts(driver.say('thanks', 'THANKS'))).toEqual(['You’re welcome!']);
    expect(driver.texts(driver.say('where are you', 'ASK_ADDRESS'))).toEqual(["We're at 12 Quayside, London."]);
    expect(driver.snapshot.status).toBe('ended');
  });

  it('offers a new booking for anything else, and starts it on yes', () => {
    const driver = ended();
    const offer = driver.say('hmm', null);
    expect(driver.texts(offer)).toEqual(['Would you like to make a new booking?']);
    driver.send({ type: 'user.choice', value: 'Yes' });
    expect(driver.snapshot).toMatchObject({ status: 'active', state: 'CollectPartySize', ctx: {}, slots: {} });
  });

  it('says goodbye on no', () => {
    const driver = ended();
    driver.say('hmm', null);
    expect(driver.texts(driver.say('no', 'DENY'))).toEqual(['OK. Have a good day!']);
    expect(driver.snapshot.status).toBe('ended');
  });

  it('starts again with a booking request, keeping what it says', () => {
    const driver = ended();
    driver.say('book a table for 2', 'BOOK', { partySize: 2 });
    expect(driver.snapshot).toMatchObject({ status: 'active', state: 'CollectDateTime', ctx: { partySize: 2 } });
  });

  it('replays to the same snapshot', () => {
    const driver = ended();
    driver.say('hmm', null);
    driver.send({ type: 'user.choice', value: 'Yes' });
    expect(replay(driver.flow, driver.journal)).toEqual(driver.snapshot);
    expect(JSON.parse(JSON.stringify(driver.snapshot))).toEqual(driver.snapshot);
  });
});

describe('dates and times from the engine clock', () => {
  it('refuses a date in the past and a time when the restaurant is closed', () => {
    const driver = new Driver(reservations);
    driver.start();
    driver.say('book for 2', 'BOOK', { partySize: 2 });
    driver.say('yesterday', null, { date: '2026-11-22' });
    expect(driver.texts()).toContain('That day has already passed. Which day would you like to come?');
    driver.say('tomorrow', null, { date: '2026-11-24' });
    driver.say('3am', null, { time: '03:00' });
    expect(driver.texts()[0]).toContain("We're open every day from noon to 10 pm");
    expect(driver.snapshot.state).toBe('CollectDateTime');
    driver.say('8pm', null, { time: '20:00' });
    expect(driver.last('callTool')?.args).toMatchObject({ date: '2026-11-24', time: '20:00' });
  });
});

describe('small talk and questions', () => {
  it('answers in place and asks the question again', () => {
    const driver = new Driver(reservations);
    driver.start();
    driver.say('book', 'BOOK');
    expect(driver.texts(driver.say('hi', 'GREET'))).toEqual(['Hello! How can I help?', 'How many people?']);
    expect(driver.texts(driver.say('opening hours?', 'ASK_HOURS'))).toEqual(["We're open every day from noon to 10 pm; the last table is at 9:30 pm.", 'How many people?']);
  });

  it('lets a flow answer small talk its own way, or not at all', () => {
    const own = structuredClone(reservations) as Flow;
    own.global = [{ onIntent: ['GREET'], digress: true, do: [{ say: 'Ahoy!' }] }, ...(own.global ?? [])];
    const driver = new Driver(own);
    driver.start();
    expect(driver.texts(driver.say('hi', 'GREET'))).toEqual(['Ahoy!']);
    const none = structuredClone(reservations) as Flow;
    none.smallTalk = false;
    const quiet = new Driver(none);
    quiet.start();
    expect(quiet.flow.definition.intents.GREET).toBeUndefined();
  });

  it('falls back with the question being asked', () => {
    const driver = new Driver(reservations);
    driver.start();
    driver.say('book', 'BOOK');
    const effects = driver.say('purple elephants', null);
    expect(driver.texts(effects)).toEqual(['Sorry — how many people will be coming? For example: 4']);
    expect(driver.last('ask')?.choices.map((choice) => choice.label)).toEqual(['2', '4', '6']);
    expect(driver.snapshot.prompt?.text).toBe('How many people?');
  });

  it('speaks French to a French visitor', () => {
    const driver = new Driver(reservations);
    expect(driver.texts(driver.start('fr'))).toEqual(['Bienvenue chez Statechat ! Comment puis-je vous aider ?']);
    expect(driver.texts(driver.say('je voudrais réserver', 'BOOK'))).toEqual(['Pour combien de personnes ?']);
    driver.say('ce soir', 'CANCEL', {}, 0.5);
    expect(driver.last('ask')?.choices.map((choice) => choice.label)).toEqual(['Oui', 'Non']);
  });
});
