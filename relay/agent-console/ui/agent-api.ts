/**
 * The agent console's side of the relay's agent API: requests with the
 * bearer token, and event streams that reconnect and resume from the last
 * event they delivered (`Last-Event-ID`).
 */
import { EventStreamParser, readEventStream, type ServerSentEvent } from '../../../widget/handoff/sse.ts';

export interface ConsoleMessage {
  role: 'visitor' | 'bot' | 'agent';
  text: string;
  at: number;
  agent?: string;
}

export interface ConsoleHandoff {
  id: string;
  flowId: string;
  sessionId: string;
  reason: string | null;
  queue: string | null;
  status: 'waiting' | 'active' | 'closed';
  agent: string | null;
  createdAt: number;
  updatedAt: number;
  messages?: ConsoleMessage[];
}

/** The token was refused: the console asks for it again. */
export class UnauthorizedError extends Error {
  override readonly name = 'UnauthorizedError';
}

export class AgentApi {
  constructor(
    private readonly base: string,
    private readonly token: string,
  ) {}

  async #request(path: string, init: { method?: 'GET' | 'POST'; body?: unknown; headers?: Record<string, string>; signal?: AbortSignal } = {}): Promise<Response> {
    const headers: Record<string, string> = { authorization: `Bearer ${this.token}`, ...init.headers };
    if (init.body !== undefined) headers['content-type'] = 'application/json';
    const response = await fetch(`${this.base}${path}`, {
      method: init.method ?? 'GET',
      headers,
      ...(init.body !== undefined ? { body: JSON.stringify(init.body) } : {}),
      ...(init.signal ? { signal: init.signal } : {}),
    });
    if (response.status === 401) throw new UnauthorizedError('The agent token was not accepted.');
    if (!response.ok) {
      let message = `The relay answered ${response.status}.`;
      try {
        const body = (await response.json()) as { error?: { message?: string } };
        if (body.error?.message) message = body.error.message;
      } catch {
        // Not JSON: the status says enough.
      }
      throw new Error(message);
    }
    return response;
  }

  async list(): Promise<ConsoleHandoff[]> {
    const response = await this.#request('/v1/agent/handoffs');
    return ((await response.json()) as { handoffs: ConsoleHandoff[] }).handoffs;
  }

  async say(id: string, text: string, agent: string): Promise<void> {
    await this.#request(`/v1/agent/handoffs/${encodeURIComponent(id)}/messages`, { method: 'POST', body: { text, ...(agent ? { agent } : {}) } });
  }

  async close(id: string, event: string): Promise<void> {
    await this.#request(`/v1/agent/handoffs/${encodeURIComponent(id)}/close`, { method: 'POST', body: event === 'handoff.closed' ? {} : { event } });
  }

  /** The flow's definition (public): the console offers the events its handoff states handle. */
  async flowEvents(flowId: string): Promise<string[]> {
    const response = await fetch(`${this.base}/v1/flows/${encodeURIComponent(flowId)}`);
    if (!response.ok) return [];
    return closingEvents(await response.json());
  }

  /**
   * Follows an event stream until `signal` aborts: reconnects after the
   * server's `retry` delay (or a backoff) and resumes after the last event.
   * `onState` says whether it is connected.
   */
  follow(path: string, onEvent: (event: ServerSentEvent) => void, options: { signal: AbortSignal; onState?: (connected: boolean) => void; onUnauthorized?: () => void }): void {
    let lastId = '';
    let retryMs = 2000;
    const loop = async (): Promise<void> => {
      let failures = 0;
      while (!options.signal.aborted) {
        try {
          const response = await this.#request(path, { headers: { accept: 'text/event-stream', ...(lastId ? { 'last-event-id': lastId } : {}) }, signal: options.signal });
          options.onState?.(true);
          failures = 0;
          const parser = new EventStreamParser(
            (event) => {
              lastId = event.id;
              onEvent(event);
            },
            (ms) => {
              retryMs = ms;
            },
            lastId,
          );
          await readEventStream(response.body as ReadableStream<Uint8Array>, parser, options.signal);
        } catch (error) {
          if (error instanceof UnauthorizedError) {
            options.onUnauthorized?.();
            return;
          }
          failures += 1;
        }
        if (options.signal.aborted) return;
        options.onState?.(false);
        await new Promise((resolve) => setTimeout(resolve, Math.min(retryMs * 2 ** Math.min(failures, 4), 30_000)));
      }
    };
    void loop();
  }
}

/**
 * The events an agent may close with: the `onEvent` names of the flow's
 * states that wait for a person (those with a `handoff.*` transition), apart
 * from `handoff.accepted`, with `handoff.closed` first.
 */
export function closingEvents(flow: unknown): string[] {
  const names = new Set<string>(['handoff.closed']);
  const states = (flow as { states?: Record<string, { transitions?: Array<{ onEvent?: string | string[] }> }> } | null)?.states ?? {};
  for (const state of Object.values(states)) {
    const events = (state.transitions ?? []).flatMap((transition) => (transition.onEvent === undefined ? [] : Array.isArray(transition.onEvent) ? transition.onEvent : [transition.onEvent]));
    if (!events.some((name) => name.startsWith('handoff.'))) continue;
    for (const name of events) if (name !== 'handoff.accepted') names.add(name);
  }
  return [...names];
}
