/**
 * When a flow's handoff becomes a live one, and when it stops being one:
 * pure rules over the session record, in the main bundle (small); the work
 * itself is in `live-handoff.ts`, loaded only when a handoff happens.
 */
import type { ChatState } from '../chat-types.ts';
import type { Effect, EngineEvent, Snapshot } from '../engine/types.ts';
import type { LiveHandoffRecord, SessionRecord } from '../store/records.ts';

type Handoff = SessionRecord['handoff'];

/** A person is awaited or there: the visitor's messages go to them. */
export function liveOpen(handoff: Handoff): LiveHandoffRecord | null {
  const live = handoff?.live;
  return live && (live.status === 'opening' || live.status === 'waiting' || live.status === 'active') ? live : null;
}

/** The live handoff has work to do with the relay (open, stream, send, leave). */
export function liveBusy(handoff: Handoff): boolean {
  return liveOpen(handoff) !== null || handoff?.live?.status === 'leaving';
}

/**
 * The session's handoff after one step. A `handoff` effect starts a live one
 * (with a relay: `newSecret`), keyed by its place in the journal; the
 * handoff then follows the flow through `handoff.*` events (accepted → a
 * state for talking with the person), and is withdrawn when the flow leaves
 * its state any other way (its `after` timeout).
 */
export function nextHandoff(previous: Handoff, effects: readonly Effect[], snapshot: Snapshot, event: EngineEvent, newSecret: (() => string) | null): Handoff {
  const state = snapshot.state;
  const effect = effects.findLast((candidate) => candidate.type === 'handoff');
  if (effect?.type === 'handoff') {
    const started = { reason: effect.reason, queue: effect.queue };
    return newSecret ? { ...started, live: { status: 'opening', key: `${snapshot.seq}`, visitorKey: newSecret(), id: null, agent: null, lastEventId: 0, state } } : started;
  }
  const live = previous?.live;
  if (!previous || !live || state === live.state || !liveOpen(previous)) return previous;
  const followed = event.type === 'host.event' && event.name.startsWith('handoff.');
  return { ...previous, live: { ...live, state, ...(followed ? {} : { status: 'leaving' }) } };
}

/** What the page sees of it (no secrets). */
export function publicHandoff(handoff: Handoff): ChatState['handoff'] {
  if (!handoff) return null;
  const live = handoff.live;
  return { reason: handoff.reason, queue: handoff.queue, ...(live ? { status: live.status, agent: live.agent } : {}) };
}
