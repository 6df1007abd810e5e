// @vitest-environment happy-dom
import 'fake-indexeddb/auto';
import { afterEach, describe, expect, it } from 'vitest';
import { chatTracker, freshDatabase, openChat, reservationsFlow, sequentialIds, texts, until } from './helpers.ts';
import { createChannel, FakeLocks } from './tabs-fixture.ts';

const { track, destroyAll } = chatTracker();

afterEach(async () => {
  await destroyAll();
});

describe('several tabs', () => {
  it('one writer, followers converge; a follower message is forwarded once; closing the writer hands over', async () => {
    const locks = new FakeLocks();
    const database = freshDatabase();
    const clock = { now: Date.parse('2026-11-23T10:00:00Z') };
    const environment = { locks, createChannel, forwardIntervalMs: 20 };
    const first = openChat({ flow: reservationsFlow() }, { ...environment, databaseName: database }, { clock });
    await first.chat.ready;
    await first.chat.idle();
    // Each tab has its own ids, as crypto.randomUUID gives in a real page.
    const second = track(openChat({ flow: reservationsFlow(), newId: sequentialIds('tab2') }, { ...environment, databaseName: database }, { clock }));
    await second.chat.ready;
    expect(first.chat.getState().leader).toBe(true);
    expect(second.chat.getState().leader).toBe(false);
    expect(texts(second.chat.getState())).toEqual(texts(first.chat.getState()));

    await second.chat.send("I'd like to book");
    expect(second.chat.getState().messages.at(-1)).toMatchObject({ role: 'user', status: 'pending' });
    await until(() => first.chat.getState().state === 'CollectPartySize');
    await until(() => texts(second.chat.getState()).join('\n') === texts(first.chat.getState()).join('\n'));
    expect(first.chat.getState().messages.filter((message) => message.role === 'user')).toHaveLength(1);
    await new Promise((resolve) => setTimeout(resolve, 60));
    expect(first.chat.getState().messages.filter((message) => message.role === 'user')).toHaveLength(1);

    await first.chat.send('4');
    await first.chat.idle();
    expect(first.chat.getState().state).toBe('CollectDateTime');
    await until(() => second.chat.getState().state === first.chat.getState().state && texts(second.chat.getState()).length === texts(first.chat.getState()).length);

    const before = texts(first.chat.getState());
    await first.chat.destroy();
    await until(() => second.chat.getState().leader);
    await second.chat.idle();
    expect(texts(second.chat.getState())).toEqual(before);
    await second.chat.choose('Tomorrow');
    await second.chat.idle();
    expect(second.chat.getState().state).toBe('CollectDateTime');
    expect(texts(second.chat.getState()).at(-1)).toBe('bot: And at what time?');
  });

  it('public events (a flow emit, say, ask) fire in the tab where the visitor acted', async () => {
    const locks = new FakeLocks();
    const database = freshDatabase();
    const environment = { locks, createChannel, forwardIntervalMs: 20, databaseName: database };
    const first = track(openChat({ flow: reservationsFlow() }, environment));
    await first.chat.ready;
    await first.chat.idle();
    const second = track(openChat({ flow: reservationsFlow(), newId: sequentialIds('tab2') }, environment));
    await second.chat.ready;
    first.events.length = 0;

    await second.chat.send("I'd like to book");
    await until(() => second.events.some((event) => event.name === 'ask'));
    expect(second.events.find((event) => event.name === 'ask')?.data).toMatchObject({ text: 'How many people?' });
    expect(first.events.filter((event) => event.name === 'ask' || event.name === 'say')).toEqual([]);

    await first.chat.send('4');
    await first.chat.idle();
    expect(first.events.find((event) => event.name === 'ask')?.data).toMatchObject({ text: 'What day would you like to come?' });
    await new Promise((resolve) => setTimeout(resolve, 40));
    expect(second.events.filter((event) => event.name === 'ask')).toHaveLength(1);
  });

  it('a message typed while the writer hands over is neither lost nor sent twice', async () => {
    const locks = new FakeLocks();
    const database = freshDatabase();
    const environment = { locks, createChannel, forwardIntervalMs: 20, databaseName: database };
    const first = openChat({ flow: reservationsFlow() }, environment);
    await first.chat.ready;
    await first.chat.idle();
    const second = track(openChat({ flow: reservationsFlow(), newId: sequentialIds('tab2') }, environment));
    await second.chat.ready;
    const closing = first.chat.destroy();
    await second.chat.send("I'd like to book");
    await closing;
    await until(() => second.chat.getState().leader && second.chat.getState().state === 'CollectPartySize');
    await second.chat.idle();
    const users = second.chat.getState().messages.filter((message) => message.role === 'user');
    expect(users).toHaveLength(1);
    expect(users[0]?.status).toBe('answered');
  });
});
