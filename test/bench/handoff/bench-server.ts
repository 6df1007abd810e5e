/**
 * The servers `handoff.bench.ts` measures, each in its own process, on
 * 127.0.0.1 with a free port (printed as `PORT n`):
 *
 * - `relay`: the relay with live handoff on (memory store, no rate limits,
 *   the example flows), on node:http through `toNodeListener`.
 * - `bare`: the least an SSE server can do: `GET /events` holds the
 *   response open, `POST /send` writes the body to every open one as an event.
 */
import { readFileSync } from 'node:fs';
import { createServer, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createRelay } from '../../../relay/index.ts';
import { toNodeListener } from '../../../relay/node-adapter.ts';

const mode = process.argv[2];
const agentToken = process.env.BENCH_AGENT_TOKEN ?? '';

function listen(server: ReturnType<typeof createServer>): void {
  server.listen(0, '127.0.0.1', () => process.stdout.write(`PORT ${(server.address() as AddressInfo).port}\n`));
  process.on('SIGTERM', () => {
    server.closeAllConnections();
    server.close(() => process.exit(0));
  });
}

if (mode === 'relay') {
  const flow = JSON.parse(readFileSync(new URL('../../../flows/reservations.flow.json', import.meta.url), 'utf8')) as unknown;
  const handler = createRelay({
    flows: [flow],
    logger: { info: () => undefined, warn: () => undefined, error: () => undefined },
    rateLimits: { perIp: false, perSession: false },
    // The benchmark measures messages and held streams, not opening: its handoffs come without a journal to replay.
    verifyConversations: false,
    handoff: { agentToken, heartbeatMs: 15_000, maxStreams: 50_000 },
  });
  listen(createServer({ keepAliveTimeout: 5000 }, toNodeListener(handler)));
} else if (mode === 'bare') {
  const open = new Set<ServerResponse>();
  let seq = 0;
  listen(
    createServer((request, response) => {
      if (request.method === 'GET' && request.url === '/events') {
        response.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-store' });
        response.write('retry: 2000\n\n');
        open.add(response);
        request.on('close', () => open.delete(response));
        return;
      }
      if (request.method === 'POST' && request.url === '/send') {
        const chunks: Buffer[] = [];
        request.on('data', (chunk: Buffer) => chunks.push(chunk));
        request.on('end', () => {
          seq += 1;
          const frame = `id: ${seq}\nevent: message\ndata: ${Buffer.concat(chunks).toString('utf8')}\n\n`;
          for (const stream of open) stream.write(frame);
          response.writeHead(201, { 'content-type': 'application/json' }).end('{}');
        });
        return;
      }
      response.writeHead(404).end();
    }),
  );
} else {
  throw new Error(`unknown mode ${mode}: relay or bare`);
}
