import type { Flow } from '../../../flows/index.ts';
import { EventStreamParser, readEventStream, type ServerSentEvent } from '../../../widget/handoff/sse.ts';
import { restaurantFlow } from '../fixtures.ts';

export const AGENT_TOKEN = 'agent-token-for-tests-0123456789';
export const VISITOR_KEY = 'visitor-key-abcdefghijklmnopqrstuvwxyz012345';

/** The test restaurant with a handoff that waits: joined, closed, or no one in time. */
export function handoffFlow(): Flow {
  const flow = restaurantFlow();
  return {
    ...flow,
    meta: { ...flow.meta, id: 'handoff-restaurant' },
    intents: { ...flow.intents, HUMAN: { examples: ['talk to a person', 'a human please', 'speak to staff'] } },
    states: {
      ...flow.states,
      Start: {
        ...flow.states.Start,
        // A "talk to staff" button on the page sends `staff.requested`.
        transitions: [...(flow.states.Start?.transitions ?? []), { onIntent: ['HUMAN'], to: 'Waiting' }, { onEvent: 'staff.requested', to: 'Waiting' }],
      },
      Waiting: {
        onEnter: [{ handoff: { reason: 'visitor asked for a person', queue: 'front-desk', message: 'Connecting you with our staff.' } }],
        transitions: [
          { onEvent: 'handoff.accepted', to: 'WithAgent' },
          { onEvent: 'handoff.closed', to: 'Closed' },
        ],
        after: [{ ms: 60_000, do: [{ say: 'Nobody is free right now. Call us on 020 7946 0000.' }], to: 'Start' }],
      },
      WithAgent: {
        transitions: [
          { onEvent: 'handoff.closed', to: 'Closed' },
          { onEvent: 'booking.resume', to: 'Collect' },
        ],
      },
      Closed: { onEnter: [{ say: 'Thanks for chatting with us.' }], final: true },
    },
  };
}

/**
 * The journal a widget sends to show its flow handed off: the session starts
 * and the page's button asks for staff, so the handoff is the step at
 * position 2 (the handoff's key).
 */
export function handoffProof(sessionId: string, at = Date.now()) {
  return {
    entries: [
      { seq: 1, event: { type: 'session.start', sessionId }, env: { now: at } },
      { seq: 2, event: { type: 'host.event', name: 'staff.requested' }, env: { now: at } },
    ],
  };
}

export function openBody(overrides: Record<string, unknown> = {}) {
  const sessionId = typeof overrides.sessionId === 'string' ? overrides.sessionId : 'session-1';
  return {
    flowId: 'handoff-restaurant',
    sessionId,
    key: '2',
    proof: handoffProof(sessionId, 0),
    visitorKey: VISITOR_KEY,
    reason: 'visitor asked for a person',
    queue: 'front-desk',
    transcript: [
      { role: 'bot', text: 'How can I help?', at: 1 },
      { role: 'visitor', text: 'talk to a person, I am ann@example.com', at: 2 },
    ],
    ...overrides,
  };
}

/** Reads SSE events from a response until `until` holds (or the stream ends), within `timeoutMs`. */
export async function collectEvents(response: Response, until: (events: ServerSentEvent[]) => boolean, timeoutMs = 5000): Promise<ServerSentEvent[]> {
  const events: ServerSentEvent[] = [];
  const controller = new AbortController();
  const parser = new EventStreamParser((event) => {
    events.push(event);
    if (until(events)) controller.abort();
  });
  const timer = setTimeout(() => controller.abort(), timeoutMs);
  try {
    await readEventStream(response.body as ReadableStream<Uint8Array>, parser, controller.signal);
  } catch {
    // Cancelled by `until` or the timeout.
  } finally {
    clearTimeout(timer);
  }
  return events;
}
