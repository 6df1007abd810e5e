/**
 * One simulated session: one browser (1–3 tabs over one IndexedDB), the real
 * chat runtime in each tab, the real relay behind a faulty network, and a
 * visitor following the plan. After the last step the world heals (online,
 * calm network, working disk) and time runs on until the work settles; then
 * the invariants are checked (see `invariants.ts`).
 */
import { focusManager, onlineManager } from '@tanstack/query-core';
// The IndexedDB classes (IDBRequest, IDBKeyRange, …) as a browser has them; each session gets its own `indexedDB`.
import 'fake-indexeddb/auto';
import { IDBFactory } from 'fake-indexeddb';
import orderTracking from '../../flows/order-tracking.flow.json';
import reservations from '../../flows/reservations.flow.json';
import type { Flow } from '../../flows/types.ts';
import type { ChatState } from '../../widget/chat-types.ts';
import { compileFlow } from '../../flows/compile-flow.ts';
import { fullParserNeeds, loadFullParsers, type SlotParsers } from '../../widget/nlu/index.ts';
import { createChatRuntime, loadFlowUpgrade, loadLiveHandoff, loadTabFollower, type ChatController } from '../../widget/runtime/chat-runtime.ts';
import { SimulatedChannels, SimulatedLocks } from './browser-tabs.ts';
import { checkInvariants, type Violation } from './invariants.ts';
import { CALM, SimulatedNetwork, type NetworkCounts } from './network.ts';
import { Random, uuidFrom } from './random.ts';
import { lifecycleAt, phraseFor, type Action, type Lifecycle, type Plan } from './schedule.ts';
import { PageTransactions, StorageFaults, faultyOpenStore } from './storage.ts';
import { VirtualTime } from './virtual-time.ts';

export const RELAY_URL = 'https://relay.chaos.test/statechat';
export const DATABASE = 'statechat-chaos';
/** 2026-11-23 10:00 UTC: the restaurant is open, tomorrow is a weekday. */
const START = Date.parse('2026-11-23T10:00:00Z');
/** Simulated time the healed world gets to finish its work. */
const HEAL_MS = 6 * 60_000;

export interface Page {
  id: number;
  chat: ChatController;
  alive: boolean;
  /** Destroyed by a navigation, not killed. */
  closing: boolean;
  /** The schedule step at which the page was opened. */
  openedAt: number;
  /** Its open IndexedDB transactions, aborted if it is killed. */
  transactions: PageTransactions;
}

/** A visitor message the product accepted (the send resolved and it was shown). */
export interface Expected {
  id: string;
  text: string;
  page: number;
  step: number;
  /** Why losing it is not the product's fault (its tab died before the leader saw it, memory-only storage). */
  exempt: string | null;
  /** When it was typed, counting every action and lifecycle event of the session. */
  moment: number;
}

export interface SessionResult {
  violations: Violation[];
  /** Each open tab's transcript at the end (`role status: text`), for reading a failure. */
  transcripts: string[][];
  stats: {
    steps: number;
    messages: number;
    exempt: number;
    /** Why each exempt message may be gone. */
    exemptions: Record<string, number>;
    toolRuns: number;
    crashReplays: number;
    reloads: number;
    tabsOpened: number;
    storageFaults: number;
    /** Pages killed partway through their work right after the visitor typed (`typeAndKill`). */
    kills: number;
    /** IndexedDB transactions those kills aborted. */
    abortedTransactions: number;
    resets: number;
    /** Conversations moved to a newly published flow version (continued, or started over), as the leader tab shows at the end. */
    upgrades: number;
    network: NetworkCounts;
    simulatedMs: number;
    tasks: number;
  };
}

function flowDefinition(name: Plan['flow']): Flow {
  return structuredClone(name === 'reservations' ? reservations : orderTracking) as unknown as Flow;
}

/** Lets the simulated world run until `promise` settles (at most `limitMs` of simulated time). */
async function settle<T>(clock: VirtualTime, promise: Promise<T>, limitMs = 60_000): Promise<T | undefined> {
  let done = false;
  let value: T | undefined;
  promise.then(
    (result) => {
      done = true;
      value = result;
    },
    () => {
      done = true;
    },
  );
  for (let waited = 0; !done && waited <= limitMs; waited += 10) await clock.advance(10);
  return value;
}

let relayParsers: SlotParsers | undefined;

/**
 * Loads the chunks the runtime and the relay import on demand (the parsers,
 * the live handoff's worker, a follower tab's half, the flow upgrade), before
 * simulated time starts: a module read from disk would arrive at a moment the
 * seed does not decide. Afterwards those imports come from the module cache.
 */
async function warmParsers(): Promise<SlotParsers> {
  if (relayParsers) return relayParsers;
  await loadLiveHandoff();
  await Promise.all([loadTabFollower(), loadFlowUpgrade()]);
  for (const name of ['reservations', 'order-tracking'] as const) {
    const flow = compileFlow(flowDefinition(name));
    await loadFullParsers({ ...fullParserNeeds(flow, 'en'), chrono: false });
  }
  relayParsers = await loadFullParsers();
  return relayParsers;
}

/**
 * A defect planted on purpose, for the tests that show each invariant can
 * fail: a relay store that forgets keys, storage that drops journal entries
 * or visitor messages, a channel that loses the leader's state, a refused
 * classification taken as an answer.
 */
export type Sabotage = 'forgetful-idempotency' | 'drop-journal' | 'drop-user-messages' | 'mute-leader' | 'refusal-accepted';

export async function runSession(plan: Plan, options: { sabotage?: Sabotage } = {}): Promise<SessionResult> {
  const sabotage = options.sabotage;
  const parsers = await warmParsers();
  const clock = new VirtualTime(START);
  const random = new Random(plan.dice);
  const violations: Violation[] = [];
  const expected: Expected[] = [];
  const pages: Page[] = [];
  const transcripts: string[][] = [];
  let step = 0;
  let reloads = 0;
  let tabsOpened = 0;
  let kills = 0;
  let upgrades = 0;
  /** Moments (see `Expected.moment`) at which the visitor started over. */
  const resets: number[] = [];
  let moment = 0;
  const savedRandomUUID = globalThis.crypto.randomUUID.bind(globalThis.crypto);
  const savedMathRandom = Math.random;
  const savedIndexedDB = (globalThis as { indexedDB?: unknown }).indexedDB;

  const uncaught = (error: unknown): void => {
    violations.push({ kind: 'crash', step, detail: `uncaught: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}` });
  };
  clock.onError = uncaught;
  process.on('unhandledRejection', uncaught);
  clock.install();
  const uuid = uuidFrom(random);
  Object.defineProperty(globalThis.crypto, 'randomUUID', { value: uuid, configurable: true, writable: true });
  Math.random = () => random.next();
  (globalThis as { indexedDB?: unknown }).indexedDB = new IDBFactory();
  onlineManager.setOnline(true);

  const flows = [flowDefinition('reservations'), flowDefinition('order-tracking')];
  const network = new SimulatedNetwork(flows, random, parsers, sabotage === 'forgetful-idempotency', sabotage === 'refusal-accepted');
  const storageFaults = new StorageFaults(sabotage === 'drop-journal' || sabotage === 'drop-user-messages' ? sabotage : null);
  const locks = new SimulatedLocks();
  const channels = new SimulatedChannels(random, plan.channelDelayMs, () => clock.now, sabotage === 'mute-leader');
  let nextPage = 1;

  const live = (): Page[] => pages.filter((page) => page.alive);

  function openPage(): Page {
    const id = nextPage++;
    let counter = 0;
    const page: Page = { id, chat: undefined as unknown as ChatController, alive: true, closing: false, openedAt: step, transactions: new PageTransactions() };
    const alive = (): boolean => page.alive;
    page.chat = createChatRuntime(
      {
        relay: RELAY_URL,
        flow: plan.flow,
        nlu: plan.nlu,
        language: 'en',
        timeZone: 'UTC',
        now: () => Date.now(),
        newId: () => `p${id}-${++counter}`,
      },
      {
        fetch: network.fetchFor(alive),
        databaseName: DATABASE,
        openStore: faultyOpenStore(storageFaults, alive, page.transactions),
        locks: locks.forTab(id, alive),
        createChannel: channels.forTab(id),
      },
    );
    page.chat.on('error', () => undefined);
    page.chat.on('warning', () => undefined);
    pages.push(page);
    return page;
  }

  /** A page that is gone: what its visitor typed and no leader saw is theirs to lose, not the product's. */
  function abandon(page: Page, why: string): void {
    const shownByLeader = new Set<string>();
    for (const other of live()) {
      if (other === page) continue;
      for (const message of other.chat.getState().messages) shownByLeader.add(message.id);
    }
    const state = page.chat.getState();
    for (const entry of expected) {
      if (entry.exempt !== null) continue;
      if (entry.page === page.id && !state.leader && !shownByLeader.has(entry.id)) entry.exempt = `${why} before the leader tab saw it`;
      else if (state.leader && state.storage === 'memory' && state.messages.some((message) => message.id === entry.id)) {
        entry.exempt = `kept in memory only (storage failed) and its leader tab was ${why}`;
      }
    }
  }

  function kill(page: Page, why: string): void {
    if (!page.alive) return;
    abandon(page, why);
    page.alive = false;
    locks.kill(page.id);
    channels.kill(page.id);
    page.transactions.abortAll();
  }

  async function close(page: Page, hard: boolean, why: string): Promise<void> {
    if (!page.alive || page.closing) return;
    if (hard) {
      kill(page, why);
      return;
    }
    page.closing = true;
    await settle(clock, page.chat.destroy());
    kill(page, why);
  }

  function pageAt(index: number): Page | undefined {
    const open = live().filter((page) => !page.closing);
    return open.length === 0 ? undefined : open[index % open.length];
  }

  function canType(state: ChatState): boolean {
    return state.ready && (state.phase === 'active' || state.phase === 'ended');
  }

  function track(page: Page, text: string, sending: Promise<void>): void {
    const at = step;
    const typedAt = moment;
    sending.then(
      () => {
        if (!page.alive) return;
        const known = new Set(expected.map((entry) => entry.id));
        const shown = page.chat.getState().messages.find((message) => message.role === 'user' && message.text === text && !known.has(message.id));
        if (shown) expected.push({ id: shown.id, text, page: page.id, step: at, exempt: null, moment: typedAt });
        else if (page.chat.getState().phase === 'active' || page.chat.getState().phase === 'ended') {
          violations.push({ kind: 'lost', step: at, detail: `"${text}" was sent in tab ${page.id} and is not shown there` });
        }
      },
      (error: unknown) => violations.push({ kind: 'crash', step: at, detail: `send rejected: ${String(error)}` }),
    );
  }

  async function happen(event: Lifecycle): Promise<void> {
    switch (event.do) {
      case 'typeAndKill': {
        const page = pageAt(event.tab);
        if (!page || !canType(page.chat.getState())) return;
        const text = phraseFor(plan.flow, event.phrase);
        track(page, text, page.chat.send(text));
        // The page gets this much of its work done (storage, network, channel), then it is gone.
        await clock.runTasks(event.tasks, 50);
        kills += 1;
        reloads += 1;
        kill(page, 'killed by a reload');
        openPage();
        return;
      }
      case 'reset': {
        // In the leader tab, so that what the visitor types afterwards, in any tab, comes after it.
        const leader = live().find((page) => !page.closing && page.chat.getState().leader && page.chat.getState().ready);
        if (!leader) return;
        resets.push(moment);
        leader.chat.reset().catch((error: unknown) => violations.push({ kind: 'crash', step, detail: `reset rejected: ${String(error)}` }));
        return;
      }
      case 'publishFlow':
        network.publishFlow(plan.flow, event.compatible, event.state);
        return;
    }
  }

  async function perform(action: Action): Promise<void> {
    switch (action.do) {
      case 'type':
      case 'choose':
      case 'retry': {
        const page = pageAt(action.tab);
        if (!page) return;
        const state = page.chat.getState();
        if (!canType(state)) return;
        if (action.do === 'type') {
          const text = phraseFor(plan.flow, action.phrase);
          track(page, text, page.chat.send(text));
        } else if (action.do === 'choose') {
          if (state.choices.length === 0) return;
          const choice = state.choices[action.choice % state.choices.length];
          if (choice) track(page, choice.label, page.chat.choose(choice));
        } else {
          const failed = state.messages.find((message) => message.role === 'user' && message.status === 'failed' && message.error?.retryable !== false);
          if (failed) void page.chat.retry(failed.id);
        }
        return;
      }
      case 'wait':
        return;
      case 'reload': {
        const page = pageAt(action.tab);
        if (!page) return;
        reloads += 1;
        await close(page, action.hard, action.hard ? 'killed by a reload' : 'reloaded');
        openPage();
        return;
      }
      case 'openTab':
        if (live().length >= 3) return;
        tabsOpened += 1;
        openPage();
        return;
      case 'closeTab': {
        const page = pageAt(action.tab);
        if (!page || live().length <= 1) return;
        await close(page, action.hard, 'closed');
        return;
      }
      case 'offline': {
        network.setOnline(false);
        setTimeout(() => network.setOnline(true), action.ms);
        return;
      }
      case 'restartRelay':
        network.restartRelay();
        return;
      case 'storageFault':
        storageFaults.failNext(action.kind, action.count);
        return;
    }
  }

  try {
    network.faults = {
      latencyMs: plan.faults.latencyMs,
      dropBefore: plan.faults.dropBefore / 1000,
      dropAfter: plan.faults.dropAfter / 1000,
      duplicate: plan.faults.duplicate / 1000,
      proxyError: plan.faults.proxyError / 1000,
      refuse: plan.faults.refuse / 1000,
      slowTool: plan.faults.slowTool / 1000,
      slowAfterEffect: plan.faults.slowAfterEffect / 1000,
    };
    openPage();
    await clock.advance(random.int(0, 2000));
    for (const action of plan.actions) {
      step += 1;
      for (const event of lifecycleAt(plan, step)) {
        moment += 1;
        await happen(event);
      }
      moment += 1;
      await perform(action);
      await clock.advance(action.think);
    }
    step = plan.actions.length + 1;
    // The world heals: the visitor is online, the network calm, the disk works.
    network.faults = { ...CALM };
    storageFaults.clear();
    network.setOnline(true);
    for (let waited = 0; waited < HEAL_MS; waited += 5000) await clock.advance(5000);
    if (live().length === 0) openPage();
    await clock.advance(10_000);
    // Starting over clears the transcript: what was typed before is meant to go.
    const lastReset = Math.max(-1, ...resets);
    for (const entry of expected) if (entry.exempt === null && entry.moment < lastReset) entry.exempt = 'typed before the visitor started over';
    // A leader that could not read the stored conversation at its start (the reads kept failing) says so and
    // starts afresh in memory: what was typed before that page opened is not on its screen, as announced.
    const leader = live().find((page) => page.chat.getState().leader);
    if (leader && leader.chat.getState().storage === 'memory') {
      const shown = new Set(leader.chat.getState().messages.map((message) => message.id));
      for (const entry of expected) {
        if (entry.exempt === null && entry.step < leader.openedAt && !shown.has(entry.id)) entry.exempt = 'the stored conversation could not be read when its tab opened (announced)';
      }
    }
    const leaderAtEnd = live().find((page) => page.chat.getState().leader);
    upgrades = leaderAtEnd?.chat.getState().messages.filter((message) => message.notice === 'flow-updated' || message.notice === 'restarted').length ?? 0;
    violations.push(...(await checkInvariants({ clock, pages: live(), expected, network, nlu: plan.nlu, step, settle: (promise) => settle(clock, promise) })));
    for (const page of live()) {
      const state = page.chat.getState();
      transcripts.push([
        `tab ${page.id}${state.leader ? ' (leader)' : ''}: ${state.phase} in ${state.state ?? '-'}, ${state.storage}, busy ${String(state.busy)}, queued ${state.queued}`,
        ...state.messages.map((message) => `${message.id} ${message.role} ${message.status ?? ''}: ${message.text}`),
      ]);
    }
  } finally {
    for (const page of pages) page.alive = false;
    clock.clear();
    clock.uninstall();
    process.off('unhandledRejection', uncaught);
    Object.defineProperty(globalThis.crypto, 'randomUUID', { value: savedRandomUUID, configurable: true, writable: true });
    Math.random = savedMathRandom;
    (globalThis as { indexedDB?: unknown }).indexedDB = savedIndexedDB;
    // The runtimes of this session subscribed to the page-wide managers; the next session starts without them.
    for (const manager of [onlineManager, focusManager]) (manager as unknown as { listeners: Set<unknown> }).listeners.clear();
    onlineManager.setOnline(true);
  }

  if (network.trace) transcripts.push(network.trace);
  return {
    violations,
    transcripts,
    stats: {
      steps: plan.actions.length,
      messages: expected.length,
      exempt: expected.filter((entry) => entry.exempt !== null).length,
      exemptions: expected.reduce<Record<string, number>>((counts, entry) => {
        if (entry.exempt !== null) counts[entry.exempt] = (counts[entry.exempt] ?? 0) + 1;
        return counts;
      }, {}),
      toolRuns: network.toolRuns.length,
      crashReplays: 0,
      reloads,
      tabsOpened,
      kills,
      abortedTransactions: pages.reduce((total, page) => total + page.transactions.aborted, 0),
      resets: resets.length,
      upgrades,
      storageFaults: storageFaults.injected.abort + storageFaults.injected.quota + storageFaults.injected.read,
      network: network.counts,
      simulatedMs: clock.now - START,
      tasks: clock.ran,
    },
  };
}
