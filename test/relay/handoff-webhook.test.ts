import { describe, expect, it } from 'vitest';
import { createRelay } from '../../relay/index.ts';
import { handoffNotice, sendHandoffNotice } from '../../relay/handoff/webhook.ts';
import type { HandoffSummary } from '../../relay/handoff/routes.ts';
import { captureLogs } from './fixtures.ts';
import { post } from './helpers.ts';
import { AGENT_TOKEN, handoffFlow, openBody } from './support/handoff.ts';

const summary: HandoffSummary = {
  id: 'h-1',
  flowId: 'restaurant',
  sessionId: 's-1',
  reason: 'call me on +44 7700 900123, large party',
  queue: 'manager',
  status: 'waiting',
  agent: null,
  createdAt: Date.parse('2026-11-30T12:00:00Z'),
  updatedAt: Date.parse('2026-11-30T12:00:00Z'),
};

function scripted(statuses: Array<number | 'network'>, headers: Record<string, string> = {}) {
  const calls: Array<{ url: string; body: unknown }> = [];
  const fetch: typeof globalThis.fetch = async (input, init) => {
    calls.push({ url: String(input), body: JSON.parse(String(init?.body)) });
    const next = statuses[calls.length - 1] ?? 200;
    if (next === 'network') throw new TypeError('fetch failed');
    return new Response('ok', { status: next, headers });
  };
  return { fetch, calls };
}

describe('the handoff webhook', () => {
  it('posts a Slack-compatible notice with a console link, the reason masked and no transcript', () => {
    const notice = handoffNotice(summary, 'https://relay.example/agent');
    expect(notice.text).toBe('A visitor is waiting for a person (manager): call me on [PHONE], large party. Answer in the agent console: <https://relay.example/agent|open the console>');
    expect(notice.handoff).toEqual({ id: 'h-1', flowId: 'restaurant', queue: 'manager', reason: 'call me on [PHONE], large party', createdAt: '2026-11-30T12:00:00.000Z', console: 'https://relay.example/agent' });
    expect(JSON.stringify(notice)).not.toContain('7700');
  });

  it('retries network failures, 5xx and 429 with growing waits, honouring Retry-After', async () => {
    const { fetch, calls } = scripted(['network', 503, 429, 200], { 'retry-after': '7' });
    const waits: number[] = [];
    const outcome = await sendHandoffNotice(summary, { url: 'https://hooks.example/x', fetch, sleep: async (ms) => void waits.push(ms), baseDelayMs: 1000, maxDelayMs: 60_000 });
    expect(outcome).toEqual({ handoffId: 'h-1', delivered: true, attempts: 4, last: 200 });
    expect(calls).toHaveLength(4);
    expect(waits).toEqual([1000, 7000, 7000]);
  });

  it('gives up at once on a 4xx that retrying cannot fix, and after the last attempt otherwise', async () => {
    const refused = scripted([404]);
    expect(await sendHandoffNotice(summary, { url: 'https://hooks.example/x', fetch: refused.fetch, sleep: async () => undefined })).toEqual({ handoffId: 'h-1', delivered: false, attempts: 1, last: 404 });
    const down = scripted([500, 500, 500]);
    const waits: number[] = [];
    expect(await sendHandoffNotice(summary, { url: 'https://hooks.example/x', fetch: down.fetch, attempts: 3, sleep: async (ms) => void waits.push(ms), baseDelayMs: 10, maxDelayMs: 15 })).toEqual({ handoffId: 'h-1', delivered: false, attempts: 3, last: 500 });
    expect(waits).toEqual([10, 15]);
  });

  it('is sent once per new handoff, after the visitor has the answer, and logged without the reason', async () => {
    const logs = captureLogs();
    const hook = scripted([503, 200]);
    let release: () => void = () => undefined;
    const held = new Promise<void>((resolve) => (release = resolve));
    const handler = createRelay({
      flows: [handoffFlow()],
      logger: logs.sink,
      handoff: { agentToken: AGENT_TOKEN, webhook: { url: 'https://hooks.example/x', consoleUrl: 'https://relay.example/agent', fetch: hook.fetch, sleep: () => held } },
    });
    const opened = await handler(post('/v1/handoffs', openBody()));
    expect(opened.status).toBe(201);
    // The visitor's answer did not wait for the webhook, which is now waiting to retry.
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(hook.calls).toHaveLength(1);
    expect(hook.calls[0]?.body).toMatchObject({ handoff: { queue: 'front-desk', console: 'https://relay.example/agent' } });
    release();
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(hook.calls).toHaveLength(2);
    // A retried open is the same handoff: no second notice.
    await handler(post('/v1/handoffs', openBody()));
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(hook.calls).toHaveLength(2);
    const line = logs.parsed().find((entry) => entry.msg === 'handoff notice');
    expect(line).toMatchObject({ delivered: true, attempts: 2, last: 200 });
    expect(logs.text()).not.toContain('visitor asked for a person');
  });
});
