import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { LlmTransportRequest } from '../../relay/classify/llm.ts';
import { createNodeLlmTransport as fromNodeEntry } from '../../relay/node-adapter.ts';
import { createNodeLlmTransport } from '../../relay/node-llm-transport.ts';
import { startRelayServer } from '../../relay/server.ts';
import { captureLogs, restaurantFlow } from './fixtures.ts';

const closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  while (closers.length > 0) await closers.pop()?.();
});

/** A loopback server that counts connections and answers with `respond`. */
async function llmServer(respond: (request: IncomingMessage, response: ServerResponse, body: string, socketRequests: number) => void) {
  const sockets = new Set<Socket>();
  const served = new WeakMap<Socket, number>();
  const seen: { headers: IncomingMessage['headers']; body: string }[] = [];
  const server: Server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      seen.push({ headers: request.headers, body });
      const count = (served.get(request.socket) ?? 0) + 1;
      served.set(request.socket, count);
      respond(request, response, body, count);
    });
  });
  server.on('connection', (socket) => sockets.add(socket));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  closers.push(
    () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  );
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1/chat/completions`, connections: () => sockets.size, seen };
}

function call(url: string, overrides: Partial<LlmTransportRequest> = {}): LlmTransportRequest {
  return { url, headers: { 'content-type': 'application/json' }, body: '{"q":1}', signal: new AbortController().signal, maxResponseBytes: 1024, ...overrides };
}

describe('the Node LLM transport', () => {
  it('posts the body and keeps one connection for calls in a row', async () => {
    const llm = await llmServer((_request, response, body) => {
      response.writeHead(200, { 'content-type': 'application/json' });
      response.end(JSON.stringify({ echo: body }));
    });
    const transport = createNodeLlmTransport();
    for (let index = 0; index < 5; index++) {
      expect(await transport(call(llm.url, { body: `{"n":${index}}` }))).toEqual({ status: 200, text: JSON.stringify({ echo: `{"n":${index}}` }) });
    }
    expect(llm.connections()).toBe(1);
    expect(llm.seen[0]?.headers['content-length']).toBe('7');
  });

  it('hands back error statuses with their body', async () => {
    const llm = await llmServer((_request, response) => {
      response.writeHead(429, { 'content-type': 'application/json' });
      response.end('{"error":{"message":"slow down"}}');
    });
    expect(await createNodeLlmTransport()(call(llm.url))).toEqual({ status: 429, text: '{"error":{"message":"slow down"}}' });
  });

  it('stops reading an answer over the size limit', async () => {
    const llm = await llmServer((_request, response) => {
      response.writeHead(200, { 'content-type': 'application/json' });
      response.end('x'.repeat(5000));
    });
    expect(await createNodeLlmTransport()(call(llm.url, { maxResponseBytes: 1000 }))).toEqual({ status: 200, text: undefined });
  });

  it('rejects with an AbortError when the signal aborts, and drops the connection', async () => {
    const llm = await llmServer(() => undefined);
    const controller = new AbortController();
    const pending = createNodeLlmTransport()(call(llm.url, { signal: controller.signal }));
    setTimeout(() => controller.abort(), 30);
    await expect(pending).rejects.toMatchObject({ name: 'AbortError' });
  });

  it('sends again on a new connection when the server closed the kept-alive one', async () => {
    const llm = await llmServer((request, response, _body, socketRequests) => {
      // The second request on a connection finds it closed, as after a server's idle timeout.
      if (socketRequests > 1) {
        request.socket.destroy();
        return;
      }
      response.writeHead(200, { 'content-type': 'application/json' });
      response.end('{"ok":true}');
    });
    const transport = createNodeLlmTransport();
    expect(await transport(call(llm.url))).toEqual({ status: 200, text: '{"ok":true}' });
    expect(await transport(call(llm.url))).toEqual({ status: 200, text: '{"ok":true}' });
    expect(llm.connections()).toBe(2);
  });

  it('is exported with the Node mount (statechat-relay/node)', () => {
    expect(fromNodeEntry).toBe(createNodeLlmTransport);
  });

  it('refuses URLs that are not http or https', async () => {
    await expect(createNodeLlmTransport()(call('file:///etc/passwd'))).rejects.toThrow(TypeError);
  });
});

describe('the Node server', () => {
  it('asks the LLM from OPENAI_* over one kept-alive connection', async () => {
    const llm = await llmServer((_request, response) => {
      const content = JSON.stringify({ intent: 'HOURS', confidence: 0.9, slots: { email: null, partySize: null, date: null, time: null } });
      response.writeHead(200, { 'content-type': 'application/json' });
      response.end(JSON.stringify({ choices: [{ index: 0, message: { role: 'assistant', content, refusal: null } }] }));
    });
    const flowsDir = mkdtempSync(join(tmpdir(), 'statechat-flows-'));
    closers.push(async () => rmSync(flowsDir, { recursive: true, force: true }));
    writeFileSync(join(flowsDir, 'restaurant.flow.json'), JSON.stringify(restaurantFlow()));
    const logs = captureLogs();
    const running = await startRelayServer({
      flowsDir,
      port: 0,
      logger: logs.sink,
      env: { OPENAI_API_KEY: 'sk-node-test', OPENAI_BASE_URL: llm.url.replace('/chat/completions', ''), OPENAI_MODEL: 'test-model' },
    });
    closers.push(() => running.close());

    for (let index = 0; index < 3; index++) {
      const response = await fetch(`http://127.0.0.1:${running.port}/v1/classify`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ flowId: 'restaurant', state: 'Start', sessionId: 's1', text: 'zebra quantum marmalade' }),
      });
      expect(await response.json()).toEqual({ intent: 'HOURS', confidence: 0.9, slots: {}, source: 'llm', signature: expect.any(String) });
    }
    expect(llm.connections()).toBe(1);
    expect(llm.seen[0]?.headers.authorization).toBe('Bearer sk-node-test');
    expect(JSON.parse(llm.seen[0]?.body ?? '{}')).toMatchObject({ model: 'test-model', temperature: 0, messages: [{ role: 'system' }, { role: 'user', content: 'zebra quantum marmalade' }] });
    expect(logs.text()).not.toContain('sk-node-test');
    // Startup waits for the slot-parsing workers, which on a busy machine takes seconds.
  }, 45_000);
});
