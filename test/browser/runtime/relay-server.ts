/**
 * The real relay on a loopback port for browser tests, with a `Job` tool that
 * counts its runs and can be held open (to reload the page mid-call).
 */
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createRelay } from '../../../relay/index.ts';
import { toNodeListener } from '../../../relay/node-adapter.ts';

export interface LoopbackRelay {
  url: string;
  /** `METHOD /path` of every request. */
  requests: string[];
  toolRuns: string[];
  hold(): { release: () => void };
  close(): Promise<void>;
}

function readJson(path: string): unknown {
  return JSON.parse(readFileSync(new URL(path, import.meta.url), 'utf8'));
}

export async function startLoopbackRelay(): Promise<LoopbackRelay> {
  const requests: string[] = [];
  const toolRuns: string[] = [];
  let gate: Promise<void> | null = null;
  const handler = createRelay({
    flows: [readJson('../../../flows/reservations.flow.json'), readJson('./pages/tool.flow.json')],
    tools: {
      Job: {
        domain: 'test',
        handler: async (_args, context) => {
          toolRuns.push(context.idempotencyKey);
          if (gate) await gate;
          return { done: true };
        },
      },
    },
    allowedOrigins: ['*'],
    rateLimits: { perIp: false, perSession: false },
    logger: { info: () => undefined, warn: () => undefined, error: () => undefined },
  });
  const listener = toNodeListener(handler);
  const server: Server = createServer((incoming, outgoing) => {
    requests.push(`${incoming.method ?? ''} ${incoming.url ?? ''}`);
    void listener(incoming, outgoing);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    toolRuns,
    hold() {
      let release: () => void = () => undefined;
      gate = new Promise((resolve) => {
        release = () => {
          gate = null;
          resolve();
        };
      });
      return { release };
    },
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
