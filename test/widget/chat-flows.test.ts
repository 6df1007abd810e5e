// @vitest-environment happy-dom
import 'fake-indexeddb/auto';
import { onlineManager } from '@tanstack/query-core';
import { afterEach, describe, expect, it } from 'vitest';
import type { Flow } from '../../flows/types.ts';
import { chatTracker, openChat, RELAY, until } from './helpers.ts';
import { networkError, startRelay, toolFlow, type RelayFixture } from './relay-fixture.ts';

const { track, destroyAll } = chatTracker();
let relay: RelayFixture | null = null;

afterEach(async () => {
  onlineManager.setOnline(true);
  await destroyAll();
  relay?.close();
  relay = null;
});

/** The tool flow with `Start` renamed: a session waiting in `Start` cannot move to it. */
function renamedStart(version: string): Flow {
  const flow = toolFlow(version) as unknown as { start: string; states: Record<string, unknown> };
  flow.start = 'Begin';
  flow.states = { Begin: flow.states.Start, ...Object.fromEntries(Object.entries(flow.states).filter(([name]) => name !== 'Start')) };
  return flow as unknown as Flow;
}

function withGreeting(flow: Flow, text: string): Flow {
  const copy = structuredClone(flow) as unknown as { states: { Start: { onEnter: { ask: string }[] } } };
  (copy.states.Start.onEnter[0] as { ask: string }).ask = text;
  return copy as unknown as Flow;
}

describe('flows from the relay', () => {
  it('fetches the flow by id, revalidates it with the ETag, and starts a new visitor offline from the cache', async () => {
    relay = startRelay([toolFlow('1')]);
    const first = openChat({ flow: 'tooltest', relay: RELAY });
    await first.chat.ready;
    expect(first.chat.getState()).toMatchObject({ phase: 'active', state: 'Start', flow: { id: 'tooltest', version: '1' } });
    expect(relay.flowConditions).toEqual([null]);
    await first.chat.destroy();

    const returning = track(openChat({ flow: 'tooltest', relay: RELAY }, {}, { database: first.database }));
    await returning.chat.ready;
    await until(() => relay?.flowConditions.length === 2);
    expect(relay.flowConditions[1]).toMatch(/.+/);
    await returning.chat.destroy();

    onlineManager.setOnline(false);
    const offline = track(openChat({ flow: 'tooltest', relay: RELAY, namespace: 'another-widget' }, {}, { database: first.database }));
    await offline.chat.ready;
    expect(offline.chat.getState()).toMatchObject({ phase: 'active', state: 'Start', online: false });
    expect(relay.flowConditions).toHaveLength(2);
  });

  it('shows an error state (not a crash) when the flow cannot be loaded', async () => {
    relay = startRelay([toolFlow('1')]);
    const { chat, events } = track(openChat({ flow: 'missing-flow', relay: RELAY }));
    await chat.ready;
    expect(chat.getState()).toMatchObject({ ready: true, phase: 'error', error: { code: 'flow_unavailable' } });
    expect(events.some((event) => event.name === 'error')).toBe(true);
    await chat.send('hello');
  });

  it('loads the flow again by itself when the relay could not be reached while online (chaos seed 1024)', async () => {
    relay = startRelay([toolFlow('1')]);
    // Every attempt of the first load fails (a relay restarting); no online event will follow.
    relay.failNext('/v1/flows/', 3, networkError());
    const { chat } = track(openChat({ flow: 'tooltest', relay: RELAY }));
    await chat.ready;
    await until(() => chat.getState().phase === 'error', 5000);
    expect(chat.getState().error).toMatchObject({ code: 'flow_unavailable' });
    await until(() => chat.getState().phase === 'active', 5000);
    expect(chat.getState()).toMatchObject({ state: 'Start', error: null, flow: { id: 'tooltest', version: '1' } });
  });

  it('moves a session to a newer relay version when its state still exists there', async () => {
    relay = startRelay([toolFlow('1')]);
    const first = openChat({ flow: 'tooltest', relay: RELAY });
    await first.chat.ready;
    const sessionId = first.chat.getState().sessionId;
    await first.chat.destroy();
    relay.close();
    // The relay keeps version 1 for sessions pinned to it: it vouches for the conversation before the move.
    relay = startRelay([withGreeting(toolFlow('2'), 'Ready now?')], [toolFlow('1')]);

    const second = track(openChat({ flow: 'tooltest', relay: RELAY }, {}, { database: first.database }));
    await second.chat.ready;
    await until(() => second.chat.getState().flow?.version === '2');
    const state = second.chat.getState();
    expect(state.sessionId).toBe(sessionId);
    expect(state.state).toBe('Start');
    expect(state.messages.at(-1)).toMatchObject({ role: 'notice', notice: 'flow-updated' });
    expect(second.events.find((event) => event.name === 'flow.updated')?.data).toMatchObject({ from: '1', to: '2', restarted: false });
    expect(relay.requests.filter((request) => request.startsWith('POST /v1/checkpoint'))).toHaveLength(1);
  });

  it('starts over on the newer version when the relay no longer knows the session\'s version (its tool calls could not be verified)', async () => {
    relay = startRelay([toolFlow('1')]);
    const first = openChat({ flow: 'tooltest', relay: RELAY });
    await first.chat.ready;
    const sessionId = first.chat.getState().sessionId;
    await first.chat.destroy();
    relay.close();
    relay = startRelay([withGreeting(toolFlow('2'), 'Ready now?')]);

    const second = track(openChat({ flow: 'tooltest', relay: RELAY }, {}, { database: first.database }));
    await second.chat.ready;
    await until(() => second.chat.getState().flow?.version === '2');
    expect(second.chat.getState().sessionId).not.toBe(sessionId);
    expect(second.events.find((event) => event.name === 'flow.updated')?.data).toMatchObject({ from: '1', to: '2', restarted: true });
  });
});

describe('flow versions (inline flows)', () => {
  it('a session stays on its version, moves when its state exists in the new one, restarts with a notice otherwise', async () => {
    const first = openChat({ flow: toolFlow('1') });
    await first.chat.ready;
    const sessionId = first.chat.getState().sessionId;
    await first.chat.destroy();

    const same = openChat({ flow: toolFlow('1') }, {}, { database: first.database });
    await same.chat.ready;
    expect(same.chat.getState().flow?.version).toBe('1');
    await same.chat.destroy();

    const moved = openChat({ flow: toolFlow('2') }, {}, { database: first.database });
    await moved.chat.ready;
    await moved.chat.idle();
    expect(moved.chat.getState()).toMatchObject({ sessionId, state: 'Start', flow: { version: '2' } });
    await moved.chat.destroy();

    const restarted = track(openChat({ flow: renamedStart('3') }, {}, { database: first.database }));
    await restarted.chat.ready;
    await restarted.chat.idle();
    const state = restarted.chat.getState();
    expect(state.sessionId).not.toBe(sessionId);
    expect(state).toMatchObject({ phase: 'active', state: 'Begin', flow: { version: '3' } });
    const notices = state.messages.filter((message) => message.role === 'notice').map((message) => message.notice);
    expect(notices).toEqual(['flow-updated', 'restarted']);
    expect(state.messages.at(-1)?.text).toBe('Ready?');
    await restarted.chat.choose('go');
    await restarted.chat.idle();
    expect(restarted.chat.getState().state).not.toBe('Begin');
  });

  it('waits for pending work before moving to a new version', async () => {
    relay = startRelay([toolFlow('1'), toolFlow('2')].slice(0, 1));
    const hold = relay.holdTools();
    const first = openChat({ flow: toolFlow('1'), relay: RELAY }, { retry: { baseMs: 1, capMs: 5 } });
    await first.chat.ready;
    await first.chat.choose('go');
    await until(() => relay?.toolRuns.length === 1);
    await first.chat.destroy();

    const second = track(openChat({ flow: toolFlow('2'), relay: RELAY }, { retry: { baseMs: 1, capMs: 5 } }, { database: first.database }));
    await second.chat.ready;
    expect(second.chat.getState()).toMatchObject({ state: 'Running', flow: { version: '1' } });
    hold.release();
    await until(() => second.chat.getState().flow?.version === '2');
    expect(second.chat.getState().state).toBe('Done');
    expect(relay.toolRuns).toHaveLength(1);
  });
});
