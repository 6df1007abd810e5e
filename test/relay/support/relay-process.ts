/** A relay process for the Redis integration test: prints its port, runs until SIGTERM. */
import { closeOnSignals, startRelayServer } from '../../../relay/server.ts';

const silent = { info: () => undefined, warn: () => undefined, error: () => undefined };
const running = await startRelayServer({
  flowsDir: process.env.FLOWS_DIR ?? '',
  toolsModule: new URL('./counting-tools.ts', import.meta.url).pathname,
  port: 0,
  logger: silent,
  relay: { rateLimits: { perIp: false, perSession: false } },
});
process.stdout.write(`LISTENING ${running.port}\n`);
await closeOnSignals(running);
process.exit(0);
