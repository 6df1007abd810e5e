/**
 * What a tool call shows the relay: the journal since the relay's last
 * checkpoint (or since `session.start`), each relay answer with the relay's
 * signature. The relay replays it with its own copy of the flow and runs the
 * tool only if the replay calls it; a verified call returns a new checkpoint,
 * so later calls carry only what follows it.
 *
 * Entries are kept in memory as they are written and read back from the
 * store's journal after a reload (lazily: a restore that calls no tool reads
 * nothing). The checkpoint lives on the session record.
 */
import type { LoadedFlow } from '../../flows/compile.ts';
import type { ConversationProof, ProofEntry, RelayClient } from '../client/relay-client.ts';
import { isTransient } from '../client/relay-request-error.ts';
import { replay } from '../engine/replay.ts';
import { initialSnapshot } from '../engine/step.ts';
import type { Snapshot } from '../engine/types.ts';
import type { JournalRecord, SessionRecord } from '../store/records.ts';

export interface Checkpoint {
  token: string;
  snapshot: Snapshot;
}

export class ConversationProofLog {
  #checkpoint: Checkpoint | undefined;
  /** Entries after the checkpoint (or from the start), in order. */
  #entries: ProofEntry[] = [];
  /** A reader of the stored journal, until it has been read once. */
  #unread: (() => Promise<JournalRecord[]>) | undefined;

  /** A new session: no checkpoint, nothing recorded. */
  reset(checkpoint?: Checkpoint): void {
    this.#checkpoint = checkpoint;
    this.#entries = [];
    this.#unread = undefined;
  }

  /** A restored session: the checkpoint on its record, the rest from the journal when first needed. */
  restore(checkpoint: Checkpoint | undefined, readJournal: () => Promise<JournalRecord[]>): void {
    this.#checkpoint = checkpoint;
    this.#entries = [];
    this.#unread = readJournal;
  }

  get checkpoint(): Checkpoint | undefined {
    return this.#checkpoint;
  }

  record(entry: JournalRecord): void {
    this.#entries.push(toEntry(entry));
  }

  async #load(): Promise<void> {
    const read = this.#unread;
    if (!read) return;
    this.#unread = undefined;
    const stored = (await read()).map(toEntry);
    const lastStored = stored.length > 0 ? (stored[stored.length - 1] as ProofEntry).seq : Number.NEGATIVE_INFINITY;
    this.#entries = [...stored, ...this.#entries.filter((entry) => entry.seq > lastStored)];
  }

  /** The proof for a call made by the step at `seq` (what came later is not part of it). */
  async build(seq: number, timeZone: string | undefined): Promise<ConversationProof> {
    await this.#load();
    const after = this.#checkpoint?.snapshot.seq ?? 0;
    const entries = this.#entries.filter((entry) => entry.seq > after && entry.seq <= seq);
    const proof: ConversationProof = { entries };
    if (this.#checkpoint) {
      proof.checkpoint = this.#checkpoint.token;
      proof.snapshot = this.#checkpoint.snapshot;
    }
    if (timeZone !== undefined) proof.timeZone = timeZone;
    return proof;
  }

  /**
   * The relay vouched for the conversation up to `seq`: the snapshot there
   * is rebuilt by the same replay the relay ran, and entries up to it are no
   * longer sent.
   */
  async accept(token: string, seq: number, flow: LoadedFlow): Promise<Checkpoint> {
    await this.#load();
    const base = this.#checkpoint?.snapshot ?? initialSnapshot(flow);
    const covered = this.#entries.filter((entry) => entry.seq > base.seq && entry.seq <= seq);
    const snapshot = replay(flow, covered, base);
    this.#checkpoint = { token, snapshot };
    this.#entries = this.#entries.filter((entry) => entry.seq > seq);
    return this.#checkpoint;
  }

  /** Moves the checkpoint onto a new flow version (the relay accepts the same snapshot under the version it moved to). */
  upgrade(token: string, moved: Snapshot): Checkpoint {
    this.#checkpoint = { token, snapshot: moved };
    this.#entries = this.#entries.filter((entry) => entry.seq > moved.seq);
    this.#unread = undefined;
    return this.#checkpoint;
  }
}

function toEntry({ namespace: _namespace, ...entry }: JournalRecord): ProofEntry {
  return entry;
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
  flow: LoadedFlow | null,
  timeZone: string | undefined,
): Promise<string | null | 'later' | 'restart'> {
  if (!relay || !flow || Object.keys(flow.tools).length === 0) return null;
  try {
    const sent = await proof.build(session.snapshot.seq, timeZone);
    // Nothing happened since the last checkpoint: it still vouches for the conversation.
    if (sent.entries.length === 0) return sent.checkpoint ?? null;
    return await relay.checkpoint({ flowId: session.flow.id, flowVersion: session.flow.version, sessionId: session.sessionId, proof: sent });
  } catch (error) {
    return isTransient(error) ? 'later' : 'restart';
  }
}
