import type { ToolImplementations } from '../../../relay/index.ts';

/** `CheckAvailability` answering yes, for server tests that need one tool and no Redis. */
const tools: ToolImplementations = {
  CheckAvailability: { domain: 'reservations', handler: () => ({ ok: true }) },
};
export default tools;
