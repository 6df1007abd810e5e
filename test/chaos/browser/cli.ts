/**
 * `npm run chaos:browser -- --seed N --sessions M [--steps S]`: the real-browser slice
 * twice, with the relay's memory stores and with Redis; prints each violation and
 * `chaos (browser): M sessions, seed N, L lost, D duplicate tool runs, T divergent tabs, R replay mismatches`.
 */
import { runBrowserSlice, type SliceResult } from './slice.ts';

function argument(name: string, fallback: number): number {
  const index = process.argv.indexOf(name);
  if (index < 0) return fallback;
  const value = Number(process.argv[index + 1]);
  if (!Number.isInteger(value)) throw new Error(`${name} needs an integer`);
  return value;
}

const seed = argument('--seed', 1);
const sessions = argument('--sessions', 4);
const steps = argument('--steps', 12);
const started = performance.now();
const results: SliceResult[] = [];
for (const redis of [false, true]) {
  const half = redis ? Math.floor(sessions / 2) : Math.ceil(sessions / 2);
  if (half === 0) continue;
  results.push(await runBrowserSlice({ seed: redis ? seed + 100_000 : seed, sessions: half, steps, redis, onSession: (line) => console.log(line) }));
}
const sum = (key: 'sessions' | 'lost' | 'duplicates' | 'divergent' | 'replay'): number => results.reduce((total, result) => total + result[key], 0);
for (const result of results) for (const line of result.violations) console.log(line);
const counts: Record<string, number> = {};
for (const result of results) for (const [key, value] of Object.entries(result.counts)) counts[key] = (counts[key] ?? 0) + value;
console.log(`chaos (browser): ${JSON.stringify(counts)}; ${((performance.now() - started) / 1000).toFixed(1)} s`);
console.log(`chaos (browser): ${sum('sessions')} sessions, seed ${seed}, ${sum('lost')} lost, ${sum('duplicates')} duplicate tool runs, ${sum('divergent')} divergent tabs, ${sum('replay')} replay mismatches`);
process.exitCode = sum('lost') + sum('duplicates') + sum('divergent') + sum('replay') > 0 ? 1 : 0;
