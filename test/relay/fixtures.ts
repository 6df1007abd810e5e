import type { Flow } from '../../flows/index.ts';
import type { ToolImplementations } from '../../relay/index.ts';

/** Arguments per tool of the restaurant fixture, for the host events that call them. */
const TOOL_ARGS: Record<string, string[]> = {
  CheckAvailability: ['date', 'time', 'partySize'],
  CreateBooking: ['date', 'time', 'partySize', 'name', 'phone'],
  SlowTool: ['value'],
  ThrowingTool: [],
  BadResultTool: [],
  MismatchedTool: [],
  UnimplementedTool: [],
};

/**
 * A page event per tool (`call.CreateBooking` with the arguments as data):
 * the fixture's way for a conversation to reach each tool, so the relay's
 * tests of tool running make calls the relay's replay verifies.
 */
const TOOL_TRIGGERS = Object.entries(TOOL_ARGS).map(([tool, names]) => ({
  onEvent: `call.${tool}`,
  do: [{ call: tool, args: Object.fromEntries(names.map((name) => [name, `{{event.${name}}}`])) }],
}));

/** A small restaurant flow in the flow language, for the relay's tests. */
export function restaurantFlow(): Flow {
  return {
    meta: {
      name: 'Test Restaurant',
      id: 'restaurant',
      version: '1.0.0',
      language: 'en-US',
      timeZone: 'Europe/London',
      domains: ['reservations'],
      nlu: { threshold: 0.5 },
    },
    start: 'Start',
    slots: {
      partySize: { type: 'integer', min: 1, max: 20 },
      date: 'date',
      time: 'time',
      name: { type: 'name', pii: true },
      phone: { type: 'phone', pii: true },
      email: { type: 'email', pii: true },
    },
    intents: {
      BOOK: {
        examples: ['I want to book a table', 'reserve a table for dinner', 'can I make a reservation', 'book a table for four'],
        slots: { partySize: 'integer', date: 'date', time: 'time' },
      },
      HOURS: {
        examples: ['what are your opening hours', 'when are you open', 'what time do you close'],
      },
      CONTACT: {
        examples: ['my email is', 'contact me by email', 'send the confirmation to my email'],
        slots: { email: 'email' },
      },
      HELP: { examples: ['help', 'I need help', 'talk to a human'] },
    },
    tools: {
      CheckAvailability: {
        domain: 'reservations',
        args: { date: 'string', time: 'string', partySize: 'integer' },
        result: { ok: 'boolean' },
        timeout_ms: 200,
        retries: 2,
      },
      CreateBooking: {
        domain: 'reservations',
        args: { date: 'string', time: 'string', partySize: 'integer', name: 'string', phone: 'string' },
        result: { bookingId: 'string' },
        timeout_ms: 500,
        pii: ['name', 'phone'],
      },
      SlowTool: { domain: 'reservations', args: { value: 'string' }, timeout_ms: 50, retries: 1 },
      ThrowingTool: { domain: 'reservations', args: {}, timeout_ms: 200, retries: 2 },
      BadResultTool: { domain: 'reservations', args: {}, result: { ok: 'boolean' } },
      NoDomainTool: { args: {} },
      MismatchedTool: { domain: 'reservations', args: {} },
      UnimplementedTool: { domain: 'reservations', args: {} },
    },
    global: [{ onIntent: ['HELP'], do: [{ say: 'I can book tables.' }], digress: true }, ...TOOL_TRIGGERS],
    states: {
      Start: {
        onEnter: [{ ask: 'How can I help?' }],
        transitions: [
          { onIntent: ['BOOK'], to: 'Collect' },
          { onIntent: ['HOURS'], do: [{ say: 'We open at noon.' }], to: 'Start' },
          { onIntent: ['CONTACT'], to: 'Done' },
        ],
      },
      Collect: {
        collect: [
          { slot: 'partySize', ask: 'How many people?' },
          { slot: 'date', ask: 'Which day?' },
          { slot: 'time', ask: 'What time?' },
        ],
        transitions: [{ to: 'Done' }],
      },
      Done: { onEnter: [{ say: 'Bye.' }], final: true },
    },
  };
}

/** A flow that declares no domains, and so may use no tools. */
export function noDomainFlow(): Flow {
  const { domains: _domains, ...meta } = restaurantFlow().meta;
  const flow = restaurantFlow();
  return { ...flow, meta: { ...meta, id: 'no-domains' }, tools: { NoDomainTool: { args: {} } }, global: [] };
}

/** A flow in another domain, whose tool the restaurant flow must not reach. */
export function shopFlow(): Flow {
  const flow = restaurantFlow();
  return {
    ...flow,
    meta: { ...flow.meta, id: 'shop', domains: ['orders'] },
    tools: { LookupOrder: { domain: 'orders', args: { orderId: 'string', email: 'string' }, pii: ['email'] } },
    global: [{ onEvent: 'call.LookupOrder', do: [{ call: 'LookupOrder', args: { orderId: '{{event.orderId}}', email: '{{event.email}}' } }] }],
  };
}

export interface ToolCounters {
  checkAvailability: number;
  createBooking: number;
  throwing: number;
}

export function testTools(counters: ToolCounters, options: { slowMs?: number } = {}): ToolImplementations {
  return {
    CheckAvailability: {
      domain: 'reservations',
      handler: async (args) => {
        counters.checkAvailability++;
        return { ok: args.partySize !== 13 };
      },
    },
    CreateBooking: {
      domain: 'reservations',
      handler: async () => {
        counters.createBooking++;
        await new Promise((resolve) => setTimeout(resolve, options.slowMs ?? 0));
        return { bookingId: `B-${counters.createBooking}` };
      },
    },
    SlowTool: {
      domain: 'reservations',
      handler: (_args, context) =>
        new Promise((resolve, reject) => {
          const timer = setTimeout(() => resolve({ done: true }), 10_000);
          context.signal.addEventListener('abort', () => {
            clearTimeout(timer);
            reject(new Error('aborted'));
          });
        }),
    },
    ThrowingTool: {
      domain: 'reservations',
      handler: () => {
        counters.throwing++;
        throw new Error('database password is hunter2 at 10.0.0.5');
      },
    },
    BadResultTool: { domain: 'reservations', handler: () => ({ ok: 'yes', secret: 'x' }) },
    LookupOrder: { domain: 'orders', handler: () => ({ status: 'shipped' }) },
    NoDomainTool: { domain: 'reservations', handler: () => ({}) },
    MismatchedTool: { domain: 'payments', handler: () => ({}) },
  };
}

/** Captures the relay's log lines as parsed objects and as raw text. */
export function captureLogs() {
  const lines: string[] = [];
  const record = (level: string) => (fields: object, message: string) => {
    lines.push(JSON.stringify({ level, ...fields, msg: message }));
  };
  return {
    lines,
    sink: { info: record('info'), warn: record('warn'), error: record('error') },
    text: () => lines.join('\n'),
    parsed: () => lines.map((line) => JSON.parse(line) as Record<string, unknown>),
  };
}
