// @vitest-environment happy-dom
import 'fake-indexeddb/auto';
import { onlineManager } from '@tanstack/query-core';
import { afterEach, describe, expect, it } from 'vitest';
import type { Flow } from '../../flows/types.ts';
import { createRelay } from '../../relay/index.ts';
import type { ChatState } from '../../widget/chat-types.ts';
import { chatTracker, openChat, RELAY, reservationsFlow, until } from './helpers.ts';

const AGENT = { authorization: 'Bearer agent-secret-for-widget-tests' };
const { track, destroyAll } = chatTracker();
/** For steps that go through the relay several times (open refused, then the flow's event): the suite runs files in parallel. */
const SLOW_MS = 10_000;

afterEach(async () => {
  onlineManager.setOnline(true);
  await destroyAll();
});

/** The reservations flow whose wait for a person times out after `ms`. */
function impatientFlow(ms: number): Flow {
  const flow = reservationsFlow();
  const waiting = flow.states.HumanHandoff;
  if (!waiting?.after?.[0]) throw new Error('the reservations flow has no handoff timeout');
  waiting.after[0].ms = ms;
  return { ...flow, meta: { ...flow.meta, id: 'impatient' } };
}

function relayWithHandoff(flows: Flow[] = [reservationsFlow()], handoff = true) {
  const requests: string[] = [];
  const handler = createRelay({
    flows,
    logger: { info: () => undefined, warn: () => undefined, error: () => undefined },
    rateLimits: { perIp: false, perSession: false },
    handoff: handoff ? { agentToken: 'agent-secret-for-widget-tests', heartbeatMs: 100 } : {},
    toolRetry: { sleep: async () => undefined },
  });
  let reachable = true;
  const fetch: typeof globalThis.fetch = async (input, init) => {
    const request = new Request(input, init);
    requests.push(`${request.method} ${new URL(request.url).pathname.replace('/statechat', '')}`);
    if (!reachable) throw new TypeError('Failed to fetch');
    return handler(new Request(request.url.replace(RELAY, 'https://relay.local'), request));
  };
  const agent = {
    /** The open handoffs, once there is one. */
    async opened() {
      let handoffs: Awaited<ReturnType<typeof agent.list>> = [];
      for (let attempt = 0; attempt < 100 && handoffs.length === 0; attempt += 1) {
        handoffs = await agent.list();
        if (handoffs.length === 0) await new Promise((resolve) => setTimeout(resolve, 20));
      }
      const [first] = handoffs;
      if (!first) throw new Error(`no handoff was opened (requests: ${requests.join(', ')})`);
      return first;
    },
    async list() {
      const response = await handler(new Request('https://relay.local/v1/agent/handoffs', { headers: AGENT }));
      return ((await response.json()) as { handoffs: Array<{ id: string; status: string; queue: string; messages: Array<{ role: string; text: string }> }> }).handoffs;
    },
    async say(id: string, text: string, name = 'Sam') {
      const response = await handler(new Request(`https://relay.local/v1/agent/handoffs/${id}/messages`, { method: 'POST', headers: { ...AGENT, 'content-type': 'application/json' }, body: JSON.stringify({ text, agent: name }) }));
      expect(response.status).toBe(201);
    },
    async close(id: string, body: Record<string, unknown> = {}) {
      const response = await handler(new Request(`https://relay.local/v1/agent/handoffs/${id}/close`, { method: 'POST', headers: { ...AGENT, 'content-type': 'application/json' }, body: JSON.stringify(body) }));
      expect(response.status).toBe(200);
    },
    async read(id: string) {
      const response = await handler(new Request(`https://relay.local/v1/agent/handoffs/${id}`, { headers: AGENT }));
      return (await response.json()) as { status: string; messages: Array<{ role: string; text: string }> };
    },
  };
  return { fetch, requests, agent, setReachable: (value: boolean) => (reachable = value) };
}

const shown = (state: ChatState) => state.messages.map((message) => `${message.role}${message.author ? `(${message.author})` : ''}: ${message.text}`);

async function askForAPerson(chat: ReturnType<typeof openChat>['chat']): Promise<void> {
  await chat.ready;
  await chat.send('I want to talk to a human');
  await until(() => chat.getState().state === 'HumanHandoff');
}

describe('live handoff in the widget', () => {
  it('opens a handoff with the transcript, keeps the box typeable, and carries messages both ways until the agent hands back to the booking', async () => {
    const relay = relayWithHandoff();
    const { chat } = track(openChat({ flow: reservationsFlow(), relay: RELAY }, { fetch: relay.fetch }));
    await askForAPerson(chat);
    await until(() => chat.getState().handoff?.status === 'waiting');
    const opened = await relay.agent.opened();
    expect(opened.queue).toBe('front-desk');
    expect(opened.messages.map((message) => `${message.role}: ${message.text}`)).toEqual([
      expect.stringMatching(/^bot: Welcome/),
      'visitor: I want to talk to a human',
      expect.stringMatching(/^bot: I'm connecting you with our staff/),
    ]);
    expect(chat.getState().phase).toBe('active');

    await chat.send('hello? is anyone there');
    await until(() => chat.getState().messages.at(-1)?.status === 'sent');
    expect(chat.getState().state).toBe('HumanHandoff');
    expect((await relay.agent.read(opened.id)).messages.at(-1)).toMatchObject({ role: 'visitor', text: 'hello? is anyone there' });

    await relay.agent.say(opened.id, 'Hi, I am Sam. How can I help?');
    await until(() => chat.getState().messages.some((message) => message.role === 'agent'));
    expect(shown(chat.getState()).slice(-2)).toEqual(['notice(Sam): Sam joined the conversation.', 'agent(Sam): Hi, I am Sam. How can I help?']);
    await until(() => chat.getState().state === 'TalkingToStaff');
    expect(chat.getState().handoff).toMatchObject({ status: 'active', agent: 'Sam', queue: 'front-desk' });

    await relay.agent.close(opened.id, { event: 'booking.resume' });
    await until(() => chat.getState().state === 'CollectPartySize');
    expect(chat.getState().handoff?.status).toBe('closed');
    expect(shown(chat.getState()).slice(-2)).toEqual(['notice(Sam): Sam left the conversation.', 'bot: How many people?']);
    // Back with the flow: the next message is the booking's, not the agent's.
    await chat.send('4 people');
    await until(() => chat.getState().state === 'CollectDateTime');
    expect((await relay.agent.read(opened.id)).messages.filter((message) => message.role === 'visitor').map((message) => message.text)).not.toContain('4 people');
  });

  it('catches up after a reload: what the agent wrote meanwhile arrives once, in order', async () => {
    const relay = relayWithHandoff();
    const first = track(openChat({ flow: reservationsFlow(), relay: RELAY }, { fetch: relay.fetch }));
    await askForAPerson(first.chat);
    await until(() => first.chat.getState().handoff?.status === 'waiting');
    const opened = await relay.agent.opened();
    await relay.agent.say(opened.id, 'First.');
    await until(() => first.chat.getState().messages.some((message) => message.text === 'First.'));
    await first.chat.destroy();

    await relay.agent.say(opened.id, 'Second, while you were away.');
    await relay.agent.say(opened.id, 'Third.');
    const again = track(openChat({ flow: reservationsFlow(), relay: RELAY }, { fetch: relay.fetch }, { database: first.database, clock: first.clock }));
    await again.chat.ready;
    await until(() => again.chat.getState().messages.some((message) => message.text === 'Third.'));
    const agentMessages = again.chat.getState().messages.filter((message) => message.role === 'agent').map((message) => message.text);
    expect(agentMessages).toEqual(['First.', 'Second, while you were away.', 'Third.']);
    expect(again.chat.getState().messages.filter((message) => message.notice === 'handoff-joined')).toHaveLength(1);
    expect(again.chat.getState().state).toBe('TalkingToStaff');
    // The open was not repeated.
    expect(relay.requests.filter((request) => request === 'POST /v1/handoffs')).toHaveLength(1);
  });

  it('queues the visitor’s messages while offline and delivers them once when back', async () => {
    const relay = relayWithHandoff();
    const { chat } = track(openChat({ flow: reservationsFlow(), relay: RELAY }, { fetch: relay.fetch }));
    await askForAPerson(chat);
    await until(() => chat.getState().handoff?.status === 'waiting');
    const opened = await relay.agent.opened();
    onlineManager.setOnline(false);
    relay.setReachable(false);
    await chat.send('are you there?');
    await until(() => chat.getState().messages.at(-1)?.status === 'queued');
    await relay.agent.say(opened.id, 'Yes, here.');
    relay.setReachable(true);
    onlineManager.setOnline(true);
    await until(() => chat.getState().messages.some((message) => message.text === 'Yes, here.'), 5000);
    await until(() => chat.getState().messages.find((message) => message.text === 'are you there?')?.status === 'sent', 5000);
    const visitorTexts = (await relay.agent.read(opened.id)).messages.filter((message) => message.role === 'visitor').map((message) => message.text);
    expect(visitorTexts.filter((text) => text === 'are you there?')).toHaveLength(1);
  });

  it('when nobody answers in time, the flow moves on and the relay is told the visitor left', async () => {
    const flow = impatientFlow(1000);
    const relay = relayWithHandoff([flow]);
    const { chat, clock } = track(openChat({ flow, relay: RELAY }, { fetch: relay.fetch }));
    await askForAPerson(chat);
    const opened = await relay.agent.opened();
    // The chat's clock: the wait for a person runs out.
    clock.now += 1000;
    await until(() => chat.getState().state === 'NoStaffAvailable', 3000);
    await until(() => chat.getState().handoff?.status === 'closed');
    await until(() => relay.requests.includes(`POST /v1/handoffs/${opened.id}/leave`));
    expect((await relay.agent.read(opened.id)).status).toBe('closed');
    expect(await relay.agent.list()).toEqual([]);
    // The visitor talks to the flow again: the phone number is the call-back's.
    await chat.send('07700 900123');
    await until(() => chat.getState().state === 'CallBackPromised');
  });

  it('keeps the old notice when the relay has no live handoff, and the flow hears at once that nobody can join', async () => {
    const relay = relayWithHandoff([reservationsFlow()], false);
    const { chat, events } = track(openChat({ flow: reservationsFlow(), relay: RELAY }, { fetch: relay.fetch }));
    await chat.ready;
    // Not `askForAPerson`: the flow may pass through HumanHandoff faster than a poll sees it.
    await chat.send('I want to talk to a human');
    await until(() => events.some((event) => event.name === 'warning' && (event.data as { code: string }).code === 'handoff_unavailable'), SLOW_MS);
    expect(chat.getState().handoff).toEqual({ reason: 'visitor asked for a person', queue: 'front-desk', status: 'unavailable', agent: null });
    expect(chat.getState().messages.some((message) => message.notice === 'handoff')).toBe(true);
    // `handoff.unavailable`: the restaurant's number and a call back now, not after the 3-minute wait.
    await until(() => chat.getState().state === 'NoStaffAvailable', SLOW_MS);
    expect(shown(chat.getState()).at(-1)).toBe('bot: What number should we call you back on?');
  });

  it('without a relay nobody can join: the flow hears handoff.unavailable at once', async () => {
    const { chat } = track(openChat({ flow: reservationsFlow(), nlu: 'local' }));
    await chat.ready;
    await chat.send('I want to talk to a human');
    await until(() => chat.getState().state === 'NoStaffAvailable');
    expect(chat.getState().handoff).toEqual({ reason: 'visitor asked for a person', queue: 'front-desk' });
    expect(shown(chat.getState()).at(-1)).toBe('bot: What number should we call you back on?');
  });

  it('gives the flow what the visitor wrote for a person who could not join, in order', async () => {
    const relay = relayWithHandoff([reservationsFlow()], false);
    const { chat } = track(openChat({ flow: reservationsFlow(), relay: RELAY }, { fetch: relay.fetch }));
    await chat.ready;
    await chat.send('I want to talk to a human');
    // Written while the handoff is still opening: meant for a person.
    await chat.send('what are your opening hours?');
    await until(() => chat.getState().handoff?.status === 'unavailable', SLOW_MS);
    await until(() => chat.getState().messages.find((message) => message.text === 'what are your opening hours?')?.status === 'answered', SLOW_MS);
    expect(chat.getState().messages.some((message) => message.role === 'bot' && /open every day from noon/.test(message.text))).toBe(true);
    // The question is answered first, then the flow hears that nobody can join.
    await until(() => chat.getState().state === 'NoStaffAvailable', SLOW_MS);
    const texts = shown(chat.getState());
    expect(texts.findIndex((text) => /open every day from noon/.test(text))).toBeLessThan(texts.findIndex((text) => /nobody from the team is free/.test(text)));
  });
});
