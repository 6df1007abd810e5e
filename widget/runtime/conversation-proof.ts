/**
 * What a tool call shows the relay: the journal since the relay's last
 * checkpoint (or since `session.start`), each relay answer with the relay's
 * signature. The relay replays it with its own copy of the flow and runs the
 * tool only if the replay calls it; a verified call returns a new checkpoint
 * (with the snapshot the replay reached), so later calls carry only what
 * follows it.
 *
 * Entries are kept in memory as they are written and read back from the
 * store's journal after a reload (lazily: a restore that calls no tool reads
 * nothing). The checkpoint lives on the session record.
 */
import type { ConversationProof, ProofEntry } from '../client/relay-client.ts';
import type { Snapshot } from '../engine/types.ts';
import type { JournalRecord } from '../store/records.ts';

/** The relay's signed word for the conversation up to `snapshot` (it returns both with a verified call). */
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

  /** A new session (no checkpoint), or one moved to a new flow version at `checkpoint`: nothing recorded since. */
  reset(checkpoint?: Checkpoint): void {
    this.restore(checkpoint, undefined);
  }

  /** A restored session: the checkpoint on its record, the rest from the journal when first needed. */
  restore(checkpoint: Checkpoint | undefined, readJournal: (() => Promise<JournalRecord[]>) | undefined): void {
    this.#checkpoint = checkpoint;
    this.#entries = [];
    this.#unread = readJournal;
  }

  get checkpoint(): Checkpoint | undefined {
    return this.#checkpoint;
  }

  /** A journal entry as written (its store namespace goes along; the relay ignores it). */
  record(entry: JournalRecord): void {
    this.#entries.push(entry);
  }

  /** The proof for a call made now: every step since the checkpoint (the relay's replay must end waiting for the call). */
  async build(timeZone: string | undefined): Promise<ConversationProof> {
    const read = this.#unread;
    this.#unread = undefined;
    if (read) {
      const stored = await read();
      const lastStored = stored[stored.length - 1]?.seq ?? Number.NEGATIVE_INFINITY;
      this.#entries = [...stored, ...this.#entries.filter((entry) => entry.seq > lastStored)];
    }
    const after = this.#checkpoint?.snapshot.seq ?? 0;
    const proof: ConversationProof = { entries: this.#entries.filter((entry) => entry.seq > after) };
    if (this.#checkpoint) {
      proof.checkpoint = this.#checkpoint.token;
      proof.snapshot = this.#checkpoint.snapshot;
    }
    if (timeZone !== undefined) proof.timeZone = timeZone;
    return proof;
  }

  /** The relay vouched for the conversation up to its checkpoint: what it covers is no longer sent. */
  accept(checkpoint: Checkpoint): void {
    this.#checkpoint = checkpoint;
    this.#entries = this.#entries.filter((entry) => entry.seq > checkpoint.snapshot.seq);
  }
}
