/**
 * One server of the HTTP benchmark, in its own process so the load generator
 * does not share its event loop: `bare` (node:http answering fixed JSON),
 * `relay` (the relay on node:http via toNodeListener), `mock-llm` (a fixed
 * OpenAI chat completion). Prints `PORT <n>` and runs until SIGTERM.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import pino from 'pino';
import { createRelay, MemoryIdempotencyStore } from '../../../relay/index.ts';
import { toNodeListener } from '../../../relay/node-adapter.ts';
import { llmOptionsFromEnv } from '../../../relay/server.ts';
import { benchFlow, CLASSIFY_ANSWER, LLM_COMPLETION } from './bench-fixtures.ts';

const mode = process.argv[2];
const llmUrl = process.env.MOCK_LLM_URL;

function readBody(request: import('node:http').IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    request.on('error', reject);
  });
}

let listener: Parameters<typeof createServer>[1];
if (mode === 'bare' || mode === 'mock-llm') {
  listener = (request, response) => {
    void readBody(request).then((text) => {
      if (text) JSON.parse(text);
      const body = mode === 'mock-llm' ? LLM_COMPLETION : request.url?.startsWith('/v1/tools') ? { result: {} } : CLASSIFY_ANSWER;
      response.writeHead(200, { 'content-type': 'application/json; charset=utf-8' });
      response.end(JSON.stringify(body));
    });
  };
} else if (mode === 'relay') {
  const handler = createRelay({
    flows: [benchFlow()],
    tools: { Noop: { domain: 'bench', handler: () => ({}) } },
    logger: pino({ base: undefined }, pino.destination({ dest: '/dev/null', sync: false })),
    // These rows measure the HTTP path with a bare call; what replaying the visitor's
    // conversation adds per call is measured by `npm run bench:relay-verify`.
    verifyConversations: false,
    // One address sends every call with a new key: the per-client quota would turn the bench into 429s.
    stores: { idempotency: new MemoryIdempotencyStore({ keysPerClient: Number.MAX_SAFE_INTEGER, maxEntries: Number.MAX_SAFE_INTEGER }) },
    // The load comes from one address and one session: limits would only measure the 429 path.
    rateLimits: { perIp: false, perSession: false },
    // The LLM settings `statechat relay` builds from its environment.
    ...(llmUrl ? { llm: { ...llmOptionsFromEnv({ OPENAI_API_KEY: 'bench', OPENAI_BASE_URL: llmUrl, OPENAI_MODEL: 'bench-model' }), apiKey: 'bench', model: 'bench-model', timeoutMs: 2000 } } : {}),
  });
  listener = toNodeListener(handler);
} else {
  throw new Error(`unknown mode ${mode}`);
}

const server = createServer({ keepAliveTimeout: 10_000 }, listener);
server.listen(0, '127.0.0.1', () => {
  process.stdout.write(`PORT ${(server.address() as AddressInfo).port}\n`);
});
process.on('SIGTERM', () => {
  server.closeAllConnections();
  server.close(() => process.exit(0));
});
