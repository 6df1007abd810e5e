/**
 * Two relay processes and one real Redis (the set-up): the visitor on
 * one relay, the agent on the other; each relay restarted in turn. Every
 * message reaches the visitor exactly once, in order, and the handoff
 * survives the restarts.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EventStreamParser, readEventStream, type ServerSentEvent } from '../../widget/handoff/sse.ts';
import { AGENT_TOKEN, handoffFlow, openBody, VISITOR_KEY } from './support/handoff.ts';
import { requireRedisServer, repositoryRoot, freePort, waitForLine, stop } from './support/processes.ts';

requireRedisServer();

describe('live handoff across two relay processes and Redis', () => {
  let directory = '';
  let redisProcess: ChildProcess | undefined;
  let redisUrl = '';
  const running = new Set<ChildProcess>();

  async function startRelay(): Promise<{ child: ChildProcess; url: string }> {
    const child = spawn(process.execPath, ['--import', 'tsx', join(repositoryRoot, 'test/relay/support/relay-process.ts')], {
      cwd: repositoryRoot,
      env: { ...process.env, REDIS_URL: redisUrl, FLOWS_DIR: directory, OPENAI_API_KEY: '', AGENT_TOKEN },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    running.add(child);
    child.once('exit', () => running.delete(child));
    const [, port] = await waitForLine(child, /LISTENING (\d+)/, 30_000);
    return { child, url: `http://127.0.0.1:${port}` };
  }

  beforeAll(async () => {
    directory = mkdtempSync(join(tmpdir(), 'statechat-handoff-relays-'));
    writeFileSync(join(directory, 'handoff.flow.json'), JSON.stringify(handoffFlow()));
    const port = await freePort();
    redisProcess = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', directory], { stdio: ['ignore', 'pipe', 'pipe'] });
    await waitForLine(redisProcess, /Ready to accept connections/, 10_000);
    redisUrl = `redis://127.0.0.1:${port}`;
  }, 20_000);

  afterAll(async () => {
    await Promise.all([...running].map(stop));
    await stop(redisProcess);
    if (directory) rmSync(directory, { recursive: true, force: true });
  });

  it('delivers every agent message once and in order while each relay restarts', async () => {
    let visitorRelay = await startRelay();
    let agentRelay = await startRelay();
    const opened = await fetch(`${visitorRelay.url}/v1/handoffs`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(openBody()) });
    expect(opened.status).toBe(201);
    const { handoff } = (await opened.json()) as { handoff: { id: string } };

    const heard: ServerSentEvent[] = [];
    let lastId = '';
    /** The visitor's stream on the visitor's relay, resumed from the last event it had, until `count` messages arrived or the relay went away. */
    const listen = async (url: string, until: number): Promise<void> => {
      const controller = new AbortController();
      const response = await fetch(`${url}/v1/handoffs/${handoff.id}/events`, {
        headers: { authorization: `Bearer ${VISITOR_KEY}`, ...(lastId ? { 'last-event-id': lastId } : {}) },
        signal: controller.signal,
      });
      expect(response.status).toBe(200);
      const parser = new EventStreamParser(
        (event) => {
          heard.push(event);
          lastId = event.id;
          if (heard.filter((seen) => seen.event === 'message').length >= until) controller.abort();
        },
        () => undefined,
        lastId,
      );
      await readEventStream(response.body as ReadableStream<Uint8Array>, parser, controller.signal).catch(() => undefined);
    };
    const say = async (from: number, to: number): Promise<void> => {
      for (let index = from; index <= to; index += 1) {
        const response = await fetch(`${agentRelay.url}/v1/agent/handoffs/${handoff.id}/messages`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', authorization: `Bearer ${AGENT_TOKEN}` },
          body: JSON.stringify({ text: `message ${index}`, agent: 'Ana' }),
        });
        expect(response.status).toBe(201);
      }
    };

    // Live: the agent on one relay, the visitor on the other.
    const first = listen(visitorRelay.url, 10);
    await new Promise((resolve) => setTimeout(resolve, 200));
    await say(1, 10);
    await first;

    // The visitor's relay restarts; the agent writes meanwhile; the visitor resumes on the new process.
    await stop(visitorRelay.child);
    await say(11, 15);
    visitorRelay = await startRelay();
    const second = listen(visitorRelay.url, 20);
    await new Promise((resolve) => setTimeout(resolve, 200));
    await say(16, 20);
    await second;

    // The agent's relay restarts: the handoff is still there, open, with everything in it.
    await stop(agentRelay.child);
    agentRelay = await startRelay();
    const listed = (await (await fetch(`${agentRelay.url}/v1/agent/handoffs`, { headers: { authorization: `Bearer ${AGENT_TOKEN}` } })).json()) as { handoffs: Array<{ id: string; agent: string; messages: unknown[] }> };
    expect(listed.handoffs.map((item) => item.id)).toEqual([handoff.id]);
    expect(listed.handoffs[0]).toMatchObject({ agent: 'Ana' });
    expect(listed.handoffs[0]?.messages).toHaveLength(2 + 20);

    const texts = heard.filter((event) => event.event === 'message').map((event) => (JSON.parse(event.data) as { message: { text: string } }).message.text);
    expect(texts).toEqual(Array.from({ length: 20 }, (_, index) => `message ${index + 1}`));
    expect(heard.filter((event) => event.event === 'joined')).toHaveLength(1);
    const ids = heard.map((event) => Number(event.id));
    expect(ids).toEqual(Array.from({ length: ids.length }, (_, index) => ids[0] as number + index));
  }, 120_000);
});
