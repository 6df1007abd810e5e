/**
 * The relay as a standalone Node server. Node only.
 *
 *   npx tsx relay/server.ts            # flows from flows/, demo tools, port 8787
 *
 * Environment: OPENAI_API_KEY, OPENAI_BASE_URL, OPENAI_MODEL, ALLOWED_ORIGINS
 * (comma-separated), REDIS_URL, PORT. Without an API key the relay classifies
 * with the local NLU only and says so when it starts. Live handoff:
 * AGENT_TOKEN (comma-separated to rotate), HANDOFF_RETENTION_HOURS,
 * HANDOFF_WEBHOOK_URL, AGENT_CONSOLE_URL.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { readdir, readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Redis } from 'ioredis';
import type { LlmOptions } from './classify/llm.ts';
import { createRelay, type RelayOptions } from './create-relay.ts';
import { RelayConfigError } from './flow-registry.ts';
import type { HandoffOptions } from './handoff/routes.ts';
import { defaultLogSink, MaskedLogger, type LogSink } from './logger.ts';
import { toNodeListener } from './node-adapter.ts';
import { createWorkerSlotExtractor } from './node-slot-worker.ts';
import { createNodeLlmTransport } from './node-llm-transport.ts';
import { loadFullParsers } from '../widget/nlu/index.ts';
import { loadAgentConsole } from './agent-console/load.ts';
import { RedisHandoffStore } from './handoff/redis-store.ts';
import { redisStores } from './stores/redis.ts';
import type { ToolImplementations } from './tools/types.ts';

export { loadAgentConsole } from './agent-console/load.ts';

export const DEFAULT_PORT = 8787;
/** Longest wait for one Redis command; the relay's are single round trips that take well under a millisecond. */
export const REDIS_COMMAND_TIMEOUT_MS = 2000;

export interface RelayServerOptions {
  /** A directory of `*.flow.json` files. */
  flowsDir: string;
  /** A module whose default export (or `tools` export) is the tool implementations. */
  toolsModule?: string;
  /** Default: `PORT`, else 8787. 0 picks a free port. */
  port?: number;
  /** Default 127.0.0.1; `0.0.0.0` to serve other machines. */
  hostname?: string;
  /** Default `process.env`. */
  env?: NodeJS.ProcessEnv;
  logger?: LogSink;
  /** Anything else `createRelay` takes (rate limits, body limit, …). */
  relay?: Partial<RelayOptions>;
  /**
   * How long a client may take to send its request headers, and the whole
   * request (not the answer): a client that trickles bytes to hold
   * connections open is cut off. Defaults 10 s and 15 s.
   */
  headersTimeoutMs?: number;
  requestTimeoutMs?: number;
}

export const DEFAULT_HEADERS_TIMEOUT_MS = 10_000;
export const DEFAULT_REQUEST_TIMEOUT_MS = 15_000;

export interface RunningRelayServer {
  server: Server;
  port: number;
  /** Stops accepting connections, finishes open requests, closes Redis. */
  close(): Promise<void>;
}

/** Reads every `*.flow.json` in `flowsDir`; a file that is not JSON stops the relay, named in the error. */
export async function loadFlowFiles(flowsDir: string): Promise<unknown[]> {
  const names = (await readdir(flowsDir)).filter((name) => name.endsWith('.flow.json')).sort();
  return Promise.all(
    names.map(async (name) => {
      const path = join(flowsDir, name);
      const text = await readFile(path, 'utf8');
      try {
        return JSON.parse(text) as unknown;
      } catch (error) {
        throw new RelayConfigError(`${path} is not valid JSON (${error instanceof Error ? error.message : String(error)}).`);
      }
    }),
  );
}

/**
 * Imports a `.js`/`.mjs` module as it is; a TypeScript one (`.ts`, `.mts`)
 * needs a Node that strips types or the `tsx` package (an optional peer of
 * statechat-relay), registered only when the plain import cannot load it.
 */
async function importModule(modulePath: string): Promise<unknown> {
  const url = pathToFileURL(resolve(modulePath)).href;
  try {
    return await import(url);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ERR_UNKNOWN_FILE_EXTENSION' || !/\.[cm]?tsx?$/.test(modulePath)) throw error;
  }
  let tsx: typeof import('tsx/esm/api');
  try {
    tsx = await import('tsx/esm/api');
  } catch {
    throw new RelayConfigError(`${modulePath} is TypeScript: install tsx beside statechat-relay (npm install -D tsx) or give a .js module.`);
  }
  tsx.register();
  // Node remembers the failed load of `url`: the query makes it a new module.
  return import(`${url}?tsx`);
}

export async function loadToolsModule(modulePath: string): Promise<ToolImplementations> {
  const loaded = (await importModule(modulePath)) as { default?: unknown; tools?: unknown };
  const tools = loaded.tools ?? loaded.default;
  if (tools === null || typeof tools !== 'object') {
    throw new Error(`${modulePath} exports no tool implementations (export default { ToolName: { domain, handler } }).`);
  }
  return tools as ToolImplementations;
}

/**
 * The LLM settings from `OPENAI_API_KEY`, `OPENAI_BASE_URL` and
 * `OPENAI_MODEL`, calling it over keep-alive node:http / node:https
 * connections; `undefined` without a key.
 */
export function llmOptionsFromEnv(env: NodeJS.ProcessEnv): LlmOptions | undefined {
  const apiKey = env.OPENAI_API_KEY;
  if (!apiKey) return undefined;
  return {
    apiKey,
    baseURL: env.OPENAI_BASE_URL || undefined,
    model: env.OPENAI_MODEL || 'gpt-4o-mini',
    ...(env.OPENAI_ORG_ID ? { organization: env.OPENAI_ORG_ID } : {}),
    ...(env.OPENAI_PROJECT_ID ? { project: env.OPENAI_PROJECT_ID } : {}),
    transport: createNodeLlmTransport(),
  };
}

/**
 * Live handoff from `AGENT_TOKEN` (comma-separated tokens, to rotate one),
 * `HANDOFF_RETENTION_HOURS` (default 24), `HANDOFF_WEBHOOK_URL` (a notice per
 * new handoff) and `AGENT_CONSOLE_URL` (the console's public address, linked
 * in the notice). Without a token, handoffs are off.
 */
export function handoffOptionsFromEnv(env: NodeJS.ProcessEnv): HandoffOptions {
  const tokens = (env.AGENT_TOKEN ?? '')
    .split(',')
    .map((token) => token.trim())
    .filter((token) => token !== '');
  const hours = env.HANDOFF_RETENTION_HOURS === undefined || env.HANDOFF_RETENTION_HOURS === '' ? undefined : Number(env.HANDOFF_RETENTION_HOURS);
  if (hours !== undefined && !(hours > 0)) throw new RelayConfigError(`HANDOFF_RETENTION_HOURS must be a positive number of hours, not "${env.HANDOFF_RETENTION_HOURS}".`);
  const webhook = env.HANDOFF_WEBHOOK_URL?.trim();
  if (webhook && !/^https?:\/\//.test(webhook)) throw new RelayConfigError(`HANDOFF_WEBHOOK_URL must be an http(s) URL, not "${webhook}".`);
  const consoleUrl = env.AGENT_CONSOLE_URL?.trim();
  return {
    ...(tokens.length > 0 ? { agentToken: tokens } : {}),
    ...(hours !== undefined ? { retentionMs: hours * 60 * 60 * 1000 } : {}),
    ...(webhook ? { webhook: { url: webhook, ...(consoleUrl ? { consoleUrl } : {}) } } : {}),
  };
}

/**
 * `RELAY_SECRETS`: comma-separated signing secrets (32+ characters each),
 * the current one first; every instance behind a load balancer needs the
 * same list.
 */
export function secretsFromEnv(env: NodeJS.ProcessEnv): string[] | undefined {
  const secrets = (env.RELAY_SECRETS ?? '')
    .split(',')
    .map((secret) => secret.trim())
    .filter((secret) => secret !== '');
  return secrets.length > 0 ? secrets : undefined;
}

/** Starts the relay on a node:http server. */
export async function startRelayServer(options: RelayServerOptions): Promise<RunningRelayServer> {
  const env = options.env ?? process.env;
  const sink = options.logger ?? defaultLogSink();
  const logger = new MaskedLogger(sink);
  const flows = await loadFlowFiles(options.flowsDir);
  // Earlier versions of those flows, for sessions pinned to them (their tool calls are verified against them).
  const previousFlows = env.PREVIOUS_FLOWS_DIR ? await loadFlowFiles(env.PREVIOUS_FLOWS_DIR) : [];
  const tools = options.toolsModule ? await loadToolsModule(options.toolsModule) : {};
  // Loaded before listening, so the first visitor does not wait for chrono and libphonenumber.
  const slotParsers = await loadFullParsers();
  // Slot parsing runs on worker threads with a time budget: no text can stall the event loop.
  const slotExtractor = createWorkerSlotExtractor({
    onOverrun: (reason) => logger.write('warn', { reason }, 'slot parsing cut short'),
  });
  // Before listening, as with the parsers above: until a worker is up, every text would go without slots.
  if (!(await slotExtractor.ready(10_000))) logger.write('warn', {}, 'the slot parsing workers are not up yet; texts get no slots until they are');
  // A Redis that accepts connections but stops answering must not hold requests
  // forever: each command fails after REDIS_COMMAND_TIMEOUT_MS (the request with a 500).
  const redis = env.REDIS_URL
    ? new Redis(env.REDIS_URL, { lazyConnect: false, maxRetriesPerRequest: 2, commandTimeout: REDIS_COMMAND_TIMEOUT_MS })
    : undefined;
  // Without a listener ioredis prints its errors itself; they go to the log instead.
  redis?.on('error', (error: NodeJS.ErrnoException) => logger.write('warn', { code: error.code, message: error.message }, 'redis error'));
  const llm = llmOptionsFromEnv(env);
  const handoffStore = redis ? new RedisHandoffStore(redis) : undefined;
  // Ends the open event streams on shutdown, so the server can close; their clients reconnect to another relay.
  const streamsEnd = new AbortController();
  const handoff = handoffOptionsFromEnv(env);
  const agentConsole = handoff.agentToken || options.relay?.handoff?.authenticateAgent ? await loadAgentConsole() : null;
  const secrets = secretsFromEnv(env);
  if (!secrets) logger.write('warn', {}, 'no RELAY_SECRETS: signing with a random secret, so checkpoints end with this process and instances disagree');
  const handler = createRelay({
    flows,
    previousFlows,
    tools,
    slotParsers,
    slotExtractor,
    ...(secrets ? { secrets } : {}),
    logger: sink,
    allowedOrigins: (env.ALLOWED_ORIGINS ?? '')
      .split(',')
      .map((origin) => origin.trim())
      .filter((origin) => origin !== ''),
    ...(llm ? { llm } : {}),
    ...(redis ? { stores: redisStores(redis) } : {}),
    ...options.relay,
    handoff: {
      ...handoff,
      ...(handoffStore ? { store: handoffStore } : {}),
      ...(agentConsole ? { console: agentConsole } : {}),
      ...options.relay?.handoff,
      signal: streamsEnd.signal,
    },
  });

  const server = createServer(
    {
      keepAliveTimeout: 5000,
      headersTimeout: options.headersTimeoutMs ?? DEFAULT_HEADERS_TIMEOUT_MS,
      requestTimeout: options.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS,
      // Node checks those timeouts on this interval (30 s by default), so it sets how promptly they bite.
      connectionsCheckingInterval: Math.min(1000, options.headersTimeoutMs ?? DEFAULT_HEADERS_TIMEOUT_MS),
    },
    toNodeListener(handler),
  );
  const port = options.port ?? Number(env.PORT ?? DEFAULT_PORT);
  await new Promise<void>((resolveListen, rejectListen) => {
    server.once('error', rejectListen);
    server.listen(port, options.hostname ?? '127.0.0.1', () => resolveListen());
  });
  const actualPort = (server.address() as AddressInfo).port;
  logger.write(
    'info',
    {
      port: actualPort,
      flows: flows.length,
      tools: Object.keys(tools).length,
      classification: llm ? 'local NLU, then LLM when unsure' : 'local NLU only (no OPENAI_API_KEY)',
      stores: redis ? 'redis' : 'memory',
      handoff: handoff.agentToken ? 'on (AGENT_TOKEN)' : options.relay?.handoff?.authenticateAgent ? 'on' : 'off (no AGENT_TOKEN)',
      agentConsole: agentConsole ? `/agent` : 'not built (npm run build:lib)',
    },
    llm ? 'relay listening' : 'relay listening without an LLM: set OPENAI_API_KEY to ask one when the local NLU is unsure',
  );

  let closing: Promise<void> | undefined;
  return {
    server,
    port: actualPort,
    close() {
      closing ??= (async () => {
        streamsEnd.abort();
        await new Promise<void>((resolveClose) => {
          server.close(() => resolveClose());
          server.closeIdleConnections();
        });
        await handoffStore?.close();
        // QUIT needs an answer; a Redis that gives none is simply disconnected.
        if (redis) await redis.quit().catch(() => redis.disconnect());
        await slotExtractor.close();
        logger.write('info', {}, 'relay stopped');
      })();
      return closing;
    },
  };
}

/** Resolves once SIGTERM or SIGINT arrives and the server has shut down. */
export function closeOnSignals(running: RunningRelayServer): Promise<void> {
  return new Promise((resolveStopped) => {
    const stop = () => {
      process.off('SIGTERM', stop);
      process.off('SIGINT', stop);
      void running.close().then(resolveStopped, resolveStopped);
    };
    process.on('SIGTERM', stop);
    process.on('SIGINT', stop);
  });
}

const invokedDirectly = process.argv[1] !== undefined && import.meta.url === pathToFileURL(resolve(process.argv[1])).href;
if (invokedDirectly) {
  const here = new URL('.', import.meta.url).pathname;
  const running = await startRelayServer({
    flowsDir: process.env.FLOWS_DIR ?? join(here, '../flows'),
    toolsModule: process.env.TOOLS_MODULE ?? join(here, 'demo-tools.ts'),
  });
  await closeOnSignals(running);
}
