// @vitest-environment happy-dom
import 'fake-indexeddb/auto';
import { afterEach, describe, expect, it } from 'vitest';
import { replay } from '../../widget/engine/replay.ts';
import { loadFlowOrThrow } from '../../flows/load.ts';
import { IdbStore } from '../../widget/store/idb-store.ts';
import { chatTracker, lastUser, openChat, reservationsFlow, texts, until } from './helpers.ts';

const { track, destroyAll } = chatTracker();

afterEach(async () => {
  await destroyAll();
});

describe('createChat with local NLU and IndexedDB', () => {
  it('starts, greets, and walks the flow with a status per message', async () => {
    const { chat } = track(openChat({ flow: reservationsFlow() }));
    await chat.ready;
    await chat.idle();
    let state = chat.getState();
    expect(state.ready).toBe(true);
    expect(state.phase).toBe('active');
    expect(state.storage).toBe('indexeddb');
    expect(state.state).toBe('InitialGreeting');
    expect(texts(state)[0]).toMatch(/Welcome/);

    const statuses: string[] = [];
    chat.subscribe((next) => {
      const status = lastUser(next)?.status;
      if (status && statuses.at(-1) !== status) statuses.push(status);
    });
    await chat.send("I'd like to book a table");
    await chat.idle();
    state = chat.getState();
    expect(statuses).toEqual(['pending', 'sent', 'answered']);
    expect(state.state).toBe('CollectPartySize');
    expect(state.choices.map((choice) => choice.value)).toEqual(['2', '4', '6']);
    await chat.choose('4');
    await chat.idle();
    expect(chat.getState().state).toBe('CollectDateTime');
    expect(lastUser(chat.getState())).toMatchObject({ text: '4', status: 'answered' });
  });

  it('restores the transcript, state and snapshot after a reload, and the journal replays to the snapshot', async () => {
    const first = openChat({ flow: reservationsFlow() });
    await first.chat.ready;
    await first.chat.send("I'd like to book");
    await first.chat.choose('4');
    await first.chat.idle();
    const before = first.chat.getState();
    await first.chat.destroy();

    const second = track(openChat({ flow: reservationsFlow() }, {}, { database: first.database, clock: first.clock }));
    await second.chat.ready;
    const restored = second.chat.getState();
    expect(restored.sessionId).toBe(before.sessionId);
    expect(restored.state).toBe('CollectDateTime');
    expect(texts(restored)).toEqual(texts(before));
    await second.chat.idle();

    const store = new IdbStore({ name: first.database });
    const stored = await store.load('reservations');
    const journal = await store.journal('reservations');
    store.close();
    expect(stored).not.toBeNull();
    expect(journal.at(-1)?.event.type).toBe('session.resume');
    const flow = loadFlowOrThrow(reservationsFlow());
    expect(replay(flow, journal.map(({ event, env }) => ({ event, env })), stored?.session.base)).toEqual(stored?.session.snapshot);
  });

  it('writes the message and its journal entry before anything is performed', async () => {
    const { chat, database } = track(openChat({ flow: reservationsFlow() }));
    await chat.ready;
    await chat.idle();
    const store = new IdbStore({ name: database });
    const seen: string[] = [];
    chat.on('fsm.transition', () => {
      seen.push('effect');
    });
    const sending = chat.send("I'd like to book");
    await sending;
    const journal = await store.journal('reservations');
    const stored = await store.load('reservations');
    store.close();
    expect(journal.some((entry) => entry.event.type === 'user.text')).toBe(true);
    expect(stored?.messages.some((message) => message.role === 'user' && message.text === "I'd like to book")).toBe(true);
    await chat.idle();
    expect(seen).toContain('effect');
  });

  it('reset forgets the conversation and starts a new session; destroy keeps it stored', async () => {
    const test = openChat({ flow: reservationsFlow() });
    await test.chat.ready;
    await test.chat.send("I'd like to book");
    await test.chat.idle();
    const oldSession = test.chat.getState().sessionId;
    await test.chat.reset();
    await test.chat.idle();
    const state = test.chat.getState();
    expect(state.sessionId).not.toBe(oldSession);
    expect(state.state).toBe('InitialGreeting');
    expect(state.messages.filter((message) => message.role === 'user')).toEqual([]);
    await test.chat.send("I'd like to book");
    await test.chat.idle();
    await test.chat.destroy();
    await test.chat.send('ignored after destroy');

    const again = track(openChat({ flow: reservationsFlow() }, {}, { database: test.database, clock: test.clock }));
    await again.chat.ready;
    expect(again.chat.getState().sessionId).toBe(state.sessionId);
    expect(again.chat.getState().state).toBe('CollectPartySize');
  });
});

describe('the full parsers in the page', () => {
  it('loads them in the background for flows with date, time or phone slots, so local mode reads "in 6 weeks"', async () => {
    const { chat } = track(openChat({ flow: reservationsFlow(), timeZone: 'Europe/London' }));
    let slots: Record<string, unknown> = {};
    chat.on('state.updated', (data) => {
      slots = data.slots as Record<string, unknown>;
    });
    await chat.ready;
    await chat.send('I want to make a reservation');
    await chat.choose('4');
    await chat.idle();
    expect(chat.getState().state).toBe('CollectDateTime');
    // The chunk arrives asynchronously; give it the time a real page would.
    await new Promise((resolve) => setTimeout(resolve, 500));
    await chat.send('in 6 weeks at 8pm');
    await chat.idle();
    await until(() => slots.date !== undefined);
    expect(slots).toMatchObject({ partySize: 4, date: '2027-01-04', time: '20:00' });
  });
});

describe('the public event API', () => {
  it("delivers every event to '*' listeners as { name, data }, and tells the flow's language", async () => {
    const { chat } = track(openChat({ flow: reservationsFlow() }));
    const seen: string[] = [];
    const off = chat.on('*', (event) => {
      seen.push(String(event.name));
    });
    await chat.ready;
    await chat.send('I want to make a reservation');
    await chat.idle();
    off();
    expect(seen).toEqual(expect.arrayContaining(['say', 'ask', 'fsm.transition', 'state.updated']));
    expect(chat.getState().flow).toMatchObject({ id: 'reservations', language: 'en-US' });
  });
});
