/**
 * The conversation around a message, as the widget reports it with
 * `POST /v1/classify` (`context: { slot, filled, lastBotMessage }`), checked
 * against the relay's own copy of the flow: slot names the flow does not
 * have are dropped, and no slot value is ever accepted, only names.
 */
import type { LoadedFlow } from '../../flows/index.ts';
import { RelayError } from '../errors.ts';
import type { JsonRecord } from '../middleware/json-body.ts';

/** What the LLM is told besides the message: the question asked, what is already known (names only), the bot's last words. */
export interface ClassifyContext {
  slot: string | null;
  filled: string[];
  lastBotMessage: string | null;
}

export const MAX_BOT_MESSAGE_LENGTH = 1000;
const MAX_FILLED = 50;

function isRecord(value: unknown): value is JsonRecord {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/** Reads `body.context`; a malformed one is a 400 with the field named. */
export function readClassifyContext(body: JsonRecord, flow: LoadedFlow): ClassifyContext {
  const raw = body.context;
  const empty: ClassifyContext = { slot: null, filled: [], lastBotMessage: null };
  if (raw === undefined || raw === null) return empty;
  const bad = (message: string): never => {
    throw new RelayError(400, 'bad_request', message);
  };
  if (!isRecord(raw)) return bad('"context" must be an object.');
  const { slot, filled, lastBotMessage } = raw;
  if (slot !== undefined && slot !== null && typeof slot !== 'string') bad('"context.slot" must be a slot name or null.');
  if (filled !== undefined && (!Array.isArray(filled) || filled.length > MAX_FILLED || !filled.every((name) => typeof name === 'string'))) {
    bad(`"context.filled" must be a list of at most ${MAX_FILLED} slot names.`);
  }
  if (lastBotMessage !== undefined && lastBotMessage !== null && (typeof lastBotMessage !== 'string' || lastBotMessage.length > MAX_BOT_MESSAGE_LENGTH)) {
    bad(`"context.lastBotMessage" must be a string of at most ${MAX_BOT_MESSAGE_LENGTH} characters.`);
  }
  const known = (name: unknown): name is string => typeof name === 'string' && Object.hasOwn(flow.slots, name);
  return {
    slot: known(slot) ? slot : null,
    filled: [...new Set(((filled as unknown[] | undefined) ?? []).filter(known))].sort(),
    lastBotMessage: typeof lastBotMessage === 'string' && lastBotMessage.trim() !== '' ? lastBotMessage : null,
  };
}

/**
 * The context as the LLM reads it, in a system message of its own (the flow's
 * system message stays cached per state). `lastBotMessage` must already be
 * masked.
 */
export function describeContext(context: ClassifyContext): string | null {
  const lines: string[] = [];
  if (context.lastBotMessage !== null) lines.push(`The assistant's last message was: ${JSON.stringify(context.lastBotMessage)}`);
  if (context.slot !== null) lines.push(`It asked for the slot "${context.slot}": a short reply ("6", "the 8th") most likely answers it.`);
  if (context.filled.length > 0) lines.push(`Already known (values withheld): ${context.filled.join(', ')}. A new value for one of them is a correction.`);
  return lines.length === 0 ? null : `Conversation so far:\n${lines.join('\n')}`;
}
