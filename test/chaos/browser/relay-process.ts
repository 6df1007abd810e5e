/** A relay process for the browser slice: the example flows, the logged tools, Redis when `REDIS_URL` is set; prints its port. */
import { closeOnSignals, startRelayServer } from '../../../relay/server.ts';

const silent = { info: () => undefined, warn: () => undefined, error: () => undefined };
const running = await startRelayServer({
  flowsDir: new URL('../../../flows/', import.meta.url).pathname,
  toolsModule: new URL('./logged-tools.ts', import.meta.url).pathname,
  port: Number(process.env.PORT ?? 0),
  logger: silent,
  relay: { rateLimits: { perIp: false, perSession: false } },
});
process.stdout.write(`LISTENING ${running.port}\n`);
await closeOnSignals(running);
process.exit(0);
