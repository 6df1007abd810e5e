import { Redis } from 'ioredis';
import type { ToolImplementations } from '../../../relay/index.ts';

let redis: Redis | undefined;

/** Counts its runs in Redis, so a test can see how often any relay process ran it. */
const tools: ToolImplementations = {
  CreateBooking: {
    domain: 'reservations',
    handler: async () => {
      redis ??= new Redis(process.env.REDIS_URL ?? '');
      const run = await redis.incr('test:create-booking-runs');
      await new Promise((resolve) => setTimeout(resolve, 300));
      return { bookingId: `B-${run}-pid${process.pid}` };
    },
  },
};
export default tools;
