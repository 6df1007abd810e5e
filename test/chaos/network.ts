/**
 * The network between the simulated pages and the real relay handler
 * (`createRelay`), and the relay's life: latency (which also reorders),
 * requests lost before or after the relay saw them, duplicated requests,
 * 5xx from a proxy, offline spells, and relay restarts that cut the
 * requests in flight. The idempotency store outlives a restart, as Redis
 * does; a killed relay never writes to it again, and its tools stop where
 * they are.
 */
import { onlineManager } from '@tanstack/query-core';
import { compileFlow } from '../../flows/compile-flow.ts';
import type { Flow } from '../../flows/types.ts';
import { createDemoTools } from '../../relay/demo-tools.ts';
import { createRelay, type RelayHandler } from '../../relay/index.ts';
import { MemoryIdempotencyStore } from '../../relay/stores/memory.ts';
import type { IdempotencyStore } from '../../relay/stores/types.ts';
import type { ToolImplementations } from '../../relay/tools/types.ts';
import type { SlotParsers } from '../../widget/nlu/index.ts';
import type { Random } from './random.ts';

const CHAOS_RELAY_SECRET = 'chaos-relay-secret-0123456789abcdefghij';

export interface NetworkFaults {
  /** Largest one-way latency (ms); each request draws its own, so answers overtake each other. */
  latencyMs: number;
  /** A request lost before it reaches the relay. */
  dropBefore: number;
  /** An answer lost on its way back (the relay did the work). */
  dropAfter: number;
  /** A request sent twice (a retrying proxy). */
  duplicate: number;
  /** A 502/503 from a proxy in front of the relay. */
  proxyError: number;
  /** A classification or tool call refused (403) before the relay ran it: a gateway's policy, an expired token. */
  refuse: number;
  /** A tool that takes longer than its timeout before its side effect (it is aborted). */
  slowTool: number;
  /** A tool whose side effect is done, but whose answer comes after its timeout. */
  slowAfterEffect: number;
}

export const CALM: NetworkFaults = { latencyMs: 40, dropBefore: 0, dropAfter: 0, duplicate: 0, proxyError: 0, refuse: 0, slowTool: 0, slowAfterEffect: 0 };

/** One execution of a tool's handler by the relay. */
export interface ToolRun {
  tool: string;
  sessionId: string;
  key: string;
  attempt: number;
  relay: number;
  /** The side effect happened (a booking was made). */
  committed: boolean;
  /** The relay instance died after the side effect and before it could record the answer. */
  crashedAfterEffect: boolean;
}

interface RelayInstance {
  id: number;
  handler: RelayHandler;
  alive: boolean;
  /** Rejects when the process is killed: its open connections reset. */
  died: Promise<never>;
  kill: () => void;
}

const never = <T>(): Promise<T> => new Promise<T>(() => undefined);

/** `sessionId text` of a classification request body. */
export function classificationKey(body: string): string | null {
  try {
    const parsed = JSON.parse(body) as { sessionId?: unknown; text?: unknown };
    return typeof parsed.sessionId === 'string' && typeof parsed.text === 'string' ? `${parsed.sessionId} ${parsed.text}` : null;
  } catch {
    return null;
  }
}

/** `flow` with state `from` called `to`: the key in `states`, and every string naming it (targets, the initial state). */
function renameState(flow: Flow, from: string, to: string): Flow {
  const rename = (value: unknown): unknown => {
    if (value === from) return to;
    if (Array.isArray(value)) return value.map(rename);
    if (value !== null && typeof value === 'object') {
      return Object.fromEntries(Object.entries(value).map(([key, inner]) => [key, rename(inner)]));
    }
    return value;
  };
  const states = Object.fromEntries(Object.entries(flow.states).map(([name, state]) => [name === from ? to : name, rename(state)]));
  const { states: _states, ...rest } = flow;
  return { ...(rename(rest) as Omit<Flow, 'states'>), states } as Flow;
}

function sleep(milliseconds: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, milliseconds));
}

export interface NetworkCounts {
  requests: number;
  droppedBefore: number;
  droppedAfter: number;
  duplicated: number;
  proxyErrors: number;
  offlineRefusals: number;
  refused: number;
  cutByRestart: number;
  restarts: number;
  slowTools: number;
  /** New flow versions deployed (each with a relay restart). */
  published: number;
}

export class SimulatedNetwork {
  faults: NetworkFaults = { ...CALM };
  readonly toolRuns: ToolRun[] = [];
  readonly counts: NetworkCounts = { requests: 0, droppedBefore: 0, droppedAfter: 0, duplicated: 0, proxyErrors: 0, offlineRefusals: 0, refused: 0, cutByRestart: 0, restarts: 0, slowTools: 0, published: 0 };
  /** Classifications by session and text: refused (403 before the relay), and answered by the relay. */
  readonly classifications = { refused: new Set<string>(), answered: new Set<string>() };
  /** What happened to each request, when tracing (`CHAOS_TRACE=1`). */
  readonly trace: string[] | null = process.env.CHAOS_TRACE ? [] : null;
  private online = true;
  private relay: RelayInstance;
  private nextRelayId = 1;
  private readonly store: IdempotencyStore;
  private readonly backend: ToolImplementations;

  /** Flow versions the relay had before a publish: kept, so sessions pinned to them go on. */
  private readonly previousFlows: Flow[] = [];
  private published = 0;

  constructor(
    private flows: readonly Flow[],
    private readonly random: Random,
    private readonly parsers: SlotParsers,
    /** A planted defect: the idempotency store remembers nothing. */
    forgetful = false,
    /** A planted defect: a refused classification comes back as an answer. */
    private readonly refusalAccepted = false,
  ) {
    this.store = forgetful
      ? { claim: async () => ({ state: 'claimed', token: 'forgotten' }), extend: async () => true, complete: async () => undefined, release: async () => undefined }
      : new MemoryIdempotencyStore({ now: () => Date.now() });
    this.backend = createDemoTools();
    this.relay = this.startRelay();
  }

  private startRelay(): RelayInstance {
    let kill: () => void = () => undefined;
    const died = new Promise<never>((_, reject) => {
      kill = () => reject(new TypeError('Failed to fetch (the relay went away)'));
    });
    died.catch(() => undefined);
    const instance: RelayInstance = { id: this.nextRelayId++, alive: true, died, kill, handler: async () => new Response(null, { status: 500 }) };
    const store = this.store;
    const alive = (): boolean => instance.alive;
    // A dead process neither reads nor writes its store any more.
    const view: IdempotencyStore = {
      claim: (...args) => (alive() ? store.claim(...args) : never()),
      extend: (...args) => (alive() ? store.extend(...args) : never()),
      complete: (...args) => (alive() ? store.complete(...args) : never()),
      release: (...args) => (alive() ? store.release(...args) : never()),
    };
    instance.handler = createRelay({
      flows: this.flows,
      previousFlows: this.previousFlows,
      tools: this.toolsFor(instance),
      // One signing secret for every instance, as RELAY_SECRETS on a deployment: a restarted relay
      // still knows the signatures and checkpoints the visitor's journal carries.
      secrets: [CHAOS_RELAY_SECRET],
      logger: { info: () => undefined, warn: () => undefined, error: () => undefined },
      rateLimits: { perIp: false, perSession: false },
      allowedOrigins: ['*'],
      stores: { idempotency: view },
      now: () => Date.now(),
      slotParsers: this.parsers,
    });
    return instance;
  }

  /** The demo backend's tools, each run recorded, slowed or cut as the faults say. */
  private toolsFor(instance: RelayInstance): ToolImplementations {
    const tools: Record<string, ToolImplementations[string]> = {};
    for (const [name, implementation] of Object.entries(this.backend)) {
      tools[name] = {
        domain: implementation.domain,
        handler: async (args, context) => {
          const run: ToolRun = { tool: name, sessionId: context.sessionId, key: context.idempotencyKey, attempt: context.attempt, relay: instance.id, committed: false, crashedAfterEffect: false };
          this.toolRuns.push(run);
          const slowBefore = this.random.chance(this.faults.slowTool);
          const slowAfter = !slowBefore && this.random.chance(this.faults.slowAfterEffect);
          if (slowBefore || slowAfter) this.counts.slowTools += 1;
          await sleep(slowBefore ? this.random.int(6000, 15_000) : this.random.int(5, 300));
          if (!instance.alive) return never();
          if (context.signal.aborted) throw new Error('aborted before its side effect');
          const result: unknown = await implementation.handler(args, context);
          run.committed = true;
          if (slowAfter) await sleep(this.random.int(6000, 15_000));
          if (!instance.alive) {
            run.crashedAfterEffect = true;
            return never();
          }
          return result;
        },
      };
    }
    return tools;
  }

  isOnline(): boolean {
    return this.online;
  }

  setOnline(online: boolean): void {
    this.online = online;
    onlineManager.setOnline(online);
  }

  /** Kills the relay process (requests in flight are cut) and starts a new one at once. */
  restartRelay(): void {
    this.relay.alive = false;
    this.relay.kill();
    this.counts.restarts += 1;
    this.relay = this.startRelay();
  }

  /**
   * A new version of flow `flowId` is deployed: the relay restarts with it
   * (what is in flight is cut) and keeps the versions before it. A compatible
   * one only changes the version; an incompatible one renames state `state`
   * (modulo their number), so a session in it cannot move across and starts over.
   */
  publishFlow(flowId: string, compatible: boolean, state: number): Flow {
    const index = this.flows.findIndex((flow) => compileFlow(flow).id === flowId);
    const current = this.flows[index];
    if (!current) throw new Error(`no flow ${flowId} to publish a version of`);
    this.published += 1;
    let next = structuredClone(current);
    next.meta.version = `${(current.meta.version ?? 'unversioned').replace(/\+chaos\.\d+$/, '')}+chaos.${this.published}`;
    if (!compatible) {
      const names = Object.keys(next.states);
      const old = names[state % names.length] as string;
      next = renameState(next, old, `${old}V${this.published}`);
    }
    this.previousFlows.push(current);
    this.flows = this.flows.map((flow, at) => (at === index ? next : flow));
    this.counts.published += 1;
    this.restartRelay();
    return next;
  }

  /** A page's `fetch`; `alive` is false once the page is gone (its requests never come back). */
  fetchFor(alive: () => boolean): typeof fetch {
    return async (input, init) => {
      if (!alive()) return never();
      const request = new Request(input, init);
      const signal = init?.signal ?? request.signal;
      this.counts.requests += 1;
      if (!this.online) {
        this.counts.offlineRefusals += 1;
        throw new TypeError('Failed to fetch (offline)');
      }
      const body = request.method === 'GET' || request.method === 'HEAD' ? undefined : await request.text();
      const path = new URL(request.url).pathname.replace(/^\/statechat/, '');
      const note = (what: string): void => {
        this.trace?.push(`${Date.now()} ${request.method} ${path} ${body?.slice(0, 80) ?? ''}: ${what}`);
      };
      const result = this.deliver(request, body, path, signal, alive);
      result.then((response) => note(`answered ${response.status}`), (error: unknown) => note(`failed ${String(error)}`));
      return result;
    };
  }

  private async deliver(
    request: Request,
    body: string | undefined,
    path: string,
    signal: AbortSignal | null | undefined,
    alive: () => boolean,
  ): Promise<Response> {
    {
      const forward = (): Request =>
        new Request(`https://relay.internal${path}`, { method: request.method, headers: request.headers, ...(body === undefined ? {} : { body }) });

      await this.wait(this.random.int(1, this.faults.latencyMs), signal);
      if (this.random.chance(this.faults.dropBefore)) {
        this.counts.droppedBefore += 1;
        throw new TypeError('Failed to fetch (connection reset)');
      }
      if (this.random.chance(this.faults.proxyError)) {
        this.counts.proxyErrors += 1;
        return new Response('<html>Bad gateway</html>', { status: this.random.pick([502, 503]), headers: { 'content-type': 'text/html' } });
      }
      const classification = path === '/v1/classify' && body !== undefined ? classificationKey(body) : null;
      if (request.method === 'POST' && this.random.chance(this.faults.refuse)) {
        this.counts.refused += 1;
        if (classification) this.classifications.refused.add(classification);
        if (this.refusalAccepted && classification) return Response.json({ intent: null, confidence: 0, slots: {} });
        return new Response(JSON.stringify({ error: { code: 'forbidden', message: 'Refused by the gateway.' } }), { status: 403, headers: { 'content-type': 'application/json' } });
      }
      const relay = this.relay;
      if (this.random.chance(this.faults.duplicate)) {
        this.counts.duplicated += 1;
        const copy = forward();
        setTimeout(() => {
          if (this.relay.alive) void this.relay.handler(copy).catch(() => undefined);
        }, this.random.int(0, this.faults.latencyMs));
      }
      let response: Response;
      let text: string;
      try {
        response = await Promise.race([relay.handler(forward()), relay.died]);
        text = await Promise.race([response.text(), relay.died]);
      } catch (error) {
        if (relay.alive) throw error;
        this.counts.cutByRestart += 1;
        throw new TypeError('Failed to fetch (the relay went away)', { cause: error });
      }
      if (!relay.alive) {
        this.counts.cutByRestart += 1;
        throw new TypeError('Failed to fetch (the relay went away)');
      }
      await this.wait(this.random.int(1, this.faults.latencyMs), signal);
      if (!alive()) return never();
      if (this.random.chance(this.faults.dropAfter)) {
        this.counts.droppedAfter += 1;
        throw new TypeError('Failed to fetch (connection reset)');
      }
      if (classification && response.ok) this.classifications.answered.add(classification);
      return new Response(response.status === 304 || response.status === 204 ? null : text, { status: response.status, headers: response.headers });
    }
  }

  /** Latency that an aborted request (a client timeout) stops waiting for. */
  private wait(milliseconds: number, signal: AbortSignal | null | undefined): Promise<void> {
    return new Promise((resolve, reject) => {
      if (signal?.aborted) {
        reject(signal.reason instanceof Error ? signal.reason : new DOMException('aborted', 'AbortError'));
        return;
      }
      const timer = setTimeout(resolve, milliseconds);
      signal?.addEventListener('abort', () => {
        clearTimeout(timer);
        reject(signal.reason instanceof Error ? signal.reason : new DOMException('aborted', 'AbortError'));
      });
    });
  }
}
