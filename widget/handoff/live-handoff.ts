/**
 * The visitor's side of a live handoff, loaded only when a flow hands off:
 * opens the handoff on the relay with the conversation so far, follows its
 * events over SSE (resuming after the last one applied, across reloads and
 * dropped connections), sends the visitor's messages to the person, and
 * tells the relay when the flow moved on without one. Each event is applied
 * in the chat's mailbox together with the new `lastEventId`, so it is
 * applied once, in order, whatever the network does.
 */
import type { Json, JsonObject } from '../../flows/types.ts';
import type { EngineEvent } from '../engine/types.ts';
import type { LiveHandoffRecord, MessageRecord, SessionRecord, StoreChange } from '../store/records.ts';
import { EventStreamParser, readEventStream, type ServerSentEvent } from './sse.ts';

/**
 * The parts of the chat runtime the handoff works with: its session and
 * transcript, its mailbox (one change at a time), its single write path and
 * its engine. Passed whole rather than wrapped, so the ordinary conversation
 * pays no bytes for an adapter it may never use.
 */
export interface HandoffRuntime {
  readonly relay: { readonly baseUrl: string } | null;
  readonly environment: { fetch?: typeof fetch };
  readonly now: () => number;
  readonly options: { readonly timeZone?: string | undefined };
  /** The journal since the relay's last checkpoint: the relay replays it to check the flow handed off. */
  readonly proof: { build(timeZone: string | undefined): Promise<unknown> };
  /** The visitor's language (BCP 47), for the notices a person's joining and leaving add. */
  readonly language: string | undefined;
  session: SessionRecord | null;
  readonly messages: readonly MessageRecord[];
  readonly mailbox: { post(job: () => Promise<void> | void): Promise<void> };
  readonly leader: boolean;
  readonly destroyed: boolean;
  addMessage(message: MessageRecord): void;
  persist(change: StoreChange): Promise<void>;
  publish(): void;
  apply(event: EngineEvent, extra?: { user?: MessageRecord }): Promise<void>;
  fire(name: string, data: JsonObject): void;
  handoffWorker(): Promise<unknown>;
}

/** TanStack Query's `onlineManager`, passed in so this chunk does not split it out of the main bundle. */
export interface OnlineSource {
  isOnline(): boolean;
  subscribe(listener: (online: boolean) => void): () => void;
}

/** The session's live handoff, or null. */
function liveOf(runtime: HandoffRuntime): LiveHandoffRecord | null {
  return runtime.destroyed ? null : (runtime.session?.handoff?.live ?? null);
}

/**
 * The notices of a person joining and leaving, in the visitor's language.
 * They live here, not in the UI's strings, so conversations that never hand
 * off do not download them.
 */
const NOTICES: Record<string, { joined: string; left: string; ended: string }> = {
  en: { joined: '{name} joined the conversation.', left: '{name} left the conversation.', ended: 'The conversation with our staff has ended.' },
  fr: { joined: '{name} a rejoint la conversation.', left: '{name} a quitté la conversation.', ended: 'La conversation avec notre équipe est terminée.' },
  de: { joined: '{name} ist dem Gespräch beigetreten.', left: '{name} hat das Gespräch verlassen.', ended: 'Das Gespräch mit unserem Team ist beendet.' },
  es: { joined: '{name} se ha unido a la conversación.', left: '{name} ha salido de la conversación.', ended: 'La conversación con nuestro equipo ha terminado.' },
};

function noticesFor(language: string | undefined): { joined: string; left: string; ended: string } {
  return NOTICES[(language ?? 'en').split('-')[0]?.toLowerCase() ?? 'en'] ?? (NOTICES.en as { joined: string; left: string; ended: string });
}

const MAX_TRANSCRIPT = 100;
const MAX_TEXT = 2000;
const RETRY_BASE_MS = 1000;
const RETRY_CAP_MS = 30_000;

class HandoffRequestError extends Error {
  override readonly name = 'HandoffRequestError';
  constructor(
    readonly code: string,
    message: string,
    readonly transient: boolean,
  ) {
    super(message);
  }
}

type StreamEvent =
  | { type: 'joined'; agent: string; at: number }
  | { type: 'message'; message: { role: string; text: string; at: number; agent?: string } }
  | { type: 'closed'; at: number; by: 'agent' | 'visitor'; event?: string; data?: Json };

export class LiveHandoff {
  readonly #runtime: HandoffRuntime;
  readonly #online: OnlineSource;
  #stopped = false;
  #stream: AbortController | null = null;
  #streamKey: string | null = null;
  #opening = false;
  #leaving = false;
  #flushing = false;
  #failures = 0;
  #retryTimer: ReturnType<typeof setTimeout> | null = null;
  #serverRetryMs = RETRY_BASE_MS;
  readonly #unsubscribeOnline: () => void;

  constructor(runtime: HandoffRuntime, online: OnlineSource) {
    this.#runtime = runtime;
    this.#online = online;
    this.#unsubscribeOnline = online.subscribe((online) => {
      if (online) this.sync();
      else this.#markQueued();
    });
  }

  /** Does what the live record asks for now; safe to call any number of times. */
  sync(): this {
    const live = liveOf(this.#runtime);
    if (this.#stopped || !this.#runtime.leader) return this;
    // No live handoff, or another one (the session was reset): the old stream has nothing more to say.
    if (!live || live.key !== this.#streamKey) this.#disconnect();
    if (!live) return this;
    if (live.status === 'unavailable' || live.status === 'closed' || live.status === 'leaving') this.#returnToFlow(live.key);
    switch (live.status) {
      case 'opening':
        void this.#open();
        break;
      case 'waiting':
      case 'active':
        this.#connect(live);
        void this.#flush();
        break;
      case 'leaving':
        this.#disconnect();
        void this.#leave();
        break;
      case 'closed':
      case 'unavailable':
        this.#disconnect();
        break;
    }
    return this;
  }

  /** In the mailbox: a visitor message for the person, stored first, then sent. */
  async toAgent(id: string, text: string, at: number): Promise<void> {
    const live = liveOf(this.#runtime);
    if (!live) return;
    await this.#write(live, [this.#record({ id, role: 'user', text, at, status: 'pending', toAgent: live.key })]);
  }

  /** In the mailbox: the live record and messages (new ones numbered after the transcript) in one write. */
  async #write(live: LiveHandoffRecord, messages: MessageRecord[]): Promise<void> {
    const session = this.#runtime.session;
    if (!session?.handoff) return;
    let order = session.nextOrder;
    const known = new Set(this.#runtime.messages.map((message) => message.id));
    for (const message of messages) if (!known.has(message.id)) message.order = order++;
    const runtime = this.#runtime;
    for (const message of messages) runtime.addMessage(message);
    runtime.session = { ...session, handoff: { ...session.handoff, live }, nextOrder: order, updatedAt: runtime.now() };
    await runtime.persist({ session: runtime.session, messages });
    runtime.publish();
    void runtime.handoffWorker();
  }

  /**
   * Messages written for a person who will not read them (nobody could join,
   * the handoff ended or was withdrawn before they were sent) go to the flow
   * instead, in order: the visitor is answered, and nothing is lost.
   */
  #returnToFlow(key: string): void {
    const unsent = (message: MessageRecord): boolean => message.toAgent === key && (message.status === 'pending' || message.status === 'queued');
    if (!this.#runtime.messages.some(unsent)) return;
    void this.#run(async () => {
      for (const message of this.#runtime.messages.filter(unsent)) {
        delete message.toAgent;
        message.status = 'pending';
        message.input = { type: 'user.text', text: message.text };
        await this.#runtime.apply(message.input, { user: message });
      }
    });
  }

  /** Stops streaming and retrying (the chat is destroyed or reset). */
  stop(): void {
    this.#stopped = true;
    this.#disconnect();
    this.#unsubscribeOnline();
    if (this.#retryTimer !== null) clearTimeout(this.#retryTimer);
  }

  /** One attempt to tell the relay the visitor left a handoff that is no longer the session's (a reset). */
  abandon(live: LiveHandoffRecord): void {
    if (live.id === null) return;
    this.#request(`handoffs/${encodeURIComponent(live.id)}/leave`, live, { method: 'POST', body: {} }).catch(() => undefined);
  }

  // ---- requests ------------------------------------------------------------------------------

  async #request(path: string, live: LiveHandoffRecord, init: { method: 'GET' | 'POST'; body?: unknown; headers?: Record<string, string>; signal?: AbortSignal }): Promise<Response> {
    const headers: Record<string, string> = { authorization: `Bearer ${live.visitorKey}`, ...init.headers };
    if (init.body !== undefined) headers['content-type'] = 'application/json';
    let response: Response;
    try {
      const fetchFunction = this.#runtime.environment.fetch ?? globalThis.fetch.bind(globalThis);
      response = await fetchFunction(`${(this.#runtime.relay?.baseUrl ?? '').replace(/\/+$/, '')}/v1/${path}`, {
        method: init.method,
        headers,
        ...(init.body !== undefined ? { body: JSON.stringify(init.body) } : {}),
        ...(init.signal ? { signal: init.signal } : {}),
      });
    } catch (error) {
      throw new HandoffRequestError('network', error instanceof Error ? error.message : String(error), true);
    }
    if (response.ok) return response;
    let code = `http_${response.status}`;
    let message = `${path} answered ${response.status}`;
    try {
      const body = (await response.json()) as { error?: { code?: unknown; message?: unknown } };
      if (typeof body.error?.code === 'string') code = body.error.code;
      if (typeof body.error?.message === 'string') message = body.error.message;
    } catch {
      // Not JSON: the status says enough.
    }
    throw new HandoffRequestError(code, message, response.status >= 500 || response.status === 408 || response.status === 429);
  }

  /** Tries `sync` again later: after a backoff, or as soon as the network is back. */
  #retryLater(): void {
    if (this.#stopped || this.#retryTimer !== null) return;
    this.#failures += 1;
    const delay = Math.min(Math.max(RETRY_BASE_MS * 2 ** (this.#failures - 1), this.#serverRetryMs), RETRY_CAP_MS);
    this.#retryTimer = setTimeout(() => {
      this.#retryTimer = null;
      this.sync();
    }, delay);
  }

  async #update(change: (live: LiveHandoffRecord) => LiveHandoffRecord | null, messages: (live: LiveHandoffRecord) => MessageRecord[] = () => []): Promise<LiveHandoffRecord | null> {
    let result: LiveHandoffRecord | null = null;
    await this.#run(async () => {
      const live = liveOf(this.#runtime);
      if (!live) return;
      const next = change(live);
      if (!next) return;
      await this.#write(next, messages(live));
      result = next;
    });
    return result;
  }

  // ---- open, leave ---------------------------------------------------------------------------

  async #open(): Promise<void> {
    const live = liveOf(this.#runtime);
    if (this.#opening || !live || live.status !== 'opening' || !this.#online.isOnline()) return;
    this.#opening = true;
    let refused: string | null = null;
    try {
      const transcript = this.#runtime.messages
        .filter((message) => (message.role === 'user' && message.toAgent === undefined) || message.role === 'bot')
        .slice(-MAX_TRANSCRIPT)
        .map((message) => ({ role: message.role === 'user' ? 'visitor' : 'bot', text: message.text.slice(0, MAX_TEXT), at: message.at }));
      const proof = await this.#runtime.proof.build(this.#runtime.options.timeZone);
      const response = await this.#request('handoffs', live, {
        method: 'POST',
        body: { ...this.#context(), key: live.key, visitorKey: live.visitorKey, transcript, proof },
      });
      const body = (await response.json()) as { handoff: { id: string; status: string; agent: string | null } };
      this.#failures = 0;
      await this.#update((current) =>
        current.key !== live.key
          ? null
          : {
              ...current,
              id: body.handoff.id,
              agent: body.handoff.agent,
              // The flow moved on while the request was out: the relay is told next.
              status: current.status === 'leaving' ? 'leaving' : body.handoff.status === 'active' ? 'active' : body.handoff.status === 'closed' ? 'closed' : 'waiting',
            },
      );
    } catch (error) {
      if (error instanceof HandoffRequestError && !error.transient) {
        await this.#update((current) => (current.key === live.key && current.status === 'opening' ? { ...current, status: 'unavailable' } : current.key === live.key && current.status === 'leaving' ? { ...current, status: 'closed' } : null));
        this.#warn('handoff_unavailable', `No person can join: ${error.message}`);
        refused = error.code;
      } else this.#retryLater();
    } finally {
      this.#opening = false;
    }
    this.sync();
    // Nobody can join at all (no live handoff on the relay, or it refused this one): after what the visitor
    // wrote meanwhile (sent to the flow by `sync`), the flow hears it and need not wait for its timer.
    if (refused !== null) {
      const code = refused;
      await this.#run(async () => {
        const current = liveOf(this.#runtime);
        // Still in the state that handed off: a flow that moved on meanwhile (its timer) has nothing to hear.
        if (current?.key === live.key && current.status === 'unavailable' && this.#runtime.session?.snapshot.state === current.state) {
          await this.#flowEvent('handoff.unavailable', { code });
        }
      });
    }
  }

  /** Runs `work` in the chat's mailbox, after what is queued, while this tab leads. */
  #run(work: () => Promise<void>): Promise<void> {
    return this.#runtime.mailbox.post(async () => {
      if (this.#runtime.leader && !this.#runtime.destroyed) await work();
    });
  }

  /** In the mailbox: a flow event (`handoff.accepted`, `handoff.closed`, the agent's choice). */
  #flowEvent(name: string, data: Json): Promise<void> {
    return this.#runtime.apply({ type: 'host.event', name, data });
  }

  #warn(code: string, message: string): void {
    this.#runtime.fire('warning', { code, message });
  }

  /** Who hands off and why: sent when the handoff opens. */
  #context(): { flowId: string; flowVersion: string; sessionId: string; reason: string | null; queue: string | null } {
    const session = this.#runtime.session;
    return {
      flowId: session?.flow.id ?? '',
      flowVersion: session?.flow.version ?? '',
      sessionId: session?.sessionId ?? '',
      reason: session?.handoff?.reason ?? null,
      queue: session?.handoff?.queue ?? null,
    };
  }

  /** A new message record of this conversation (its order is set when stored). */
  #record(fields: Omit<MessageRecord, 'namespace' | 'order'>): MessageRecord {
    return { ...fields, namespace: this.#runtime.session?.namespace ?? '', order: 0 };
  }

  async #leave(): Promise<void> {
    const live = liveOf(this.#runtime);
    if (this.#leaving || !live || live.status !== 'leaving') return;
    if (live.id === null) {
      // Not opened yet: an open under way finishes first and then leaves; otherwise there is nothing to tell.
      if (!this.#opening) await this.#update((current) => (current.key === live.key && current.status === 'leaving' && current.id === null ? { ...current, status: 'closed' } : null));
      return;
    }
    if (!this.#online.isOnline()) return;
    this.#leaving = true;
    try {
      await this.#request(`handoffs/${encodeURIComponent(live.id)}/leave`, live, { method: 'POST', body: {} });
      this.#failures = 0;
      await this.#update((current) => (current.key === live.key && current.status === 'leaving' ? { ...current, status: 'closed' } : null));
    } catch (error) {
      if (error instanceof HandoffRequestError && !error.transient) {
        await this.#update((current) => (current.key === live.key && current.status === 'leaving' ? { ...current, status: 'closed' } : null));
      } else this.#retryLater();
    } finally {
      this.#leaving = false;
    }
  }

  // ---- the visitor's messages ----------------------------------------------------------------

  /** Sends the visitor's messages not yet sent, one after another, in order. */
  async #flush(): Promise<void> {
    if (this.#flushing) return;
    this.#flushing = true;
    try {
      for (;;) {
        const live = liveOf(this.#runtime);
        if (!live || live.id === null || (live.status !== 'waiting' && live.status !== 'active')) return;
        const next = this.#runtime.messages.find((message) => message.toAgent === live.key && (message.status === 'pending' || message.status === 'queued'));
        if (!next) return;
        if (!this.#online.isOnline()) {
          this.#markQueued();
          return;
        }
        let status: 'sent' | 'failed' = 'sent';
        let error: MessageRecord['error'];
        try {
          await this.#request(`handoffs/${encodeURIComponent(live.id)}/messages`, live, { method: 'POST', body: { id: next.id, text: next.text } });
          this.#failures = 0;
        } catch (failure) {
          if (!(failure instanceof HandoffRequestError) || failure.transient) {
            this.#setStatus(next.id, 'queued');
            this.#retryLater();
            return;
          }
          status = 'failed';
          error = { code: failure.code, message: failure.message, retryable: false };
        }
        await this.#update(
          (current) => current,
          () => {
            const message = this.#runtime.messages.find((candidate) => candidate.id === next.id);
            if (!message) return [];
            message.status = status;
            if (error) message.error = error;
            else delete message.error;
            return [message];
          },
        );
      }
    } finally {
      this.#flushing = false;
    }
  }

  #setStatus(id: string, status: 'queued'): void {
    void this.#update(
      (current) => current,
      () => {
        const message = this.#runtime.messages.find((candidate) => candidate.id === id);
        if (!message || message.status === status || message.status === 'sent' || message.status === 'failed') return [];
        message.status = status;
        return [message];
      },
    );
  }

  #markQueued(): void {
    const live = liveOf(this.#runtime);
    if (!live) return;
    for (const message of this.#runtime.messages) if (message.toAgent === live.key && message.status === 'pending') this.#setStatus(message.id, 'queued');
  }

  // ---- the stream ----------------------------------------------------------------------------

  #disconnect(): void {
    this.#stream?.abort();
    this.#stream = null;
    this.#streamKey = null;
  }

  #connect(live: LiveHandoffRecord): void {
    if (this.#stream || live.id === null || !this.#online.isOnline()) return;
    const controller = new AbortController();
    this.#stream = controller;
    this.#streamKey = live.key;
    const id = live.id;
    void (async () => {
      let received = false;
      try {
        const response = await this.#request(`handoffs/${encodeURIComponent(id)}/events`, live, {
          method: 'GET',
          headers: { accept: 'text/event-stream', 'last-event-id': String(live.lastEventId) },
          signal: controller.signal,
        });
        if (!response.body) throw new HandoffRequestError('no_stream', 'The relay sent no event stream.', true);
        const parser = new EventStreamParser(
          (event) => {
            received = true;
            this.#failures = 0;
            void this.#run(() => this.#apply(live.key, event));
          },
          (ms) => {
            this.#serverRetryMs = ms;
          },
        );
        await readEventStream(response.body, parser, controller.signal);
      } catch (error) {
        if (error instanceof HandoffRequestError && !error.transient) {
          // The relay forgot the handoff (retention) or never had it: nobody will answer there any more.
          await this.#update((current) => (current.key === live.key && (current.status === 'waiting' || current.status === 'active') ? { ...current, status: 'closed' } : null));
          this.#warn('handoff_lost', error.message);
        }
      }
      if (this.#stream !== controller) return;
      this.#stream = null;
      this.#streamKey = null;
      // The server ends a stream after the close; any other end is a dropped connection: resume after the last event.
      if (received) this.#failures = 0;
      this.#retryLater();
    })();
  }

  /** In the mailbox: one event, once (its number above the last applied), with its effect on the flow. */
  async #apply(key: string, sse: ServerSentEvent): Promise<void> {
    const live = liveOf(this.#runtime);
    const seq = Number(sse.id);
    if (!live || live.key !== key || !Number.isSafeInteger(seq) || seq <= live.lastEventId) return;
    let event: StreamEvent;
    try {
      event = JSON.parse(sse.data) as StreamEvent;
    } catch {
      return;
    }
    const at = this.#runtime.now();
    if (event.type === 'message') {
      const message = event.message;
      if (message.role !== 'agent') {
        await this.#write({ ...live, lastEventId: seq }, []);
        return;
      }
      const record = this.#record({ id: `${live.id}:${seq}`, role: 'agent', text: message.text, at, ...(message.agent ? { author: message.agent } : {}) });
      await this.#write({ ...live, lastEventId: seq }, [record]);
      return;
    }
    if (event.type === 'joined') {
      const words = noticesFor(this.#runtime.language ?? this.#runtime.session?.flow.language);
      const notice = this.#record({ id: `${live.id}:${seq}`, role: 'notice', notice: 'handoff-joined', text: words.joined.replace('{name}', event.agent), author: event.agent, at });
      await this.#write({ ...live, lastEventId: seq, status: live.status === 'waiting' ? 'active' : live.status, agent: event.agent }, [notice]);
      await this.#flowEvent('handoff.accepted', { agent: event.agent });
      return;
    }
    const name = live.agent ?? '';
    const words = noticesFor(this.#runtime.language ?? this.#runtime.session?.flow.language);
    const notices =
      event.by === 'agent'
        ? [this.#record({ id: `${live.id}:${seq}`, role: 'notice', notice: 'handoff-ended', text: name ? words.left.replace('{name}', name) : words.ended, ...(name ? { author: name } : {}), at })]
        : [];
    await this.#write({ ...live, lastEventId: seq, status: 'closed' }, notices);
    this.#disconnect();
    // The visitor's own leaving is the flow's doing already; an agent's close is news to the flow.
    if (event.by === 'agent') await this.#flowEvent(event.event ?? 'handoff.closed', (event.data ?? { by: 'agent' }) as JsonObject);
  }
}
