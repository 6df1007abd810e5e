/**
 * What must hold after a simulated session, once the world has healed:
 *
 * - lost: every visitor message the product accepted is answered, or shown
 *   as failed with a Retry (never stuck as pending/sent, never gone); every
 *   tool call the flow made finished (result or visible failure);
 * - duplicate: no tool's side effect happened twice for one idempotency key
 *   (a relay killed after the side effect and before recording its answer
 *   is the documented at-least-once case and is counted apart);
 * - divergent: exactly one live tab leads, and every tab shows the leader's
 *   transcript;
 * - replay: the stored journal, replayed from the stored base snapshot with
 *   the pinned flow, gives exactly the stored snapshot; no timer fired twice,
 *   none was left armed long past its deadline;
 * - refused: a message the relay refused to classify (and never classified)
 *   is not shown as sent or answered when only the relay could understand it
 *   (relay mode); a tool result in the journal comes from a run of that key;
 * - stuck: the healed world leaves no tab on an error it could recover from.
 */
import { isDeepStrictEqual } from 'node:util';
import { openDB } from 'idb';
import type { LoadedFlow } from '../../flows/compile.ts';
import { compileFlow } from '../../flows/compile-flow.ts';
import type { Flow } from '../../flows/types.ts';
import { step } from '../../widget/engine/step.ts';
import type { Effect, Snapshot } from '../../widget/engine/types.ts';
import type { JournalRecord, SessionRecord } from '../../widget/store/records.ts';
import { pinnedFlowKey } from '../../widget/store/records.ts';
import type { SimulatedNetwork } from './network.ts';
import type { Expected, Page } from './session.ts';
import type { VirtualTime } from './virtual-time.ts';

export type ViolationKind = 'lost' | 'duplicate' | 'divergent' | 'replay' | 'timer' | 'refused' | 'stuck' | 'crash';

export interface Violation {
  kind: ViolationKind;
  /** The schedule step after which it was seen (steps count from 1; one past the last means "after healing"). */
  step: number;
  detail: string;
}

interface Context {
  clock: VirtualTime;
  pages: Page[];
  expected: Expected[];
  network: SimulatedNetwork;
  nlu: 'hybrid' | 'relay' | 'local';
  step: number;
  settle: <T>(promise: Promise<T>) => Promise<T | undefined>;
}

function transcript(page: Page): string[] {
  return page.chat.getState().messages.map((message) => `${message.id}|${message.role}|${message.status ?? ''}|${message.text}`);
}

export async function checkInvariants({ clock, pages, expected, network, nlu, step: at, settle }: Context): Promise<Violation[]> {
  const violations: Violation[] = [];
  const add = (kind: ViolationKind, detail: string): void => {
    violations.push({ kind, step: at, detail });
  };

  // Tabs: one leader, everyone shows what it shows.
  const leaders = pages.filter((page) => page.chat.getState().leader);
  const leader = leaders[0];
  if (leaders.length !== 1 || !leader) {
    add('divergent', `${leaders.length} leader tabs among ${pages.length} open`);
  } else {
    const reference = transcript(leader);
    for (const page of pages) {
      if (page === leader) continue;
      const other = transcript(page);
      if (!isDeepStrictEqual(other, reference)) {
        const at = other.findIndex((line, index) => line !== reference[index]);
        add('divergent', `tab ${page.id} differs from the leader tab ${leader.id} at message ${at}: ${other[at] ?? '(missing)'} vs ${reference[at] ?? '(missing)'}`);
      }
    }
  }

  // Messages: answered or visibly failed.
  if (leader) {
    const state = leader.chat.getState();
    const byId = new Map(state.messages.map((message) => [message.id, message]));
    for (const entry of expected) {
      if (entry.exempt !== null) continue;
      const message = byId.get(entry.id);
      if (!message) {
        add('lost', `"${entry.text}" (${entry.id}, typed at step ${entry.step}) is gone from the transcript`);
      } else if (message.status !== 'answered' && !(message.status === 'failed' && message.error?.retryable)) {
        add('lost', `"${entry.text}" (${entry.id}, typed at step ${entry.step}) is stuck as ${message.status ?? 'no status'}`);
      }
    }
    if (nlu === 'relay') {
      for (const message of state.messages) {
        const key = `${state.sessionId ?? ''} ${message.text}`;
        if (message.role !== 'user' || (message.status !== 'sent' && message.status !== 'answered')) continue;
        if (network.classifications.refused.has(key) && !network.classifications.answered.has(key)) {
          add('refused', `"${message.text}" (${message.id}) was refused by the relay and is shown as ${message.status}`);
        }
      }
    }
    if (state.phase === 'error') add('stuck', `the leader tab shows an error: ${state.error?.code ?? '?'} (${state.error?.message ?? ''})`);
  }

  // Tools: one side effect per key.
  const runsByKey = new Map<string, typeof network.toolRuns>();
  for (const run of network.toolRuns) {
    if (!run.committed) continue;
    const key = `${run.sessionId} ${run.key}`;
    runsByKey.set(key, [...(runsByKey.get(key) ?? []), run]);
  }
  for (const [key, runs] of runsByKey) {
    if (runs.length < 2) continue;
    // Every earlier run's relay died between the side effect and recording it: at-least-once, documented.
    if (runs.slice(0, -1).every((run) => run.crashedAfterEffect)) continue;
    add('duplicate', `${runs[0]?.tool ?? '?'} ran ${runs.length} times for key ${key} (attempts ${runs.map((run) => `${run.relay}/${run.attempt}`).join(', ')})`);
  }

  // The stored journal replays to the stored snapshot; tools called finished; timers fired once.
  if (leader && leader.chat.getState().storage === 'indexeddb') {
    const stored = await settle(readStored());
    if (!stored) {
      add('replay', 'the stored conversation could not be read');
    } else if (stored.session) {
      const { session, journal, flow } = stored;
      if (!flow) {
        add('replay', `the pinned flow ${session.flow.id}@${session.flow.version} is not stored`);
      } else {
        const loaded = compileFlow(flow);
        const expectedSeqs = journal.map((_, index) => session.base.seq + index + 1);
        if (!isDeepStrictEqual(journal.map((record) => record.seq), expectedSeqs)) {
          add('replay', `journal positions ${journal.map((record) => record.seq).join(',')} do not follow the base at ${session.base.seq}`);
        }
        const replayed = replayFrom(loaded, journal, session);
        if (!isDeepStrictEqual(replayed.snapshot, session.snapshot)) {
          add('replay', `the journal (${journal.length} events) replays to state ${replayed.snapshot.state} seq ${replayed.snapshot.seq}, the stored snapshot is ${session.snapshot.state} seq ${session.snapshot.seq}`);
        }
        const fired = new Map<string, number>();
        const called = new Map<string, { name: string; key: string }>();
        const finished = new Set<string>();
        const results = new Set<string>();
        journal.forEach((record, index) => {
          const effects = replayed.effects[index] ?? [];
          if (record.event.type === 'timer.fired' && !effects.some((effect) => effect.type === 'ignored')) {
            fired.set(record.event.timerId, (fired.get(record.event.timerId) ?? 0) + 1);
          }
          if (record.event.type === 'tool.result' || record.event.type === 'tool.error') finished.add(record.event.callId);
          if (record.event.type === 'tool.result') results.add(record.event.callId);
          for (const effect of effects) if (effect.type === 'callTool') called.set(effect.callId, { name: effect.name, key: effect.idempotencyKey });
        });
        for (const [timerId, count] of fired) if (count > 1) add('timer', `timer ${timerId} fired ${count} times`);
        // The healed world ran for minutes: a timer still armed for a moment long past never fired.
        for (const timer of session.snapshot.timers) {
          if (timer.deadline < clock.now - 5000) add('timer', `timer ${timer.id} was due ${Math.round((clock.now - timer.deadline) / 1000)} s ago and never fired`);
        }
        const ran = new Set(network.toolRuns.filter((run) => run.committed).map((run) => `${run.sessionId} ${run.key}`));
        for (const [callId, call] of called) {
          if (results.has(callId) && !ran.has(`${session.sessionId} ${call.key}`)) add('refused', `the ${call.name} call ${callId} has a result, but no run of key ${call.key} did its work`);
          if (finished.has(callId)) continue;
          add('lost', `the ${call.name} call ${callId} (key ${call.key}) never finished`);
        }
      }
    }
  }
  return violations;
}

/** The fold of the journal from the session's base snapshot (the initial one, or where a storage fallback or an upgrade moved it). */
function replayFrom(flow: LoadedFlow, journal: JournalRecord[], session: SessionRecord): { snapshot: Snapshot; effects: Effect[][] } {
  let snapshot = session.base;
  const effects: Effect[][] = [];
  for (const record of journal) {
    const result = step(flow, snapshot, record.event, record.env);
    snapshot = result.snapshot;
    effects.push(result.effects);
  }
  return { snapshot, effects };
}

interface Stored {
  session: SessionRecord | undefined;
  journal: JournalRecord[];
  flow: Flow | undefined;
}

async function readStored(): Promise<Stored> {
  const database = await openDB('statechat-chaos');
  try {
    const sessions = (await database.getAll('sessions')) as SessionRecord[];
    const session = sessions[0];
    if (!session) return { session: undefined, journal: [], flow: undefined };
    const journal = ((await database.getAll('journal')) as JournalRecord[]).filter((record) => record.namespace === session.namespace);
    const flowRecord = (await database.get('flows', pinnedFlowKey(session.flow.id, session.flow.version))) as { definition: Flow } | undefined;
    return { session, journal, flow: flowRecord?.definition };
  } finally {
    database.close();
  }
}
