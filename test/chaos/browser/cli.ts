/**
 * `npm run chaos:browser -- --seed N --sessions M [--steps S] [--results FILE.md]`: the real-browser slice
 * twice, with the relay's memory stores and with Redis; prints each violation and
 * `chaos (browser): M sessions, seed N, L lost, D duplicate tool runs, T divergent tabs, R replay mismatches`.
 */
import { writeFileSync } from 'node:fs';
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
const seconds = (performance.now() - started) / 1000;
const summary = `chaos (browser): ${sum('sessions')} sessions, seed ${seed}, ${sum('lost')} lost, ${sum('duplicates')} duplicate tool runs, ${sum('divergent')} divergent tabs, ${sum('replay')} replay mismatches`;
console.log(`chaos (browser): ${JSON.stringify(counts)}; ${seconds.toFixed(1)} s`);
console.log(summary);
const resultsIndex = process.argv.indexOf('--results');
const resultsFile = resultsIndex >= 0 ? process.argv[resultsIndex + 1] : undefined;
if (resultsFile) {
  const violations = results.flatMap((result) => result.violations);
  writeFileSync(
    resultsFile,
    `# Chaos results in Chromium

\`npm run chaos:browser -- --seed ${seed} --sessions ${sessions} --steps ${steps} --results test/chaos/BROWSER-RESULTS.md\` (${new Date().toISOString().slice(0, 10)}):
Chromium with the script-tag build, a real relay process (half the sessions with its memory stores, half with redis-server),
${steps} visitor and world steps per session; ${seconds.toFixed(0)} s on a 2-core machine shared with other work.

${summary.replace('chaos (browser): ', '')}.

| what happened | count |
|---|---|
${Object.entries(counts)
  .map(([name, value]) => `| ${name} | ${value} |`)
  .join('\n')}

${violations.length === 0 ? 'No violation.' : violations.map((line) => `- ${line.split('\n')[0] ?? ''}`).join('\n')}
`,
  );
}
process.exitCode = sum('lost') + sum('duplicates') + sum('divergent') + sum('replay') > 0 ? 1 : 0;
