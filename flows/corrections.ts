/**
 * Corrections: a value for a slot that is already filled ("actually make it
 * 6") changes it from a later state. The value is re-checked, and the flow's
 * routes that depend on it judged again, by going back to the state that
 * asks for the slot: its question is skipped (the slot is filled), its checks
 * run, and its transitions route as they did the first time.
 */
import type { RuntimeFlow } from './compile.ts';
import type { JsonObject } from './types.ts';

const owners = new WeakMap<RuntimeFlow, Map<string, string | null>>();

/** The first state, in the flow's order, whose `collect` asks for the slot. */
export function ownerState(flow: RuntimeFlow, slot: string): string | null {
  let cache = owners.get(flow);
  if (!cache) {
    cache = new Map();
    owners.set(flow, cache);
  }
  let owner = cache.get(slot);
  if (owner === undefined) {
    owner = Object.entries(flow.definition.states).find(([, state]) => (state.collect ?? []).some((item) => item.slot === slot))?.[0] ?? null;
    cache.set(slot, owner);
  }
  return owner;
}

/**
 * Free-text types: a short reply ("go ahead") reads as a name, so they are
 * corrected only when the flow says so (`"correctable": true`).
 */
const FREE_TEXT_TYPES = new Set(['name', 'string']);

/**
 * Whether `slot` may be corrected in `state`: the slot's `correctable`
 * (default true, false for names and free text) and the state's
 * `corrections` (default true, false in final states) both allow it, and
 * some state asks for the slot.
 */
export function correctableIn(flow: RuntimeFlow, slot: string, state: string): boolean {
  const definition = flow.definition.states[state];
  if (!definition || !Object.hasOwn(flow.definition.states, state)) return false;
  if (definition.corrections === false || (definition.corrections === undefined && definition.final === true)) return false;
  const slotSpec = flow.slots[slot];
  const correctable = slotSpec?.correctable ?? !FREE_TEXT_TYPES.has(slotSpec?.type ?? 'string');
  if (correctable === false) return false;
  if (Array.isArray(correctable) && !correctable.includes(state)) return false;
  const owner = ownerState(flow, slot);
  return owner !== null && owner !== state;
}

/** The intents (of `allowed`) that carry a slot: an answer to the slot's question reads as one of them. */
export function intentsCarrying(flow: RuntimeFlow, slot: string, allowed: readonly string[]): string[] {
  return allowed.filter((intent) => Object.hasOwn(flow.definition.intents[intent]?.slots ?? {}, slot));
}

/** The filled slots a message in `state` may correct. */
export function correctableSlots(flow: RuntimeFlow, state: string, filled: JsonObject): string[] {
  return Object.keys(filled).filter((slot) => correctableIn(flow, slot, state));
}
