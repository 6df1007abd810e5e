/**
 * A simulated session as data: which flow and NLU mode, how bad the network
 * is, and what the visitor and the world do, step by step. fast-check
 * generates it from a seed, so a seed replays it exactly and a failing one
 * shrinks (fewer steps, milder faults) to a smaller schedule that still fails.
 */
import fc from 'fast-check';

export type FlowName = 'reservations' | 'order-tracking';

export type Action =
  /** The visitor types phrase `phrase` of the flow's pool in tab `tab` (an index into the open tabs). */
  | { do: 'type'; tab: number; phrase: number; think: number }
  /** Picks quick reply `choice` (modulo those offered), if any. */
  | { do: 'choose'; tab: number; choice: number; think: number }
  /** Presses Retry on a failed message, if one is shown. */
  | { do: 'retry'; tab: number; think: number }
  | { do: 'wait'; think: number }
  /** Reloads the tab: `hard` kills the page mid-work, otherwise the chat is destroyed first (a navigation). */
  | { do: 'reload'; tab: number; hard: boolean; think: number }
  | { do: 'openTab'; think: number }
  | { do: 'closeTab'; tab: number; hard: boolean; think: number }
  /** The network drops for `ms`. */
  | { do: 'offline'; ms: number; think: number }
  | { do: 'restartRelay'; think: number }
  /** The next `count` IndexedDB writes fail (aborted transaction or full disk), or the next `count` reads (an aborted transaction). */
  | { do: 'storageFault'; kind: 'abort' | 'quota' | 'read'; count: number; think: number };

export interface Plan {
  flow: FlowName;
  nlu: 'hybrid' | 'relay' | 'local';
  /** Per mille, so they shrink towards a calm network. */
  faults: {
    latencyMs: number;
    dropBefore: number;
    dropAfter: number;
    duplicate: number;
    proxyError: number;
    refuse: number;
    slowTool: number;
    slowAfterEffect: number;
  };
  channelDelayMs: number;
  /** Seeds the dice thrown while the session runs (latencies, which request fails, ids). */
  dice: number;
  actions: Action[];
}

/** How long the visitor waits after a step: mostly a moment, sometimes long enough for retries and timers. */
const think = fc.oneof(
  { weight: 6, arbitrary: fc.integer({ min: 0, max: 1500 }) },
  { weight: 3, arbitrary: fc.integer({ min: 1500, max: 12_000 }) },
  { weight: 1, arbitrary: fc.integer({ min: 12_000, max: 200_000 }) },
);
const tab = fc.nat({ max: 5 });

const action: fc.Arbitrary<Action> = fc.oneof(
  { weight: 12, arbitrary: fc.record({ do: fc.constant('type' as const), tab, phrase: fc.nat({ max: 63 }), think }) },
  { weight: 5, arbitrary: fc.record({ do: fc.constant('choose' as const), tab, choice: fc.nat({ max: 5 }), think }) },
  { weight: 2, arbitrary: fc.record({ do: fc.constant('retry' as const), tab, think }) },
  { weight: 3, arbitrary: fc.record({ do: fc.constant('wait' as const), think }) },
  { weight: 2, arbitrary: fc.record({ do: fc.constant('reload' as const), tab, hard: fc.boolean(), think }) },
  { weight: 1, arbitrary: fc.record({ do: fc.constant('openTab' as const), think }) },
  { weight: 1, arbitrary: fc.record({ do: fc.constant('closeTab' as const), tab, hard: fc.boolean(), think }) },
  { weight: 2, arbitrary: fc.record({ do: fc.constant('offline' as const), ms: fc.integer({ min: 100, max: 60_000 }), think }) },
  { weight: 1, arbitrary: fc.record({ do: fc.constant('restartRelay' as const), think }) },
  {
    weight: 1,
    arbitrary: fc.record({ do: fc.constant('storageFault' as const), kind: fc.constantFrom('abort' as const, 'quota' as const, 'read' as const), count: fc.integer({ min: 1, max: 2 }), think }),
  },
);

const perMille = (max: number): fc.Arbitrary<number> => fc.integer({ min: 0, max });

export const planArbitrary: fc.Arbitrary<Plan> = fc.record({
  flow: fc.constantFrom<FlowName>('reservations', 'order-tracking'),
  nlu: fc.constantFrom('hybrid' as const, 'relay' as const, 'local' as const),
  faults: fc.record({
    latencyMs: fc.integer({ min: 1, max: 3000 }),
    dropBefore: perMille(150),
    dropAfter: perMille(150),
    duplicate: perMille(150),
    proxyError: perMille(150),
    refuse: perMille(60),
    slowTool: perMille(200),
    slowAfterEffect: perMille(200),
  }),
  channelDelayMs: fc.integer({ min: 0, max: 50 }),
  dice: fc.nat(),
  actions: fc.array(action, { minLength: 1, maxLength: 40 }),
});

/** The plan fast-check draws first for `seed` (the same one `fc.check` starts from). */
export function planFor(seed: number): Plan {
  const [plan] = fc.sample(planArbitrary, { seed, numRuns: 1 });
  if (!plan) throw new Error(`no plan for seed ${seed}`);
  return plan;
}

/**
 * Phrases that move a conversation towards its tools (a booking with its
 * availability check; an order look-up): a visitor with a goal. A quarter of
 * typed messages come from here, so most sessions reach a tool call.
 */
export const GOALS: Record<FlowName, readonly string[]> = {
  reservations: ['table for 4 tomorrow at 7pm', 'My name is John Doe, phone 555-1234', 'yes'],
  'order-tracking': ['track AB-123456 for ana@example.com', 'where is my order ab-123456? my email is ana@example.com'],
};

/** The phrase a `type` step means: `phrase` picks from the goals one time in four, else from the whole pool. */
export function phraseFor(flow: FlowName, phrase: number): string {
  const goals = GOALS[flow];
  if (phrase % 4 === 0) return goals[(phrase >> 2) % goals.length] as string;
  return PHRASES[flow][phrase % PHRASES[flow].length] as string;
}

/** The visitor's phrases per flow: answers to the questions, corrections, digressions, noise. */
export const PHRASES: Record<FlowName, readonly string[]> = {
  reservations: [
    "I'd like to book a table",
    'I want to make a reservation',
    'We are 4 people',
    'we are 2',
    'table for 4 tomorrow at 7pm',
    'Tomorrow at 7pm',
    'saturday at 8pm',
    'friday at 1pm',
    'My name is John Doe, phone 555-1234',
    'Ana, 07700 900123',
    'Bea',
    '+44 20 7946 0958',
    'yes',
    'no',
    'actually make it 6',
    'book for 13 people',
    'what are your opening hours?',
    'do you have vegetarian options?',
    'can I talk to someone?',
    'forget it',
    'thanks',
    'hello',
    'blorp',
    '???',
  ],
  'order-tracking': [
    'where is my order?',
    'track my parcel',
    'AB-123456',
    "it's CD-654321",
    'EF-112233',
    'ana@example.com',
    'ana@example.org',
    'track AB-123456 for ana@example.com',
    'where is my order ab-123456? my email is ana@example.com',
    'it still hasn\'t arrived',
    'yes',
    'no',
    'no idea',
    'how does this work',
    'thanks',
    'bye',
    '12345',
    'zzz',
  ],
};
