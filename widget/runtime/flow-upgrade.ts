/**
 * A newer version of the flow under a conversation (deployed while it goes
 * on, or an inline flow that changed since the last visit): the session
 * moves to it when its state (and every digression's return point) still
 * exists there, once no work is pending; otherwise it starts over with a
 * notice. A chunk of its own: flows seldom change under a conversation.
 */
import type { RuntimeFlow } from '../../flows/compile.ts';
import type { JsonObject } from '../../flows/types.ts';
import type { CreateChatOptions } from '../chat-types.ts';
import type { RelayClient } from '../client/relay-client.ts';
import { isTransient } from '../client/relay-request-error.ts';
import type { Snapshot } from '../engine/types.ts';
import { pinnedFlowKey, type MessageRecord, type SessionRecord, type StoreChange } from '../store/records.ts';
import type { ConversationProofLog } from './conversation-proof.ts';

/** What the upgrade reads and calls on the runtime. */
export interface UpgradeHost {
  session: SessionRecord | null;
  readonly relay: RelayClient | null;
  readonly proof: ConversationProofLog;
  readonly options: CreateChatOptions;
  readonly now: () => number;
  addMessage(message: MessageRecord): void;
  persist(change: StoreChange): Promise<void>;
  fire(name: string, data: JsonObject): void;
  publish(): void;
}

/** The runtime's private steps the upgrade takes. */
export interface UpgradeSteps {
  /** The flow the session runs now. */
  current: RuntimeFlow | null;
  setFlow(flow: RuntimeFlow): void;
  notice(kind: string, text: string, sessionId: string): MessageRecord;
  /** Starts a new session (a new generation) on `flow`, under `notice`. */
  restart(flow: RuntimeFlow, notice: MessageRecord): Promise<void>;
}

/**
 * Moves `host`'s session to `latest`, or starts it over there. Returns
 * `latest` when the move must wait (work pending, or the relay could not be
 * reached to vouch for the conversation so far), else null.
 */
export async function upgradeSession(host: UpgradeHost, steps: UpgradeSteps, session: SessionRecord, latest: RuntimeFlow): Promise<RuntimeFlow | null> {
  const snapshot = session.snapshot;
  const states = latest.definition.states;
  const fits = Object.hasOwn(states, snapshot.state) && snapshot.stack.every((frame) => Object.hasOwn(states, frame.state));
  if (fits && (snapshot.pending !== null || snapshot.queue.length > 0)) return latest;
  // The relay must vouch for the conversation so far: the journal starts afresh on the new version.
  const carried = fits ? await checkpointBeforeUpgrade(host.relay, host.proof, session, steps.current, host.options.timeZone) : 'restart';
  if (carried === 'later' || host.session !== session) return latest;
  if (fits && carried !== 'restart') {
    const moved: Snapshot = { ...snapshot, flowId: latest.id, flowVersion: latest.version };
    const checkpoint = carried === null ? undefined : { token: carried, snapshot: moved };
    host.proof.reset(checkpoint);
    steps.setFlow(latest);
    const notice = steps.notice('flow-updated', 'The assistant was updated; the conversation continues.', session.sessionId);
    notice.order = session.nextOrder;
    host.addMessage(notice);
    host.session = {
      ...session,
      flow: { id: latest.id, version: latest.version, name: latest.definition.meta.name, language: latest.language },
      base: moved,
      snapshot: moved,
      nextOrder: session.nextOrder + 1,
      updatedAt: host.now(),
      ...(checkpoint ? { checkpoint } : {}),
    };
    await host.persist({
      session: host.session,
      clearJournal: true,
      messages: [notice],
      flows: [{ key: pinnedFlowKey(latest.id, latest.version), definition: latest.definition, savedAt: host.now() }],
    });
    host.fire('flow.updated', { flowId: latest.id, from: session.flow.version, to: latest.version, restarted: false });
    host.publish();
    return null;
  }
  host.fire('flow.updated', { flowId: latest.id, from: session.flow.version, to: latest.version, restarted: true });
  await steps.restart(latest, steps.notice('restarted', 'The assistant was updated; the conversation started over.', session.sessionId));
  return null;
}

/**
 * Before a session moves to a new flow version (its journal then starts
 * afresh), the relay vouches for the conversation so far. `null`: nothing to
 * vouch for (no relay, or a flow without tools); `'later'`: the relay could
 * not be reached, upgrade later; `'restart'`: the relay refused (it no longer
 * knows the version, say), so the session starts over on the new version.
 */
export async function checkpointBeforeUpgrade(
  relay: RelayClient | null,
  proof: ConversationProofLog,
  session: SessionRecord,
  flow: RuntimeFlow | null,
  timeZone: string | undefined,
): Promise<string | null | 'later' | 'restart'> {
  if (!relay || !flow || Object.keys(flow.tools).length === 0) return null;
  try {
    const sent = await proof.build(timeZone);
    // Nothing happened since the last checkpoint: it still vouches for the conversation.
    if (sent.entries.length === 0) return sent.checkpoint ?? null;
    return await relay.checkpoint({ flowId: session.flow.id, flowVersion: session.flow.version, sessionId: session.sessionId, proof: sent });
  } catch (error) {
    return isTransient(error) ? 'later' : 'restart';
  }
}
