/**
 * What the visitor is told about the engine's outstanding work: `busy` (the
 * typing indicator) and `queued` (requests waiting for the network).
 *
 * A classification that failed for good stays pending in the engine, so that
 * `retry(id)` can send it again, and its record stays in the outbox with
 * `failed` set. Nothing is being worked on any more: it is neither busy nor
 * queued until the visitor retries.
 */
import type { Snapshot } from '../engine/types.ts';
import type { MessageRecord, OutboxRecord } from '../store/records.ts';

/** Outbox records still waiting to be sent (a permanently failed classification is not). */
export function queuedWork(outbox: Iterable<OutboxRecord>): number {
  let count = 0;
  for (const record of outbox) if (record.kind !== 'classify' || record.failed === undefined) count += 1;
  return count;
}

/**
 * True while the engine waits for a classification or a tool that is still
 * under way; false once the classification it waits for has failed for good
 * (its outbox record or its message says so).
 */
export function isBusy(snapshot: Snapshot | undefined, outbox: ReadonlyMap<string, OutboxRecord>, messages: readonly MessageRecord[]): boolean {
  const pending = snapshot?.pending;
  if (!pending) return false;
  if (pending.kind !== 'classify') return true;
  const record = outbox.get(pending.requestId);
  if (record?.kind === 'classify' && record.failed !== undefined) return false;
  for (let index = messages.length - 1; index >= 0; index -= 1) {
    const message = messages[index] as MessageRecord;
    if (message.requestId === pending.requestId) return message.status !== 'failed';
  }
  return true;
}
