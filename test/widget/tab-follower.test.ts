import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { JsonObject } from '../../flows/types.ts';
import { TabFollower } from '../../widget/runtime/tab-follower.ts';
import type { ForwardedInput, SharedView, TabMessage } from '../../widget/runtime/tabs.ts';

function view(messageIds: string[], phase: SharedView['phase'] = 'active'): SharedView {
  return {
    ready: true,
    phase,
    sessionId: 's1',
    flow: { id: 'f', version: '1', name: 'F' },
    state: 'Start',
    messages: messageIds.map((id) => ({ id, role: 'user' as const, text: id, at: 0 })),
    choices: [],
    busy: false,
    stalled: null,
    queued: 0,
    handoff: null,
    error: null,
  };
}

function follower(resendMs = 1000) {
  const posted: TabMessage[] = [];
  const fired: { name: string; data: JsonObject }[] = [];
  let changes = 0;
  const tab = new TabFollower('tab-a', { post: (message) => posted.push(message), changed: () => (changes += 1), fire: (name, data) => fired.push({ name, data }) }, resendMs);
  return { tab, posted, fired, changes: () => changes, inputs: () => posted.flatMap((message) => (message.type === 'input' ? [message.input.id] : [])) };
}

const text = (id: string): ForwardedInput => ({ id, kind: 'text', text: `hello ${id}`, at: 5 });

describe('a follower tab', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('forwards the visitor’s messages, marked with its tab, and sends them again until the leader acknowledges them', () => {
    const { tab, inputs, changes } = follower();
    tab.forward(text('m1'));
    tab.forward({ id: 'm2', kind: 'choice', value: 'yes', label: 'Yes', at: 6 });
    expect(inputs()).toEqual(['m1', 'm2']);
    expect(changes()).toBe(2);
    expect(tab.pendingMessages()).toEqual([
      { id: 'm1', role: 'user', text: 'hello m1', at: 5, status: 'pending' },
      { id: 'm2', role: 'user', text: 'Yes', at: 6, status: 'pending' },
    ]);
    vi.advanceTimersByTime(1000);
    expect(inputs()).toEqual(['m1', 'm2', 'm1', 'm2']);
    tab.receive({ type: 'ack', id: 'm1' });
    // Shown in the leader's view counts as acknowledged too.
    tab.receive({ type: 'state', view: view(['m2']) });
    expect(tab.pendingMessages()).toEqual([]);
    vi.advanceTimersByTime(5000);
    expect(inputs()).toHaveLength(4);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('sends everything unacknowledged again when a new leader says hello', () => {
    const { tab, inputs } = follower();
    tab.forward({ id: 'r1', kind: 'reset' });
    tab.receive({ type: 'hello' });
    expect(inputs()).toEqual(['r1', 'r1']);
    expect(tab.pendingMessages()).toEqual([]);
  });

  it('fires the events the leader routes to this tab, and only those', () => {
    const { tab, fired } = follower();
    tab.receive({ type: 'events', tab: 'tab-b', events: [{ name: 'say', data: { text: 'not here' } }] });
    tab.receive({ type: 'events', tab: 'tab-a', events: [{ name: 'booking.confirmed', data: { bookingId: 'B1' } }] });
    expect(fired).toEqual([{ name: 'booking.confirmed', data: { bookingId: 'B1' } }]);
  });

  it('asks the leader for its view on start and waits for it, at most the given time', async () => {
    const waiting = follower();
    const started = waiting.tab.start(null, 3000);
    expect(waiting.posted).toEqual([{ type: 'sync' }]);
    waiting.tab.receive({ type: 'state', view: view([], 'ended') });
    await started;
    expect(waiting.tab.view?.phase).toBe('ended');

    const silent = follower();
    const timedOut = silent.tab.start(null, 3000);
    await vi.advanceTimersByTimeAsync(3000);
    await timedOut;
    expect(silent.tab.view).toBeNull();
  });

  it('shows the stored conversation at once while the leader is asked', async () => {
    const { tab, posted } = follower();
    await tab.start(view(['m0']), 3000);
    expect(tab.view?.messages.map((message) => message.id)).toEqual(['m0']);
    expect(posted).toEqual([{ type: 'sync' }]);
  });

  it('hands what it had not seen acknowledged to itself when it becomes the leader, and stops sending', () => {
    const { tab, inputs } = follower();
    tab.receive({ type: 'state', view: view([]) });
    tab.forward(text('m1'));
    expect(tab.takeOver()).toEqual([{ ...text('m1'), tab: 'tab-a' }]);
    expect(tab.view).toBeNull();
    vi.advanceTimersByTime(5000);
    expect(inputs()).toEqual(['m1']);
  });
});
