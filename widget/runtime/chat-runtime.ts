/**
 * The headless chat controller behind `createChat`: one runner that applies
 * engine events one at a time from a mailbox, writes each turn to storage
 * before performing its effects, and performs them (messages, timers, local
 * or relay classification, tool calls through the outbox).
 */
import { onlineManager, QueryClient } from '@tanstack/query-core';
import { compileRuntimeFlow, type RuntimeFlow } from '../../flows/compile.ts';
import { FlowLoadError } from '../../flows/issues.ts';
import type { Json, JsonObject } from '../../flows/types.ts';
import type { Chat, ChatEventName, ChatState, CreateChatOptions, NluMode } from '../chat-types.ts';
import { OutboxQueue, DEFAULT_RETRY_POLICY, type RetryPolicy } from '../client/outbox-queue.ts';
import { RelayClient } from '../client/relay-client.ts';
import { isTransient, RelayRequestError } from '../client/relay-request-error.ts';
import { initialSnapshot, step } from '../engine/step.ts';
import type { Effect, EngineEvent, Env, RenderedChoice, Snapshot } from '../engine/types.ts';
import { createLocalUnderstanding, type LocalUnderstanding, type Understanding } from '../local-understanding.ts';
import { fullParserNeeds, loadFullParsers } from '../nlu/index.ts';
import { StorageError, type ChatStore } from '../store/chat-store.ts';
import type { DatabaseEvent } from '../store/idb-store.ts';
import type { OpenedStore, OpenStoreOptions } from '../store/open-store.ts';
import {
  pinnedFlowKey,
  type JournalRecord,
  type MessageRecord,
  type OutboxRecord,
  type SessionRecord,
  type StoreChange,
  type StoredConversation,
} from '../store/records.ts';
import type { LiveHandoff } from '../handoff/live-handoff.ts';
import { liveBusy, liveOpen, nextHandoff } from '../handoff/session-handoff.ts';
import { ConversationProofLog } from './conversation-proof.ts';
import { Mailbox } from './mailbox.ts';
import { callSafely, PublicEvents } from './public-events.ts';
import { TabCoordinator, type ChannelLike, type ForwardedInput, type LockManagerLike, type TabMessage } from './tabs.ts';
import { DeadlineTimers } from './timers.ts';
import { ToolOutages } from './tool-outages.ts';
import { followerState, sharedViewOf } from './shared-view.ts';
import type { TabFollower } from './tab-follower.ts';
import { ConversationStorage } from './conversation-storage.ts';
import { ChatSetupError, FlowSource } from './flow-source.ts';
import { messagesFromEffects, settleStatuses } from './transcript.ts';

/**
 * What the page provides, injectable for tests. The online state is
 * TanStack Query's `onlineManager` (its `setOnline` / `setEventListener`),
 * because the outbox's mutations pause on it.
 */
export interface ChatEnvironment {
  /** Default: the global `fetch`, looked up per request. */
  fetch?: typeof fetch;
  /** The IndexedDB database name (default `statechat`). */
  databaseName?: string;
  /** Replaces how storage is opened (tests: a store that fails). */
  openStore?: (options: OpenStoreOptions) => Promise<OpenedStore>;
  /** Default `navigator.locks`; `null` runs without tab coordination. */
  locks?: LockManagerLike | null;
  /** Default `new BroadcastChannel(name)`; `null` runs without tab coordination. */
  createChannel?: ((name: string) => ChannelLike) | null;
  /**
   * Backoff and attempts for relay work. `toolAttempts` is one round of
   * attempts; after a round of transient failures the call waits
   * `stalledToolRetryMs` (or the network coming back) and starts another.
   */
  retry?: Partial<RetryPolicy> & { classifyAttempts?: number; toolAttempts?: number; stalledToolRetryMs?: number };
  /** How often a follower tab sends again what the leader has not acknowledged (ms). */
  forwardIntervalMs?: number;
}

/** `Chat` plus what tests and benchmarks need. */
export interface ChatController extends Chat {
  /** Resolves once no engine event is waiting to be applied. */
  idle(): Promise<void>;
}

const DEFAULT_CLASSIFY_ATTEMPTS = 4;
const DEFAULT_TOOL_ATTEMPTS = 6;
const DEFAULT_STALLED_TOOL_RETRY_MS = 15_000;
const DEFAULT_FORWARD_INTERVAL_MS = 1000;
const FOLLOWER_WAIT_MS = 3000;
/** Slot types the small built-in parsers read only in their common forms: the full parsers (chrono, libphonenumber) do better. */
const FULL_PARSED_TYPES = new Set(['date', 'time', 'datetime', 'phone']);

const STORAGE_NOTICE = 'Storage is unavailable: this conversation will not survive a reload.';

interface ClassifyPlan {
  /** The in-page answer (none in `relay` mode); hybrid falls back to it when the relay fails. */
  local: Understanding | null;
  relay: boolean;
}

let liveHandoffChunk: Promise<typeof import('../handoff/live-handoff.ts')> | undefined;
let tabFollowerChunk: Promise<typeof import('./tab-follower.ts')> | undefined;
let flowUpgradeChunk: Promise<typeof import('./flow-upgrade.ts')> | undefined;

/** The live handoff's chunk, fetched once per page (a failed fetch is tried again next time). */
export function loadLiveHandoff(): Promise<typeof import('../handoff/live-handoff.ts')> {
  return (liveHandoffChunk ??= import('../handoff/live-handoff.ts').catch((error: unknown) => {
    liveHandoffChunk = undefined;
    throw error;
  }));
}

/** A follower tab's half, fetched once per page (a failed fetch is tried again next time). */
export function loadTabFollower(): Promise<typeof import('./tab-follower.ts')> {
  return (tabFollowerChunk ??= import('./tab-follower.ts').catch((error: unknown) => {
    tabFollowerChunk = undefined;
    throw error;
  }));
}

/** Moving a session to a newer flow version, fetched once per page (a failed fetch is tried again next time). */
export function loadFlowUpgrade(): Promise<typeof import('./flow-upgrade.ts')> {
  return (flowUpgradeChunk ??= import('./flow-upgrade.ts').catch((error: unknown) => {
    flowUpgradeChunk = undefined;
    throw error;
  }));
}

function defaultNewId(): string {
  return globalThis.crypto.randomUUID();
}

function pageLanguage(): string | undefined {
  if (typeof document !== 'undefined' && document.documentElement?.lang) return document.documentElement.lang;
  if (typeof navigator !== 'undefined' && navigator.language) return navigator.language;
  return undefined;
}

function flowMeta(flow: RuntimeFlow): SessionRecord['flow'] {
  return { id: flow.id, version: flow.version, name: flow.definition.meta.name, language: flow.language };
}

function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

export function createChatRuntime(options: CreateChatOptions, environment: ChatEnvironment = {}): ChatController {
  return new ChatRuntime(options, environment);
}

class ChatRuntime implements ChatController {
  readonly ready: Promise<void>;
  #markReady: () => void = () => undefined;
  #isReady = false;

  // Read by the live handoff chunk (`HandoffRuntime`): those members are not #private.
  readonly now: () => number;
  readonly #newId: () => string;
  readonly #mode: NluMode;
  readonly #namespace: string;
  readonly language: string | undefined;
  readonly mailbox: Mailbox;
  readonly #timers: DeadlineTimers;
  readonly #queryClient: QueryClient;
  readonly #outboxQueue: OutboxQueue;
  readonly relay: RelayClient | null;
  readonly #flowSource: FlowSource;
  readonly #attempts: { classify: number; tool: number };

  readonly #storage: ConversationStorage;
  #flow: RuntimeFlow | null = null;
  #understand: LocalUnderstanding | null = null;
  /** True once the full parsers are loaded in the page; until then hybrid asks the relay for their slots. */
  #fullParsers = false;
  /** A newer flow version waiting for the engine to be free. */
  #upgradeTo: RuntimeFlow | null = null;
  session: SessionRecord | null = null;
  messages: MessageRecord[] = [];
  readonly #byId = new Map<string, MessageRecord>();
  readonly #outbox = new Map<string, OutboxRecord>();
  readonly #toolsInFlight = new Set<string>();
  /** The journal since the relay's last checkpoint, sent with tool calls. */
  readonly proof = new ConversationProofLog();
  readonly #outages: ToolOutages;
  /** How each classification written by a step will be answered (see `planClassify`). */
  readonly #plans = new Map<string, ClassifyPlan>();
  #phase: ChatState['phase'] = 'loading';
  #failure: ChatState['error'] = null;
  /** Bumped by reset, restart and destroy: answers for an older generation are dropped. */
  #generation = 0;
  destroyed = false;
  #unsubscribeOnline: () => void = () => undefined;
  /** The live handoff's worker: a chunk loaded when the flow first hands off to a person. */
  #live: Promise<LiveHandoff | null> | null = null;
  /** Loading the flow failed for a reason that may pass: the next try, and how many came before. */
  #startRetry: ReturnType<typeof setTimeout> | undefined;
  #startRetries = 0;

  #tabs: TabCoordinator | null = null;
  /** This tab's id in the conversation's tab group. */
  readonly #tabId: string;
  /** Leader: the follower tab the visitor last acted in (its public events are fired there); null for this tab. */
  #actor: string | null = null;
  leader = true;
  /** Follower: the leader's view, and what this tab forwarded to it (a chunk, loaded when another tab leads). */
  #follower: TabFollower | null = null;
  /** Leader: forwarded inputs already applied (messages are also recognised by id in the transcript). */
  readonly #handledForwards = new Set<string>();

  #state: ChatState;
  readonly #listeners = new Set<(state: ChatState) => void>();
  readonly #events = new PublicEvents();

  readonly options: CreateChatOptions;
  readonly environment: ChatEnvironment;
  constructor(
    options: CreateChatOptions,
    environment: ChatEnvironment,
  ) {
    this.options = options;
    this.environment = environment;
    this.now = options.now ?? (() => Date.now());
    this.#newId = options.newId ?? defaultNewId;
    this.#tabId = defaultNewId();
    this.#mode = options.nlu ?? 'hybrid';
    this.language = options.language ?? pageLanguage();
    this.#namespace = options.namespace ?? (typeof options.flow === 'string' ? options.flow : (options.flow.meta.id ?? options.flow.meta.name));
    this.#storage = new ConversationStorage(this.#namespace, options.storage ?? 'indexeddb', {
      warn: (error) => this.fire('warning', { code: `storage_${error.code}`, message: `${error.message}; the conversation is kept in memory only.` }),
      carryOver: () => this.#carryOver(),
      moved: () => this.publish(),
    });
    this.mailbox = new Mailbox((error) => this.fire('error', { code: 'internal', message: errorMessage(error) }));
    this.#timers = new DeadlineTimers(this.now, (timerId) => {
      void this.mailbox.post(() => this.#applyCurrent(this.#generation, { type: 'timer.fired', timerId }));
    });
    this.#queryClient = new QueryClient({ defaultOptions: { queries: { gcTime: 5 * 60_000 } } });
    this.#outboxQueue = new OutboxQueue(this.#queryClient, `statechat:${this.#namespace}`, { ...DEFAULT_RETRY_POLICY, ...environment.retry });
    this.#attempts = {
      classify: environment.retry?.classifyAttempts ?? DEFAULT_CLASSIFY_ATTEMPTS,
      tool: environment.retry?.toolAttempts ?? DEFAULT_TOOL_ATTEMPTS,
    };
    this.#outages = new ToolOutages(environment.retry?.stalledToolRetryMs ?? DEFAULT_STALLED_TOOL_RETRY_MS, this.now, () => this.publish());
    this.relay = options.relay
      ? new RelayClient({ baseUrl: options.relay, queryClient: this.#queryClient, ...(environment.fetch ? { fetch: environment.fetch } : {}) })
      : null;
    this.#flowSource = new FlowSource({ flow: options.flow, relay: this.relay, now: this.now, isOnline: () => onlineManager.isOnline() });
    this.#state = this.#buildState();
    this.ready = new Promise((resolve) => {
      this.#markReady = resolve;
    });
    void this.#start().catch((error: unknown) => this.#fail('start_failed', errorMessage(error)));
  }

  // ---- start, restore, follow ------------------------------------------------------------------

  async #start(): Promise<void> {
    if (typeof navigator !== 'undefined' && navigator.onLine === false) onlineManager.setOnline(false);
    this.#unsubscribeOnline = onlineManager.subscribe((online) => this.#onlineChanged(online));
    this.#queryClient.mount();
    const opened = await this.#storage.open(
      {
        ...(this.environment.databaseName === undefined ? {} : { databaseName: this.environment.databaseName }),
        onDatabaseEvent: (event) => this.#databaseEvent(event),
      },
      () => !this.destroyed,
      this.environment.openStore,
    );
    if (!opened) return;

    const createChannel =
      this.environment.createChannel === undefined
        ? typeof BroadcastChannel === 'undefined'
          ? null
          : (name: string) => new BroadcastChannel(name)
        : this.environment.createChannel;
    // No Web Locks (Safari < 15.4, any page on plain http): the leader is chosen over the channel
    // instead, by a chunk that only those pages download.
    const webLocks = typeof navigator !== 'undefined' ? navigator.locks : undefined;
    const locks =
      this.environment.locks !== undefined
        ? this.environment.locks
        : (webLocks ??
          (createChannel && this.#store.kind === 'indexeddb'
            ? // Offline before the chunk was fetched: this tab runs uncoordinated, as before the fallback existed.
              await import('./channel-lock.ts').then(({ createChannelLocks }) => createChannelLocks(createChannel), () => undefined)
            : undefined));
    if (this.destroyed) return;
    if (this.#store.kind === 'indexeddb' && locks && createChannel) {
      const name = `statechat:${this.#namespace}`;
      this.#tabs = new TabCoordinator(name, locks, createChannel(name), {
        becomeLeader: () => this.#takeOver(),
        receive: (message) => this.#receive(message),
      });
      this.leader = (await this.#tabs.start()) === 'leader';
    }
    if (this.leader) {
      await this.mailbox.post(() => this.#restoreOrStart());
      this.#tabs?.post({ type: 'hello' });
    } else {
      await this.#follow();
    }
  }

  #setReady(): void {
    if (this.#isReady) return;
    this.#isReady = true;
    this.#markReady();
    this.publish();
  }

  #fail(code: string, message: string): void {
    this.#phase = 'error';
    this.#failure = { code, message };
    this.fire('error', { code, message });
    this.#setReady();
    this.publish();
  }

  /** Leader: the stored conversation if there is one (resumed), else a new one. */
  async #restoreOrStart(): Promise<void> {
    const generation = this.#generation;
    let stored: StoredConversation | null = null;
    let pinned: RuntimeFlow | null = null;
    for (let attempt = 1; ; attempt += 1) {
      try {
        stored = await this.#store.load(this.#namespace);
        if (stored) {
          const record = await this.#store.readFlow(pinnedFlowKey(stored.session.flow.id, stored.session.flow.version));
          pinned = record ? compileRuntimeFlow(record.definition) : null;
        }
        break;
      } catch (error) {
        // An aborted read is usually a passing fault: read again before leaving the stored conversation
        // behind for an empty one in memory (found by the chaos run, issue #16).
        if (error instanceof StorageError && error.code === 'failed' && attempt < 3) continue;
        if (error instanceof StorageError) await this.#storage.fallBack(error);
        stored = null;
        break;
      }
    }
    if (stored && pinned) {
      this.#adopt(stored, pinned);
      this.#phase = stored.session.snapshot.status === 'ended' ? 'ended' : 'active';
      this.#failure = null;
      this.#setReady();
      this.publish();
      if (liveBusy(stored.session.handoff)) void this.handoffWorker();
      if (typeof this.options.flow !== 'string') {
        const inline = await this.#obtainFlow();
        if (inline.version !== pinned.version) await this.#upgrade(inline);
      }
      if (generation === this.#generation && (this.session?.snapshot.status === 'active' || this.session?.snapshot.pending) && this.session.snapshot.seq > 0) {
        await this.apply({ type: 'session.resume' });
      }
      if (typeof this.options.flow === 'string') this.#revalidate(this.options.flow);
      return;
    }
    let flow: RuntimeFlow;
    try {
      flow = await this.#obtainFlow();
    } catch (error) {
      const code = error instanceof ChatSetupError ? error.code : error instanceof FlowLoadError ? 'invalid_flow' : 'flow_unavailable';
      this.#fail(code, errorMessage(error));
      // The relay could not be reached (restarting, a lost answer) while the page is online: no
      // network event will come, so try again, backing off. Found by the chaos simulation (issue #16).
      if (code === 'flow_unavailable' && isTransient(error)) {
        this.#startRetry = setTimeout(() => this.#retryStart(), Math.min(1000 * 2 ** this.#startRetries++, 30_000));
      }
      return;
    }
    this.#failure = null;
    this.#startRetries = 0;
    await this.#begin(flow, { clearMessages: true });
  }

  /** Loads the flow again if this tab still waits for it (a timer and the network coming back may both ask). */
  #retryStart(): void {
    clearTimeout(this.#startRetry);
    void this.mailbox.post(() => (this.#phase === 'error' && this.#failure?.code === 'flow_unavailable' ? this.#restoreOrStart() : undefined));
  }

  #adopt(stored: StoredConversation, flow: RuntimeFlow): void {
    this.#setFlow(flow);
    this.session = stored.session;
    this.messages = stored.messages;
    this.#byId.clear();
    for (const message of this.messages) this.#byId.set(message.id, message);
    this.#outbox.clear();
    for (const record of stored.outbox) this.#outbox.set(record.id, record);
    this.proof.restore(stored.session.checkpoint, () => this.#store.journal(this.#namespace));
  }

  #setFlow(flow: RuntimeFlow): void {
    this.#flow = flow;
    const timeZone = this.options.timeZone ? { timeZone: this.options.timeZone } : {};
    this.#understand = createLocalUnderstanding(flow, timeZone);
    this.#fullParsers = false;
    if (!Object.values(flow.slots).some((slot) => FULL_PARSED_TYPES.has(slot.type))) return;
    // A separate chunk, fetched in the background: the basic parsers answer until it arrives, and offline it may never.
    loadFullParsers({ ...fullParserNeeds(flow, this.language), chrono: false }).then(
      (parsers) => {
        if (this.#flow !== flow) return;
        this.#understand = createLocalUnderstanding(flow, { ...timeZone, parsers });
        this.#fullParsers = true;
      },
      (error: unknown) => this.fire('warning', { code: 'parsers_unavailable', message: `The full date and phone parsers could not be loaded (${errorMessage(error)}); the basic ones are used.` }),
    );
  }

  /** The flow for a new session (see `FlowSource.obtain`). */
  #obtainFlow(): Promise<RuntimeFlow> {
    return this.#flowSource.obtain(this.#store, (record) => this.persist({ flows: [record] }));
  }

  /** Restored sessions start at once from the pinned flow; the relay's latest version is checked behind. */
  #revalidate(flowId: string): void {
    const generation = this.#generation;
    void (async () => {
      const fetched = await this.#flowSource.latest(this.#store, flowId);
      if (!fetched) return;
      await this.mailbox.post(async () => {
        if (fetched.record) await this.persist({ flows: [fetched.record] });
        if (generation === this.#generation && this.leader) await this.#upgrade(fetched.flow);
      });
    })().catch((error: unknown) => this.fire('warning', { code: 'flow_revalidation_failed', message: errorMessage(error) }));
  }

  /** Starts a new session on `flow`, keeping (or clearing) the transcript above it. */
  async #begin(flow: RuntimeFlow, change: StoreChange, notices: MessageRecord[] = []): Promise<void> {
    this.#setFlow(flow);
    this.#upgradeTo = null;
    this.#timers.cancelAll();
    this.#outbox.clear();
    this.#plans.clear();
    this.#toolsInFlight.clear();
    this.#outages.clear();
    if (change.clearMessages) {
      this.messages = [];
      this.#byId.clear();
    }
    const sessionId = this.#newId();
    const snapshot = initialSnapshot(flow);
    this.proof.reset();
    const last = this.messages[this.messages.length - 1];
    this.session = {
      namespace: this.#namespace,
      sessionId,
      flow: flowMeta(flow),
      base: snapshot,
      snapshot,
      handoff: null,
      nextOrder: last ? last.order + 1 : 0,
      updatedAt: this.now(),
    };
    if (this.#storage.fellBack && this.messages.length === 0) {
      notices.push(this.#notice('storage', STORAGE_NOTICE, sessionId));
    }
    this.#phase = 'active';
    const event: EngineEvent = this.language ? { type: 'session.start', sessionId, language: this.language } : { type: 'session.start', sessionId };
    await this.apply(event, {
      change: {
        ...change,
        clearJournal: true,
        clearOutbox: true,
        flows: [...(change.flows ?? []), { key: pinnedFlowKey(flow.id, flow.version), definition: flow.definition, savedAt: this.now() }],
      },
      notices,
    });
    this.#setReady();
  }

  #notice(kind: string, text: string, sessionId: string): MessageRecord {
    return { namespace: this.#namespace, id: `${sessionId}:notice:${kind}:${this.#newId()}`, role: 'notice', notice: kind, text, at: this.now(), order: 0 };
  }

  /**
   * A newer flow version: the session moves to it, or starts over on it
   * (`flow-upgrade.ts`, a chunk: flows seldom change under a conversation).
   */
  async #upgrade(latest: RuntimeFlow): Promise<void> {
    const session = this.session;
    this.#upgradeTo = null;
    if (!session || latest.version === session.flow.version) return;
    // Offline before the chunk was fetched: the move waits for the next turn, as when the relay cannot vouch yet.
    const chunk = await loadFlowUpgrade().catch(() => null);
    this.#upgradeTo = chunk
      ? await chunk.upgradeSession(
          this,
          {
            current: this.#flow,
            setFlow: (flow) => this.#setFlow(flow),
            notice: (kind, text, sessionId) => this.#notice(kind, text, sessionId),
            restart: async (flow, notice) => {
              this.#generation += 1;
              await this.#letGoBeforeRestart();
              return this.#begin(flow, {}, [notice]);
            },
          },
          session,
          latest,
        )
      : latest;
  }

  /**
   * Starting over on a new flow version lets a person who was awaited go, as a
   * reset does, and what the visitor wrote to them and was not sent yet waits
   * for a Retry, which gives it to the new conversation, instead of
   * "Sending…" for ever (found by the chaos run, issue #16, seed 20261305).
   */
  async #letGoBeforeRestart(): Promise<void> {
    const handoff = this.session?.handoff ?? null;
    const live = handoff?.live;
    if (live && liveBusy(handoff)) void this.#live?.then((worker) => worker?.abandon(live));
    const unsent = this.messages.filter((message) => message.role === 'user' && message.toAgent !== undefined && (message.status === 'pending' || message.status === 'queued'));
    for (const message of unsent) {
      message.status = 'failed';
      message.error = { code: 'dropped', message: 'The assistant was updated; the conversation started over.', retryable: true };
      message.input = { type: 'user.text', text: message.text };
    }
    if (unsent.length > 0) await this.persist({ messages: unsent });
  }

  // ---- the runner ----------------------------------------------------------------------------

  addMessage(message: MessageRecord): void {
    if (this.#byId.has(message.id)) return;
    this.messages.push(message);
    this.#byId.set(message.id, message);
  }

  /** Applies `event` only if no reset/restart happened since the work that produced it began. */
  async #applyCurrent(generation: number, event: EngineEvent, signature?: string): Promise<void> {
    if (generation !== this.#generation || this.destroyed || !this.leader || !this.session) return;
    await this.apply(event, signature === undefined ? {} : { signature });
  }

  /**
   * One engine step: step → write (journal entry, visitor message, snapshot,
   * transcript, outbox: one transaction) → publish → perform the effects.
   * Nothing reaches the network or the page before the write.
   */
  async apply(
    event: EngineEvent,
    extra: { user?: MessageRecord; change?: StoreChange; notices?: MessageRecord[]; signature?: string } = {},
  ): Promise<void> {
    const session = this.session;
    const flow = this.#flow;
    if (!session || !flow) return;
    const env: Env = this.language ? { now: this.now(), language: this.language } : { now: this.now() };
    const { snapshot, effects } = step(flow, session.snapshot, event, env);
    const changed = new Map<string, MessageRecord>();
    let order = session.nextOrder;
    for (const notice of extra.notices ?? []) {
      notice.order = order++;
      this.addMessage(notice);
      changed.set(notice.id, notice);
    }
    const user = extra.user;
    if (user) {
      if (!this.#byId.has(user.id)) {
        user.order = order++;
        this.addMessage(user);
      }
      user.seq = snapshot.seq;
      const dropped = effects.find((effect) => effect.type === 'error' && (effect.code === 'queue-full' || effect.code === 'not-started'));
      if (dropped?.type === 'error') {
        user.status = 'failed';
        user.error = { code: 'dropped', message: dropped.message, retryable: true };
      }
      changed.set(user.id, user);
    }
    const bots = messagesFromEffects(effects, { namespace: this.#namespace, sessionId: session.sessionId, at: env.now, nextOrder: order });
    order += bots.length;
    for (const bot of bots) {
      this.addMessage(bot);
      changed.set(bot.id, bot);
    }
    for (const message of settleStatuses(this.messages, snapshot)) changed.set(message.id, message);

    // The handoff's key is its place in the journal; its secret is 244 random bits, never from the injectable id generator.
    const handoff = nextHandoff(session.handoff, effects, snapshot, event, this.relay ? () => defaultNewId() + defaultNewId() : null);

    const outboxPut: OutboxRecord[] = [];
    const outboxDelete: string[] = [];
    const forget = (id: string): void => {
      if (this.#outbox.delete(id)) outboxDelete.push(id);
    };
    if (event.type === 'nlu.result') forget(event.requestId);
    if (event.type === 'tool.result' || event.type === 'tool.error') forget(event.callId);
    const newClassify = effects.find((effect) => effect.type === 'classify');
    // A resumed classification comes back with a new request id: it replaces the stored one, keeping a failure.
    let carriedFailure: { code: string; message: string } | undefined;
    for (const record of [...this.#outbox.values()]) {
      if (record.kind === 'classify' && snapshot.pending?.kind !== 'classify') forget(record.id);
      else if (record.kind === 'classify' && newClassify && record.id !== newClassify.requestId) {
        carriedFailure ??= record.failed;
        forget(record.id);
      }
    }
    for (const effect of effects) {
      if (effect.type === 'classify' && this.#planClassify(effect, snapshot).relay) {
        const record: OutboxRecord = { namespace: this.#namespace, id: effect.requestId, kind: 'classify', createdAt: env.now, effect };
        if (carriedFailure) record.failed = carriedFailure;
        this.#outbox.set(record.id, record);
        outboxPut.push(record);
      } else if (effect.type === 'callTool' && !this.#outbox.has(effect.callId)) {
        const record: OutboxRecord = { namespace: this.#namespace, id: effect.callId, kind: 'tool', createdAt: env.now, effect };
        this.#outbox.set(record.id, record);
        outboxPut.push(record);
      }
    }

    this.session = { ...session, snapshot, handoff, nextOrder: order, updatedAt: env.now };
    this.#phase = snapshot.status === 'ended' ? 'ended' : 'active';
    const entry: JournalRecord = { namespace: this.#namespace, seq: snapshot.seq, event, env, ...(extra.signature === undefined ? {} : { signature: extra.signature }) };
    this.proof.record(entry);
    await this.persist({
      ...extra.change,
      session: this.session,
      journal: [entry],
      messages: [...changed.values()],
      outboxPut,
      outboxDelete,
    });
    this.publish();
    if (liveBusy(handoff)) void this.handoffWorker();
    // Without a relay nobody can join: the flow hears it now rather than waiting out its timer.
    else if (!this.relay && effects.some((effect) => effect.type === 'handoff')) {
      const generation = this.#generation;
      void this.mailbox.post(() => this.#applyCurrent(generation, { type: 'host.event', name: 'handoff.unavailable', data: { code: 'no_relay' } }));
    }
    this.#perform(effects);
    if (this.#upgradeTo && snapshot.pending === null && snapshot.queue.length === 0) {
      const latest = this.#upgradeTo;
      void this.mailbox.post(() => this.#upgrade(latest));
    }
  }

  #perform(effects: readonly Effect[]): void {
    const generation = this.#generation;
    for (const effect of effects) {
      switch (effect.type) {
        case 'emit':
          this.#announce(effect.name, effect.data);
          break;
        case 'classify':
          this.#classify(effect, generation);
          break;
        case 'callTool':
          this.#callTool(effect, generation);
          break;
        case 'startTimer':
          this.#timers.arm(effect.timerId, effect.deadline);
          break;
        case 'cancelTimer':
          this.#timers.cancel(effect.timerId);
          break;
        case 'error':
          this.fire('error', { code: effect.code, message: effect.message });
          break;
        case 'say':
        case 'ask':
        case 'handoff':
        case 'ignored':
          break;
      }
    }
  }

  #understandLocally(effect: Extract<Effect, { type: 'classify' }>): Understanding {
    return (this.#understand as LocalUnderstanding)(effect, this.now());
  }

  /** Hybrid: is the local answer good enough, or should the relay (LLM, full parsers) be asked? */
  #needsRelay(effect: Extract<Effect, { type: 'classify' }>, local: Understanding, snapshot: Snapshot): boolean {
    if (local.intent === null || local.confidence < effect.threshold) return true;
    const asked = snapshot.prompt?.slot;
    if (!asked || Object.hasOwn(local.slots, asked)) return false;
    const type = this.#flow?.slots[asked]?.type;
    return type !== undefined && FULL_PARSED_TYPES.has(type) && !this.#fullParsers;
  }

  /**
   * Local, or the relay? Decided when the step is written, so the outbox
   * holds only work that really waits for the relay (hybrid answers most
   * turns locally and writes nothing for them).
   */
  #planClassify(effect: Extract<Effect, { type: 'classify' }>, snapshot: Snapshot): ClassifyPlan {
    const local = this.#mode === 'relay' ? null : this.#understandLocally(effect);
    const relay = this.relay !== null && (local === null || (this.#mode === 'hybrid' && onlineManager.isOnline() && this.#needsRelay(effect, local, snapshot)));
    const plan = { local, relay };
    this.#plans.set(effect.requestId, plan);
    return plan;
  }

  #classify(effect: Extract<Effect, { type: 'classify' }>, generation: number): void {
    const requestId = effect.requestId;
    const answer = (understanding: Understanding & { signature?: string }): void => {
      void this.mailbox.post(() =>
        this.#applyCurrent(
          generation,
          { type: 'nlu.result', requestId, intent: understanding.intent, confidence: understanding.confidence, slots: understanding.slots },
          understanding.signature,
        ),
      );
    };
    const plan = this.#plans.get(requestId) ?? this.#planClassify(effect, this.session?.snapshot ?? initialSnapshot(this.#flow as RuntimeFlow));
    this.#plans.delete(requestId);
    const local = plan.local;
    if (local && !plan.relay) {
      this.#setRequestStatus(requestId, 'sent');
      answer(local);
      return;
    }
    const relay = this.relay;
    const session = this.session;
    if (!relay || !session) {
      void this.mailbox.post(() => this.#failRequest(requestId, new RelayRequestError('no_relay', 'No relay is configured to understand messages.', null, false)));
      return;
    }
    const record = this.#outbox.get(requestId);
    if (record?.kind === 'classify' && record.failed) {
      void this.mailbox.post(() => this.#failRequest(requestId, new RelayRequestError(record.failed?.code ?? 'failed', record.failed?.message ?? '', null, false)));
      return;
    }
    const body = {
      flowId: session.flow.id,
      state: effect.state,
      text: effect.text,
      sessionId: session.sessionId,
      ...(effect.asking ? { asking: effect.asking } : {}),
      ...(effect.context ? { context: effect.context } : {}),
      language: effect.language,
    };
    this.#outboxQueue
      .submit({
        id: requestId,
        run: () => relay.classify(body),
        // Hybrid does not wait for a struggling relay: the local answer is there.
        retry: (failureCount, error) => local === null && isTransient(error) && failureCount < this.#attempts.classify - 1,
        onWaiting: (waiting) => {
          if (generation === this.#generation) this.#setRequestStatus(requestId, waiting ? 'queued' : 'sent');
        },
      })
      .then(answer, (error: unknown) => {
        if (generation !== this.#generation || this.destroyed) return;
        if (local) answer(local);
        else void this.mailbox.post(() => this.#failRequest(requestId, error));
      });
  }

  #callTool(effect: Extract<Effect, { type: 'callTool' }>, generation: number): void {
    const callId = effect.callId;
    const answer = (event: EngineEvent, signature?: string): void => {
      void this.mailbox.post(() => this.#applyCurrent(generation, event, signature));
    };
    const relay = this.relay;
    const session = this.session;
    if (!relay || !session) {
      answer({ type: 'tool.error', callId, error: { code: 'no_relay', message: 'No relay is configured to run tools.' } });
      return;
    }
    // A resume in the same page re-issues the call: it is already on its way.
    if (this.#toolsInFlight.has(callId)) return;
    this.#toolsInFlight.add(callId);
    this.#outages.cancelRetry(callId);
    // The relay runs the tool with its own timeout, grace and retries; wait for all of them.
    const timeoutMs = (effect.retries + 1) * (2 * effect.timeoutMs + 2000) + 2000;
    this.#outboxQueue
      .submit({
        id: callId,
        run: async () => {
          // The journal up to the latest step is the call's proof: the relay's replay must end waiting for this call.
          // Built when the request is made, so a call retried after the visitor typed on carries that too.
          const proof = await this.proof.build(this.options.timeZone);
          const body = { flowId: session.flow.id, flowVersion: session.flow.version, sessionId: session.sessionId, args: effect.args, proof };
          return relay.callTool(effect.name, body, effect.idempotencyKey, timeoutMs);
        },
        retry: (failureCount, error) => {
          if (!isTransient(error)) return false;
          if (generation === this.#generation) this.#outages.failed(callId, effect.name);
          return failureCount < this.#attempts.tool - 1;
        },
        onWaiting: (waiting) => {
          if (generation === this.#generation) this.#setToolStatus(callId, waiting ? 'queued' : 'sent');
        },
      })
      .then(
        async (answered) => {
          this.#outages.settled(callId);
          if (answered.checkpoint && generation === this.#generation && this.session) {
            this.proof.accept(answered.checkpoint);
            this.session = { ...this.session, checkpoint: answered.checkpoint };
          }
          answer({ type: 'tool.result', callId, result: answered.result }, answered.signature);
        },
        (error: unknown) => {
          this.#toolsInFlight.delete(callId);
          if (generation !== this.#generation || this.destroyed) return;
          // A relay that cannot be reached is not an answer: the call stays in the outbox and is tried again.
          if (isTransient(error)) {
            this.#outages.retryLater(callId, () => this.#callTool(effect, generation));
            return;
          }
          this.#outages.settled(callId);
          const code = error instanceof RelayRequestError ? error.code : 'tool_failed';
          answer({ type: 'tool.error', callId, error: { code, message: errorMessage(error) } });
        },
      )
      .finally(() => this.#toolsInFlight.delete(callId));
  }

  #requestMessage(requestId: string): MessageRecord | undefined {
    for (let index = this.messages.length - 1; index >= 0; index -= 1) {
      const message = this.messages[index] as MessageRecord;
      if (message.requestId === requestId) return message;
    }
    return undefined;
  }

  /** Shown at once; written with the next step (a reload re-derives it). */
  #setRequestStatus(requestId: string, status: 'queued' | 'sent'): void {
    this.#showStatus(this.#requestMessage(requestId), status);
  }

  /** The visitor message whose answer started this tool call, if one did (a timer or a host event may have). */
  #setToolStatus(callId: string, status: 'queued' | 'sent'): void {
    const snapshot = this.session?.snapshot;
    const pending = snapshot?.pending;
    if (!snapshot || pending?.kind !== 'tool' || pending.callId !== callId) return;
    // As `settleStatuses` reads it: the open message just before those still in the engine's queue.
    const open = this.messages.filter((message) => message.role === 'user' && message.toAgent === undefined && message.status !== 'answered' && message.error?.code !== 'dropped');
    const inQueue = snapshot.queue.filter((input) => input.type !== 'host.event').length;
    this.#showStatus(open[open.length - inQueue - 1], status);
  }

  #showStatus(message: MessageRecord | undefined, status: 'queued' | 'sent'): void {
    if (!message || message.status === status || message.status === 'answered' || message.status === 'failed') return;
    message.status = status;
    this.publish();
  }

  /** A classification that cannot succeed by waiting: the message shows why, and `retry` sends it again. */
  async #failRequest(requestId: string, error: unknown): Promise<void> {
    const record = this.#outbox.get(requestId);
    const code = error instanceof RelayRequestError ? error.code : 'failed';
    const message = errorMessage(error);
    const change: StoreChange = {};
    if (record?.kind === 'classify') {
      record.failed = { code, message };
      change.outboxPut = [record];
    }
    const user = this.#requestMessage(requestId);
    if (user && user.status !== 'answered') {
      // The messages waiting behind it cannot go either: they say so too, instead of "Sending…"
      // for ever, and a Retry on any of them sends this one again (found by the chaos run, issue #16).
      change.messages = this.messages.filter((other) => other === user || (other.role === 'user' && other.order > user.order && (other.status === 'pending' || other.status === 'queued')));
      for (const other of change.messages) {
        other.status = 'failed';
        other.error = { code, message, retryable: true };
      }
    }
    await this.persist(change);
    this.publish();
  }

  // ---- live handoff ----------------------------------------------------------------------------

  /** The live handoff's worker (a chunk loaded when the flow first hands off), caught up with the session. */
  handoffWorker(): Promise<LiveHandoff | null> {
    if (!this.relay || !this.leader || this.destroyed) return Promise.resolve(null);
    // Offline before the chunk was fetched: the next step or message tries again, and text goes to the flow meanwhile.
    this.#live ??= loadLiveHandoff().then(
      ({ LiveHandoff }) => new LiveHandoff(this, onlineManager),
      () => (this.#live = null),
    );
    return this.#live.then((worker) => worker?.sync() ?? null);
  }

  // ---- storage ---------------------------------------------------------------------------------

  persist(change: StoreChange): Promise<void> {
    return this.#storage.commit(change);
  }

  /** The store in use (IndexedDB, or memory after a fallback). */
  get #store(): ChatStore {
    return this.#storage.store;
  }

  /**
   * Storage moved to memory mid-conversation: the transcript says so, and the
   * journal starts again from the current snapshot. What the memory store gets.
   */
  #carryOver(): StoreChange | null {
    const session = this.session;
    if (!session || !this.#flow) return null;
    const notice = this.#notice('storage', STORAGE_NOTICE, session.sessionId);
    notice.order = session.nextOrder;
    this.addMessage(notice);
    this.session = { ...session, base: session.snapshot, nextOrder: session.nextOrder + 1 };
    return {
      session: this.session,
      messages: this.messages,
      outboxPut: [...this.#outbox.values()],
      flows: [{ key: pinnedFlowKey(this.#flow.id, this.#flow.version), definition: this.#flow.definition, savedAt: this.now() }],
    };
  }

  #databaseEvent(event: DatabaseEvent): void {
    if (event.type === 'blocked') this.fire('warning', { code: 'storage_blocked', message: 'Another tab is upgrading the chat storage; waiting for it.' });
  }

  // ---- tabs ------------------------------------------------------------------------------------

  /** The previous leader went away: this tab takes over from what is stored. */
  async #takeOver(): Promise<void> {
    if (this.destroyed) return;
    this.leader = true;
    this.#actor = null;
    const own = this.#follower?.takeOver() ?? [];
    await this.mailbox.post(() => this.#restoreOrStart());
    this.#tabs?.post({ type: 'hello' });
    for (const input of own) await this.mailbox.post(() => this.#accept(input));
    this.publish();
  }

  async #follow(): Promise<void> {
    // Not the leader (not ready yet) while the follower's half downloads: only a tab that finds another one
    // leading fetches it. Offline before it was fetched, this tab says the chat is unavailable, until the
    // leader goes and it takes over.
    this.publish();
    const loaded = await loadTabFollower().catch(() => null);
    if (this.destroyed || this.leader) return;
    if (!loaded) return this.#fail('follower_unavailable', 'the chat is open in another tab, and this tab could not load what it needs to follow it');
    const follower = new loaded.TabFollower(
      this.#tabId,
      { post: (message) => this.#tabs?.post(message), changed: () => this.publish(), fire: (name, data) => this.fire(name, data) },
      this.environment.forwardIntervalMs ?? DEFAULT_FORWARD_INTERVAL_MS,
    );
    this.#follower = follower;
    // The leader's broadcast tells when storage cannot.
    const stored = await this.#store.load(this.#namespace).catch(() => null);
    await follower.start(stored ? loaded.storedView(stored) : null, FOLLOWER_WAIT_MS);
    this.#phase = follower.view?.phase ?? 'loading';
    this.#setReady();
    this.publish();
  }

  #receive(message: TabMessage): void {
    if (this.destroyed) return;
    if (this.leader) {
      if (message.type === 'input') {
        const input = message.input;
        void this.mailbox.post(async () => {
          await this.#accept(input);
          this.#tabs?.post({ type: 'ack', id: input.id });
        });
      } else if (message.type === 'sync') {
        this.#broadcast();
      } else if (message.type === 'gone' && message.tab === this.#actor) {
        this.#actor = null;
      }
      return;
    }
    if (message.type === 'state') this.#phase = message.view.phase;
    // Before the follower's chunk is in, nothing is lost: it asks the leader for its view when it starts.
    this.#follower?.receive(message);
  }

  #forward(input: ForwardedInput): void {
    // Without a follower (its chunk could not load) the chat said it is unavailable.
    this.#follower?.forward(input);
  }

  /** Leader: applies a visitor action (its own or a follower's) once, whatever is sent twice. */
  async #accept(input: ForwardedInput): Promise<void> {
    if (this.#handledForwards.has(input.id)) return;
    if ((input.kind === 'text' || input.kind === 'choice') && this.#byId.has(input.id)) return;
    this.#handledForwards.add(input.id);
    this.#actor = input.tab ?? null;
    switch (input.kind) {
      case 'text':
      case 'choice': {
        if (!this.session || !this.#flow) return;
        // While a person is awaited or there, the visitor writes to them, not to the flow.
        if (input.kind === 'text' && liveOpen(this.session.handoff)) {
          const worker = await this.handoffWorker();
          if (worker) return worker.toAgent(input.id, input.text, input.at);
        }
        const event: Extract<EngineEvent, { type: 'user.text' | 'user.choice' }> =
          input.kind === 'text' ? { type: 'user.text', text: input.text } : { type: 'user.choice', value: input.value };
        const user: MessageRecord = {
          namespace: this.#namespace,
          id: input.id,
          role: 'user',
          text: input.kind === 'text' ? input.text : input.label,
          at: input.at,
          status: 'pending',
          order: 0,
          input: event,
        };
        await this.apply(event, { user });
        // The visitor writes again while the message before it failed: that one is tried again first.
        const pending = this.session?.snapshot.pending;
        const waiting = pending?.kind === 'classify' ? this.#outbox.get(pending.requestId) : undefined;
        if (waiting?.kind === 'classify' && waiting.failed) await this.#retryClassification();
        return;
      }
      case 'event':
        await this.apply(input.data === null ? { type: 'host.event', name: input.name } : { type: 'host.event', name: input.name, data: input.data });
        return;
      case 'retry':
        await this.#retryNow(input.messageId);
        return;
      case 'reset':
        await this.#resetNow();
        return;
    }
  }

  // ---- state and events ------------------------------------------------------------------------

  #buildState(): ChatState {
    const online = onlineManager.isOnline();
    if (!this.leader) {
      return followerState(this.#follower?.view ?? null, this.#follower?.pendingMessages() ?? [], { ready: this.#isReady, phase: this.#phase, online, storage: this.#storage.kind, error: this.#failure });
    }
    const view = sharedViewOf({
      session: this.session,
      messages: this.messages,
      outbox: this.#outbox,
      ready: this.#isReady,
      phase: this.#phase,
      error: this.#failure,
      stalled: this.#outages.current,
    });
    return { ...view, online, storage: this.#storage.kind, leader: true };
  }

  publish(): void {
    if (this.destroyed) return;
    this.#state = this.#buildState();
    for (const listener of [...this.#listeners]) callSafely(listener, this.#state);
    if (this.leader) this.#broadcast();
  }

  #broadcast(): void {
    if (!this.#tabs || !this.#isReady) return;
    const { online: _online, storage: _storage, leader: _leader, ...view } = this.#state;
    this.#tabs.post({ type: 'state', view });
  }

  fire(name: string, data: JsonObject): void {
    this.#events.fire(name, data);
  }

  /** A public event from the flow: fired in the tab the visitor last acted in, so the page they look at hears it. */
  #announce(name: string, data: JsonObject): void {
    if (this.#actor !== null && this.#tabs) this.#tabs.post({ type: 'events', tab: this.#actor, events: [{ name, data }] });
    else this.fire(name, data);
  }

  #onlineChanged(online: boolean): void {
    if (this.destroyed) return;
    this.publish();
    if (!online) return;
    if (this.leader) this.#outages.retryNow();
    if (!this.leader) this.#follower?.resend();
    else this.#retryStart();
  }

  // ---- public API -------------------------------------------------------------------------------

  async send(text: string): Promise<void> {
    await this.ready;
    const trimmed = text.trim();
    if (trimmed === '' || this.destroyed) return;
    const input: ForwardedInput = { id: this.#newId(), kind: 'text', text: trimmed, at: this.now() };
    if (!this.leader) return this.#forward(input);
    await this.mailbox.post(() => this.#accept(input));
  }

  async choose(choice: RenderedChoice | string): Promise<void> {
    await this.ready;
    if (this.destroyed) return;
    const offered = this.#state.choices;
    const value = typeof choice === 'string' ? choice : choice.value;
    const match = offered.find((candidate) => candidate.value === value) ?? offered.find((candidate) => candidate.label === value);
    const input: ForwardedInput = {
      id: this.#newId(),
      kind: 'choice',
      value: match?.value ?? value,
      label: match?.label ?? (typeof choice === 'string' ? choice : choice.label),
      at: this.now(),
    };
    if (!this.leader) return this.#forward(input);
    await this.mailbox.post(() => this.#accept(input));
  }

  async retry(messageId: string): Promise<void> {
    await this.ready;
    if (this.destroyed) return;
    const input: ForwardedInput = { id: this.#newId(), kind: 'retry', messageId };
    if (!this.leader) return this.#forward(input);
    await this.mailbox.post(() => this.#accept(input));
  }

  async #retryNow(messageId: string): Promise<void> {
    const message = this.#byId.get(messageId);
    if (!message || message.role !== 'user' || message.status !== 'failed') return;
    if (message.error?.code === 'dropped' && message.input) {
      message.status = 'pending';
      delete message.error;
      await this.apply(message.input, { user: message });
      return;
    }
    await this.#retryClassification();
  }

  /** Sends the classification the engine waits for again, with the messages that wait behind it. */
  async #retryClassification(): Promise<void> {
    const pending = this.session?.snapshot.pending;
    const record = pending?.kind === 'classify' ? this.#outbox.get(pending.requestId) : undefined;
    if (record?.kind !== 'classify') return;
    const head = this.#requestMessage(record.id);
    delete record.failed;
    const retried = this.messages.filter((other) => other.role === 'user' && other.status === 'failed' && other.error?.code !== 'dropped' && (!head || other.order >= head.order));
    for (const other of retried) {
      other.status = 'pending';
      delete other.error;
    }
    await this.persist({ outboxPut: [record], messages: retried });
    this.publish();
    this.#classify(record.effect, this.#generation);
  }

  emit(name: string, data?: Json): void {
    if (this.destroyed) return;
    const input: ForwardedInput = { id: this.#newId(), kind: 'event', name, data: data ?? null };
    void this.ready.then(() => {
      if (this.destroyed) return;
      if (!this.leader) this.#forward(input);
      else void this.mailbox.post(() => this.#accept(input));
    });
  }

  getState(): ChatState {
    return this.#state;
  }

  subscribe(listener: (state: ChatState) => void): () => void {
    this.#listeners.add(listener);
    return () => {
      this.#listeners.delete(listener);
    };
  }

  on(event: ChatEventName, callback: (data: JsonObject) => void): () => void {
    return this.#events.on(event, callback);
  }

  async reset(): Promise<void> {
    await this.ready;
    if (this.destroyed) return;
    const input: ForwardedInput = { id: this.#newId(), kind: 'reset' };
    if (!this.leader) return this.#forward(input);
    await this.mailbox.post(() => this.#accept(input));
  }

  async #resetNow(): Promise<void> {
    const live = this.session?.handoff?.live;
    if (live && liveBusy(this.session?.handoff ?? null)) void this.#live?.then((worker) => worker?.abandon(live));
    this.#generation += 1;
    this.#timers.cancelAll();
    this.#outages.clear();
    const flow = this.#upgradeTo ?? this.#flow;
    if (!flow) {
      await this.#restoreOrStart();
      return;
    }
    await this.#storage.clear();
    await this.#begin(flow, { clearMessages: true });
  }

  async idle(): Promise<void> {
    await this.ready;
    while (this.mailbox.busy) await this.mailbox.idle();
  }

  async destroy(): Promise<void> {
    if (this.destroyed) return;
    while (this.mailbox.busy) await this.mailbox.idle();
    this.destroyed = true;
    this.#generation += 1;
    void this.#live?.then((worker) => worker?.stop());
    this.mailbox.close();
    this.#timers.cancelAll();
    this.#outages.clear();
    this.#follower?.stop();
    clearTimeout(this.#startRetry);
    if (!this.leader) this.#tabs?.post({ type: 'gone', tab: this.#tabId });
    this.#unsubscribeOnline();
    this.#queryClient.unmount();
    this.#queryClient.clear();
    this.#tabs?.close();
    this.#storage.close();
    this.#listeners.clear();
    this.#events.clear();
    this.#setReady();
  }
}
