/**
 * Health checks in a process of their own, for the hostile request suite:
 * the test process builds and sends megabyte bodies and trickles slow
 * clients, and a check timed there would wait for that work too. Reads the
 * round under way from stdin (a label, or "idle"); prints READY after its
 * first check, and on "stop" the latencies by round as one JSON line, and
 * exits.
 */
import { createInterface } from 'node:readline';

const base = process.argv[2];
if (!base) throw new Error('usage: health-prober <relay base URL>');
const probes: Record<string, number[]> = {};
let round: string | null = null;
let running = true;

createInterface({ input: process.stdin }).on('line', (line) => {
  const label = line.trim();
  if (label === 'stop') running = false;
  round = label === 'idle' || label === 'stop' ? null : label;
});

let announced = false;
while (running) {
  const during: string | null = round;
  const started = performance.now();
  const response = await fetch(`${base}/v1/health`);
  await response.arrayBuffer();
  const latency = performance.now() - started;
  // Only a check that ran start to end within one round counts for it.
  if (during !== null && during === round) (probes[during] ??= []).push(latency);
  if (!announced) {
    announced = true;
    process.stdout.write('READY\n');
  }
  await new Promise((resolve) => setTimeout(resolve, 10));
}
process.stdout.write(`PROBES ${JSON.stringify(probes)}\n`);
process.exit(0);
