/**
 * The real relay (`createRelay` with counting tools) behind MSW, for the
 * runtime's unit tests. Requests can be failed on purpose (`failNext`), and
 * every request and tool run is counted.
 */
import { http, HttpResponse, type RequestHandler } from 'msw';
import { setupServer, type SetupServerApi } from 'msw/node';
import type { Flow } from '../../flows/types.ts';
import { createRelay } from '../../relay/index.ts';
import type { ToolImplementations } from '../../relay/index.ts';
import { RELAY, reservationsFlow } from './helpers.ts';

/** A small flow whose quick reply starts a tool call, so tool tests need no NLU. */
export function toolFlow(version = '1'): Flow {
  return {
    meta: { name: 'Tool test', id: 'tooltest', version, domains: ['test'] },
    start: 'Start',
    intents: { GO: { examples: ['go', 'start the job', 'run it'], slots: {} } },
    tools: { Job: { domain: 'test', args: { n: 'number' }, result: { done: 'boolean' }, timeout_ms: 1000 } },
    states: {
      Start: {
        onEnter: [{ ask: 'Ready?', choices: [{ label: 'Go', value: 'go', intent: 'GO' }] }],
        transitions: [{ onIntent: ['GO'], to: 'Running' }],
      },
      Running: { onEnter: [{ call: 'Job', args: { n: 1 }, onResult: { to: 'Done' }, onError: { to: 'Failed' } }] },
      Done: { onEnter: [{ say: 'Done.' }], final: true },
      Failed: { onEnter: [{ say: 'Failed: {{error.code}}' }], final: true },
    },
  } as unknown as Flow;
}

export interface RelayFixture {
  server: SetupServerApi;
  /** `METHOD /path` of every request that reached MSW. */
  requests: string[];
  /** The `If-None-Match` of each flow request (null when absent). */
  flowConditions: (string | null)[];
  /** Idempotency keys of tool runs that really executed. */
  toolRuns: string[];
  /** The JSON body of every tool call that reached MSW. */
  toolBodies: unknown[];
  /** Answer the next `count` requests to `path` (a prefix like `/v1/classify`) with this response instead. */
  failNext(path: string, count: number, response: () => Response): void;
  /** Holds tool runs until `release()`. */
  holdTools(): { release: () => void };
  close(): void;
}

export function startRelay(flows: Flow[] = [reservationsFlow(), toolFlow()], previousFlows: Flow[] = []): RelayFixture {
  const requests: string[] = [];
  const toolRuns: string[] = [];
  const toolBodies: unknown[] = [];
  const flowConditions: (string | null)[] = [];
  const failures: { path: string; remaining: number; response: () => Response }[] = [];
  let gate: Promise<void> | null = null;
  const tools: ToolImplementations = {
    Job: {
      domain: 'test',
      handler: async (_args, context) => {
        toolRuns.push(context.idempotencyKey);
        if (gate) await gate;
        return { done: true };
      },
    },
  };
  const relay = createRelay({
    flows,
    previousFlows,
    // One secret for every relay a test starts, as instances of one deployment share theirs.
    secrets: ['widget-tests-relay-secret-0123456789abcdef'],
    tools,
    logger: { info: () => undefined, warn: () => undefined, error: () => undefined },
    rateLimits: { perIp: false, perSession: false },
    allowedOrigins: ['*'],
  });
  const handler: RequestHandler = http.all(`${RELAY}/*`, async ({ request }) => {
    const path = request.url.slice(RELAY.length);
    requests.push(`${request.method} ${path}`);
    if (path.startsWith('/v1/flows/')) flowConditions.push(request.headers.get('if-none-match'));
    const failure = failures.find((candidate) => path.startsWith(candidate.path) && candidate.remaining > 0);
    if (failure) {
      failure.remaining -= 1;
      return failure.response();
    }
    const body = request.method === 'GET' || request.method === 'HEAD' ? undefined : await request.text();
    if (path.startsWith('/v1/tools/') && body !== undefined) toolBodies.push(JSON.parse(body) as unknown);
    const forwarded = new Request(`https://relay.local${path}`, { method: request.method, headers: request.headers, ...(body === undefined ? {} : { body }) });
    return relay(forwarded);
  });
  const server = setupServer(handler);
  server.listen({ onUnhandledRequest: 'error' });
  return {
    server,
    requests,
    flowConditions,
    toolRuns,
    toolBodies,
    failNext(path, count, response) {
      failures.push({ path, remaining: count, response });
    },
    holdTools() {
      let release: () => void = () => undefined;
      gate = new Promise((resolve) => {
        release = () => {
          gate = null;
          resolve();
        };
      });
      return { release };
    },
    close() {
      server.close();
    },
  };
}

export function relayError(status: number, code: string, headers: Record<string, string> = {}): () => Response {
  return () => HttpResponse.json({ error: { code, message: `scripted ${code}` } }, { status, headers });
}

export function networkError(): () => Response {
  return () => HttpResponse.error();
}
