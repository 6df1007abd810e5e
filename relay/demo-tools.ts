/**
 * Demo implementations of the example flows' tools: deterministic and in
 * memory, with no Node APIs, so the in-page demo can import them too.
 *
 * @example
 * createRelay({ flows, tools: createDemoTools() });
 */
import type { ToolImplementations } from './tools/types.ts';

const OPENING_MINUTES = { first: 12 * 60, last: 21 * 60 + 30 };
const TABLES_PER_SLOT = 3;
const LARGEST_PARTY = 12;

interface DemoOrder {
  email: string;
  status: string;
  eta: string;
}

const ORDERS: Record<string, DemoOrder> = {
  'A-1001': { email: 'ann@example.com', status: 'shipped', eta: '2026-11-25' },
  'A-1002': { email: 'bob@example.com', status: 'processing', eta: '2026-11-28' },
  'A-1003': { email: 'cho@example.com', status: 'delivered', eta: '2026-11-20' },
};

function minutesOf(time: string): number | undefined {
  const match = /^(\d{1,2}):(\d{2})/.exec(time);
  if (!match) return undefined;
  return Number(match[1]) * 60 + Number(match[2]);
}

/** A fresh set of demo tools with their own bookings. */
export function createDemoTools(): ToolImplementations {
  const bookingsPerSlot = new Map<string, number>();
  let bookingCount = 0;

  function available(date: string, time: string, partySize: number): boolean {
    const minutes = minutesOf(time);
    if (minutes === undefined || minutes < OPENING_MINUTES.first || minutes > OPENING_MINUTES.last) return false;
    if (!Number.isInteger(partySize) || partySize < 1 || partySize > LARGEST_PARTY) return false;
    return (bookingsPerSlot.get(`${date} ${time}`) ?? 0) < TABLES_PER_SLOT;
  }

  return {
    CheckAvailability: {
      domain: 'reservations',
      handler: (args) => ({ ok: available(String(args.date), String(args.time), Number(args.partySize)) }),
    },
    CreateBooking: {
      domain: 'reservations',
      handler: (args) => {
        const date = String(args.date);
        const time = String(args.time);
        const slot = `${date} ${time}`;
        bookingsPerSlot.set(slot, (bookingsPerSlot.get(slot) ?? 0) + 1);
        bookingCount += 1;
        return { bookingId: `R-${date.replaceAll('-', '')}-${time.replace(':', '')}-${String(bookingCount).padStart(3, '0')}` };
      },
    },
    LookupOrder: {
      domain: 'orders',
      handler: (args) => {
        const order = Object.hasOwn(ORDERS, String(args.orderId)) ? ORDERS[String(args.orderId)] : undefined;
        // The e-mail must match, so an order number alone reveals nothing.
        if (!order || order.email.toLowerCase() !== String(args.email).trim().toLowerCase()) {
          return { status: 'not_found', eta: '' };
        }
        return { status: order.status, eta: order.eta };
      },
    },
  };
}

/** One shared instance, for `statechat relay --tools relay/demo-tools.ts`. */
const demoTools: ToolImplementations = createDemoTools();
export default demoTools;
