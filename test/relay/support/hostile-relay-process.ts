/** The relay as deployed (example flows, demo tools), in its own process, for the hostile request suite. */
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { closeOnSignals, startRelayServer } from '../../../relay/server.ts';

// How long the event loop was held up: what one request can make every other one wait.
const loopDelay = monitorEventLoopDelay({ resolution: 5 });
const report = () => JSON.stringify({ p50: loopDelay.percentile(50) / 1e6, p99: loopDelay.percentile(99) / 1e6, max: loopDelay.max / 1e6 });
let phase = 0;
// Each SIGUSR2 reports the phase before it and starts measuring the next.
process.on('SIGUSR2', () => {
  if (phase > 0) process.stdout.write(`LOOP DELAY ${phase} ${report()}\n`);
  phase += 1;
  loopDelay.reset();
  loopDelay.enable();
});

const repositoryRoot = new URL('../../../', import.meta.url).pathname;
const errors: string[] = [];
const running = await startRelayServer({
  flowsDir: `${repositoryRoot}flows`,
  toolsModule: `${repositoryRoot}relay/demo-tools.ts`,
  port: 0,
  logger: {
    info: () => undefined,
    warn: () => undefined,
    error: (fields) => errors.push(JSON.stringify(fields)),
  },
  headersTimeoutMs: 1000,
  requestTimeoutMs: 2000,
  relay: { rateLimits: { perIp: false, perSession: false } },
});
process.stdout.write(`LISTENING ${running.port}\n`);
await closeOnSignals(running);
loopDelay.disable();
process.stdout.write(`LOOP DELAY ${phase} ${report()}\n`);
process.stdout.write(`ERROR LINES ${JSON.stringify(errors)}\n`);
process.exit(0);
