// @vitest-environment happy-dom
import 'fake-indexeddb/auto';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { chatTracker, openChat } from './helpers.ts';
import { toolFlow } from './relay-fixture.ts';

// Moving a session to a newer flow version is a chunk; here it cannot be fetched (offline, never cached).
const attempts = vi.hoisted(() => ({ count: 0 }));
vi.mock('../../widget/runtime/flow-upgrade.ts', () => {
  attempts.count += 1;
  throw new TypeError('Failed to fetch dynamically imported module');
});

const { track, destroyAll } = chatTracker();

afterEach(async () => {
  await destroyAll();
});

describe('a newer flow version whose upgrade chunk cannot load', () => {
  it('keeps the session on its version, working, with no error, and tries again after the next turn', async () => {
    const first = openChat({ flow: toolFlow('1') });
    await first.chat.ready;
    const sessionId = first.chat.getState().sessionId;
    await first.chat.destroy();

    const returning = track(openChat({ flow: toolFlow('2') }, {}, { database: first.database }));
    await returning.chat.ready;
    await returning.chat.idle();
    expect(returning.chat.getState()).toMatchObject({ sessionId, phase: 'active', state: 'Start', flow: { version: '1' }, error: null });
    expect(returning.events.filter((event) => event.name === 'error' || event.name === 'flow.updated')).toEqual([]);
    const before = attempts.count;
    expect(before).toBeGreaterThan(0);
    await returning.chat.choose('go');
    await returning.chat.idle();
    // The turn ran on version 1 (its tool has no relay here, so the conversation ends), and the move was tried again.
    expect(returning.chat.getState()).toMatchObject({ sessionId, flow: { version: '1' }, error: null });
    expect(returning.chat.getState().state).not.toBe('Start');
    expect(attempts.count).toBeGreaterThan(before);
  });
});
