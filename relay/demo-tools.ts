/**
 * Demo implementations of the example flows' tools
 * (`flows/reservations.flow.json`, `flows/order-tracking.flow.json`):
 * deterministic and in memory, with no Node APIs, so the in-page demo can
 * import them too.
 *
 * Reservations: tables from 12:00 to 21:30 (the restaurant's time, Europe/London),
 * parties of 1 to 12, three tables per date and time, no bookings in the past.
 * `CheckAvailability` answers `{ ok }`; `CreateBooking` checks every rule
 * again (a 422 `invalid_booking` for a date, time or party the restaurant
 * cannot take, a 409 `slot_full` when the three tables are taken), so it
 * behaves like a restaurant whoever calls it, and takes one table.
 *
 * Orders: an order is found by its number and the e-mail it was placed with,
 * so a number alone reveals nothing. The demo orders, all placed with
 * `ana@example.com`:
 *
 * | order     | status     | eta        |
 * |-----------|------------|------------|
 * | AB-123456 | shipped    | 2026-11-25 |
 * | CD-654321 | delivered  | 2026-11-20 |
 * | EF-112233 | processing | 2026-11-28 |
 *
 * Anything else answers `{ status: 'not_found', eta: '' }`, the flow's
 * "couldn't find that order" branch. Numbers are read as the flow accepts
 * them: any case, with or without the dash (`cd654321`).
 *
 * @example
 * createRelay({ flows, tools: createDemoTools() });
 */
import { RelayError } from './errors.ts';
import type { ToolImplementations } from './tools/types.ts';

const OPENING_MINUTES = { first: 12 * 60, last: 21 * 60 + 30 };
const RESTAURANT_TIME_ZONE = 'Europe/London';
const TABLES_PER_SLOT = 3;
const LARGEST_PARTY = 12;
/** Booked date-and-time slots remembered; the oldest are forgotten past this. */
const MAX_SLOTS = 10_000;
const DATE = /^\d{4}-\d{2}-\d{2}$/;
const TIME = /^\d{2}:\d{2}$/;

/** The e-mail every demo order was placed with. */
export const DEMO_ORDER_EMAIL = 'ana@example.com';

interface DemoOrder {
  status: 'shipped' | 'delivered' | 'processing';
  eta: string;
}

/** The demo orders, by number (see the module comment). */
export const DEMO_ORDERS: Readonly<Record<string, DemoOrder>> = {
  'AB-123456': { status: 'shipped', eta: '2026-11-25' },
  'CD-654321': { status: 'delivered', eta: '2026-11-20' },
  'EF-112233': { status: 'processing', eta: '2026-11-28' },
};

function minutesOf(time: string): number | undefined {
  if (!TIME.test(time)) return undefined;
  const hours = Number(time.slice(0, 2));
  const minutes = Number(time.slice(3));
  return hours < 24 && minutes < 60 ? hours * 60 + minutes : undefined;
}

/** A real calendar date (`2026-02-30` is not one). */
function isCalendarDate(date: string): boolean {
  if (!DATE.test(date)) return false;
  const parsed = new Date(`${date}T00:00:00Z`);
  return !Number.isNaN(parsed.getTime()) && parsed.toISOString().slice(0, 10) === date;
}

/** Today's date and the minute of the day at the restaurant. */
let restaurantClock: Intl.DateTimeFormat | undefined;
function restaurantNow(now: number): { date: string; minutes: number } {
  // Made once, on first use (a formatter is costly to build; none is built at import).
  restaurantClock ??= new Intl.DateTimeFormat('en-CA', { timeZone: RESTAURANT_TIME_ZONE, year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' });
  const parts = restaurantClock.formatToParts(now);
  const part = (type: string) => parts.find((candidate) => candidate.type === type)?.value ?? '00';
  return { date: `${part('year')}-${part('month')}-${part('day')}`, minutes: Number(part('hour')) * 60 + Number(part('minute')) };
}

export interface DemoToolsOptions {
  /** The clock, for "no bookings in the past", when the call's context brings none. Default `Date.now`. */
  now?: () => number;
}

/** Why the restaurant cannot take this booking, or `undefined` when it can (capacity aside). */
function bookingProblem(date: string, time: string, partySize: unknown, now: number): string | undefined {
  if (!isCalendarDate(date)) return 'The date must be a real date written YYYY-MM-DD.';
  const minutes = minutesOf(time);
  if (minutes === undefined) return 'The time must read HH:MM.';
  if (minutes < OPENING_MINUTES.first || minutes > OPENING_MINUTES.last) return 'The restaurant takes bookings from 12:00 to 21:30.';
  if (typeof partySize !== 'number' || !Number.isInteger(partySize) || partySize < 1 || partySize > LARGEST_PARTY) {
    return `Parties of 1 to ${LARGEST_PARTY} can book.`;
  }
  const today = restaurantNow(now);
  if (date < today.date || (date === today.date && minutes <= today.minutes)) return 'That time has already passed.';
  return undefined;
}

/** `ab123456` → `AB-123456`, as the flow's order number pattern allows both. */
function normaliseOrderId(orderId: string): string {
  const match = /^([A-Za-z]{2})-?(\d{6})$/.exec(orderId.trim());
  return match ? `${(match[1] ?? '').toUpperCase()}-${match[2] ?? ''}` : '';
}

/** A fresh set of demo tools with their own bookings. */
export function createDemoTools(options: DemoToolsOptions = {}): ToolImplementations {
  const now = options.now ?? Date.now;
  const bookingsPerSlot = new Map<string, number>();
  let bookingCount = 0;

  function available(date: string, time: string, partySize: unknown, at: number): boolean {
    if (bookingProblem(date, time, partySize, at) !== undefined) return false;
    return (bookingsPerSlot.get(`${date} ${time}`) ?? 0) < TABLES_PER_SLOT;
  }

  return {
    CheckAvailability: {
      domain: 'reservations',
      handler: (args, context) => ({ ok: available(String(args.date), String(args.time), args.partySize, context.now ?? now()) }),
    },
    CreateBooking: {
      domain: 'reservations',
      handler: (args, context) => {
        const date = String(args.date);
        const time = String(args.time);
        const problem = bookingProblem(date, time, args.partySize, context.now ?? now());
        if (problem !== undefined) throw new RelayError(422, 'invalid_booking', problem);
        if (typeof args.name !== 'string' || args.name.trim() === '') throw new RelayError(422, 'invalid_booking', 'A booking needs a name.');
        const slot = `${date} ${time}`;
        const booked = bookingsPerSlot.get(slot) ?? 0;
        if (booked >= TABLES_PER_SLOT) throw new RelayError(409, 'slot_full', 'Every table is taken at that date and time.');
        // Re-inserted, so the map's order is least recently booked first.
        bookingsPerSlot.delete(slot);
        bookingsPerSlot.set(slot, booked + 1);
        if (bookingsPerSlot.size > MAX_SLOTS) {
          const oldest = bookingsPerSlot.keys().next().value;
          if (oldest !== undefined) bookingsPerSlot.delete(oldest);
        }
        bookingCount += 1;
        return { bookingId: `R-${date.replaceAll('-', '')}-${time.replace(':', '')}-${String(bookingCount).padStart(3, '0')}` };
      },
    },
    LookupOrder: {
      domain: 'orders',
      handler: (args) => {
        const orderId = normaliseOrderId(String(args.orderId));
        const order = Object.hasOwn(DEMO_ORDERS, orderId) ? DEMO_ORDERS[orderId] : undefined;
        if (!order || String(args.email).trim().toLowerCase() !== DEMO_ORDER_EMAIL) return { status: 'not_found', eta: '' };
        return { status: order.status, eta: order.eta };
      },
    },
  };
}

/** One shared instance, for `statechat relay --tools relay/demo-tools.ts`. */
const demoTools: ToolImplementations = createDemoTools();
export default demoTools;
