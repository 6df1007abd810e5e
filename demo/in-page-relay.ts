/**
 * The demo's relay, running in the page: MSW's service worker hands the
 * widget's requests to `/relay/v1/*` to the same `createRelay` handler the
 * Node server runs, with the demo tools and a mock LLM (answered in the page
 * through the relay's `llm.fetch`). No server, no key.
 */
import { http, HttpResponse } from 'msw';
import { setupWorker } from 'msw/browser';
import reservations from '../flows/reservations.flow.json';
import orderTracking from '../flows/order-tracking.flow.json';
import { createDemoTools } from '../relay/demo-tools.ts';
import { createRelay } from '../relay/index.ts';
import type { ToolImplementations } from '../relay/index.ts';
import { mockChatCompletion } from './mock-llm.ts';

export const RELAY_PATH = '/relay';
const LLM_BASE_URL = 'https://llm.demo.invalid/v1';

export interface InPageRelay {
  /** The relay's base URL for `createChat({ relay })`. */
  url: string;
  /** How many times each tool has run (a retried call with the same idempotency key runs once). */
  toolRuns: Map<string, number>;
  /** While false, every relay request fails as a network error would. */
  reachable: boolean;
  onToolRun: ((name: string, count: number) => void) | null;
  /** The relay's log lines, PII already masked. */
  onLog: ((level: string, fields: object, message: string) => void) | null;
}

function countRuns(tools: ToolImplementations, relay: InPageRelay): ToolImplementations {
  return Object.fromEntries(
    Object.entries(tools).map(([name, tool]) => [
      name,
      {
        ...tool,
        handler: (...call: Parameters<typeof tool.handler>) => {
          const count = (relay.toolRuns.get(name) ?? 0) + 1;
          relay.toolRuns.set(name, count);
          relay.onToolRun?.(name, count);
          return tool.handler(...call);
        },
      },
    ]),
  );
}

export async function startInPageRelay(): Promise<InPageRelay> {
  const relay: InPageRelay = { url: `${location.origin}${RELAY_PATH}`, toolRuns: new Map(), reachable: true, onToolRun: null, onLog: null };
  const handler = createRelay({
    flows: [reservations, orderTracking],
    tools: countRuns(createDemoTools(), relay),
    allowedOrigins: [location.origin],
    llm: {
      apiKey: 'demo-key-not-secret',
      model: 'demo-model',
      baseURL: LLM_BASE_URL,
      dangerouslyAllowBrowser: true,
      fetch: (input, init) => mockChatCompletion(new Request(input, init)),
    },
    logger: {
      info: (fields, message) => relay.onLog?.('info', fields, message),
      warn: (fields, message) => relay.onLog?.('warn', fields, message),
      error: (fields, message) => relay.onLog?.('error', fields, message),
    },
  });

  const worker = setupWorker(
    http.all(`${RELAY_PATH}/*`, async ({ request }) => {
      if (!relay.reachable) return HttpResponse.error();
      const url = new URL(request.url);
      url.pathname = url.pathname.slice(RELAY_PATH.length);
      const hasBody = request.method !== 'GET' && request.method !== 'HEAD';
      const forwarded = new Request(url, { method: request.method, headers: request.headers, body: hasBody ? await request.arrayBuffer() : null });
      return handler(forwarded, { clientAddress: '127.0.0.1' });
    }),
  );
  await worker.start({ serviceWorker: { url: '/mockServiceWorker.js' }, onUnhandledRequest: 'bypass', quiet: true });
  return relay;
}
