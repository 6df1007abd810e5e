/**
 * The demo's relay, running in the page: MSW's service worker hands the
 * widget's requests to `/relay/v1/*` to the same `createRelay` handler the
 * Node server runs, with the demo tools and a mock LLM (answered in the page
 * through the relay's `llm.fetch`). No server, no key. Live handoff is on,
 * answered by a scripted member of staff (`demo-staff.ts`) unless `staff` is
 * false, when nobody can join.
 */
import { http, HttpResponse } from 'msw';
import { setupWorker } from 'msw/browser';
import reservations from '../flows/reservations.flow.json';
import orderTracking from '../flows/order-tracking.flow.json';
import { createDemoTools } from '../relay/demo-tools.ts';
import { createRelay } from '../relay/index.ts';
import type { RelayOptions, ToolImplementations } from '../relay/index.ts';
import { DEMO_AGENT_TOKEN, demoStaff } from './demo-staff.ts';
import { MISCLASSIFY_MARKER, mockChatCompletion } from './mock-llm.ts';

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

/** The same flows, with a threshold no local classification reaches, so the LLM is always asked. */
function alwaysAskTheLlm(flow: { meta: object }): unknown {
  return { ...flow, meta: { ...flow.meta, nlu: { threshold: 1 } } };
}

export async function startInPageRelay(options: { staff?: boolean } = {}): Promise<InPageRelay> {
  const relay: InPageRelay = { url: `${location.origin}${RELAY_PATH}`, toolRuns: new Map(), reachable: true, onToolRun: null, onLog: null };
  const relayOptions = (flows: unknown[]): RelayOptions => ({
    flows,
    tools: countRuns(createDemoTools(), relay),
    allowedOrigins: [location.origin],
    // The relay runs in the page, so nothing it signs is secret here; a fixed secret
    // keeps its signatures valid across reloads (a real relay takes RELAY_SECRETS).
    secrets: ['statechat-demo-in-page-relay-not-a-secret'],
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
  const staff = demoStaff(
    () => handler,
    (message) => relay.onLog?.('warn', {}, message),
  );
  const handler = createRelay({
    ...relayOptions([reservations, orderTracking]),
    ...(options.staff === false ? {} : { handoff: { agentToken: DEMO_AGENT_TOKEN, onOpened: staff } }),
  });
  // "(HANG ON)" must reach the mock LLM even when the local classifier is sure, so those
  // classifications go to a relay whose flows always ask the LLM.
  const hangOnHandler = createRelay(relayOptions([reservations, orderTracking].map(alwaysAskTheLlm)));

  const worker = setupWorker(
    http.all(`${RELAY_PATH}/*`, async ({ request }) => {
      if (!relay.reachable) return HttpResponse.error();
      const url = new URL(request.url);
      url.pathname = url.pathname.slice(RELAY_PATH.length);
      const hasBody = request.method !== 'GET' && request.method !== 'HEAD';
      const body = hasBody ? await request.text() : null;
      const forwarded = new Request(url, { method: request.method, headers: request.headers, body });
      const misread = url.pathname === '/v1/classify' && body !== null && body.toUpperCase().includes(MISCLASSIFY_MARKER);
      return (misread ? hangOnHandler : handler)(forwarded, { clientAddress: '127.0.0.1' });
    }),
  );
  await worker.start({ serviceWorker: { url: '/mockServiceWorker.js' }, onUnhandledRequest: 'bypass', quiet: true });
  return relay;
}
