/**
 * The transcript beside the engine: bot messages from `say`/`ask` effects,
 * notices, and the status of each visitor message, derived from where its
 * input is in the engine (queued, being classified, handled).
 */
import type { ChatMessage, MessageStatus } from '../chat-types.ts';
import type { Effect, RenderedCard, Snapshot } from '../engine/types.ts';
import type { MessageRecord } from '../store/records.ts';

export function publicMessage(record: MessageRecord): ChatMessage {
  const message: ChatMessage = { id: record.id, role: record.role, text: record.text, at: record.at };
  if (record.status !== undefined) message.status = record.status;
  if (record.error !== undefined) message.error = { ...record.error };
  if (record.choices !== undefined) message.choices = record.choices.map((choice) => ({ ...choice }));
  if (record.card !== undefined) message.card = copyCard(record.card);
  if (record.notice !== undefined) message.notice = record.notice;
  if (record.author !== undefined) message.author = record.author;
  return message;
}

function copyCard(card: RenderedCard): RenderedCard {
  return { ...card, fields: card.fields.map((field) => ({ ...field })), buttons: card.buttons.map((button) => ({ ...button })) };
}

/** Bot messages and notices for one step's effects. */
export function messagesFromEffects(
  effects: readonly Effect[],
  context: { namespace: string; sessionId: string; at: number; nextOrder: number },
): MessageRecord[] {
  const records: MessageRecord[] = [];
  let order = context.nextOrder;
  const base = { namespace: context.namespace, at: context.at };
  // A handoff's notice (a status line) follows what the bot says in the same step, its "connecting you" included.
  const ordered = [...effects.filter((effect) => effect.type !== 'handoff'), ...effects.filter((effect) => effect.type === 'handoff')];
  for (const effect of ordered) {
    if (effect.type === 'say') {
      records.push({ ...base, id: `${context.sessionId}:${effect.id}`, role: 'bot', text: effect.text, ...(effect.card ? { card: copyCard(effect.card) } : {}), order: order++ });
    } else if (effect.type === 'ask') {
      records.push({ ...base, id: `${context.sessionId}:${effect.id}`, role: 'bot', text: effect.text, choices: effect.choices, order: order++ });
    } else if (effect.type === 'handoff') {
      records.push({
        ...base,
        id: `${context.sessionId}:handoff:${order}`,
        role: 'notice',
        notice: 'handoff',
        text: effect.reason ? `Handed over to a person (${effect.reason}).` : 'Handed over to a person.',
        order: order++,
      });
    }
  }
  return records;
}

const RANK: Record<MessageStatus, number> = { pending: 0, queued: 0, sent: 1, answered: 2, failed: 1 };

function countUserInputs(snapshot: Snapshot): number {
  let count = 0;
  for (const input of snapshot.queue) if (input.type !== 'host.event') count += 1;
  return count;
}

/**
 * Re-derives the statuses of visitor messages not yet answered. The engine
 * handles input in order, so of the open messages the last `queued` are
 * still in its queue, the one before them may be the one being classified
 * (or waiting for the tool its answer started), and the rest are answered.
 * Returns the records that changed.
 */
export function settleStatuses(messages: readonly MessageRecord[], snapshot: Snapshot): MessageRecord[] {
  // Messages to the person of a live handoff are not the flow's: their status is the handoff's to set.
  const open = messages.filter((message) => message.role === 'user' && message.toAgent === undefined && message.status !== 'answered' && message.error?.code !== 'dropped');
  const queued = Math.min(countUserInputs(snapshot), open.length);
  const consumed = open.slice(0, open.length - queued);
  const changed = new Set<MessageRecord>();
  const set = (message: MessageRecord, status: MessageStatus): void => {
    if (message.status === status) return;
    // Never backwards, except that answered clears a failure.
    if (message.status !== undefined && RANK[status] < RANK[message.status] && message.status !== 'failed') return;
    message.status = status;
    if (status !== 'failed') delete message.error;
    changed.add(message);
  };
  for (const message of open.slice(open.length - queued)) {
    if (message.status !== 'failed') set(message, 'pending');
  }
  const last = consumed[consumed.length - 1];
  const pending = snapshot.pending;
  if (last && pending?.kind === 'classify' && last.requestId !== pending.requestId) {
    last.requestId = pending.requestId;
    changed.add(last);
  }
  for (const message of consumed) {
    if (message === last && pending?.kind === 'classify') continue;
    if (message === last && pending?.kind === 'tool') {
      // A queued message stays queued until its tool call is under way (the runtime says when).
      if (message.status !== 'failed' && message.status !== 'queued') set(message, 'sent');
      continue;
    }
    set(message, 'answered');
  }
  return [...changed];
}
