/**
 * `npm run chaos -- --seed N --sessions M [--shrink K] [--json file]`
 *
 * Runs M simulated sessions; session i uses seed N+i, so
 * `npm run chaos -- --seed <N+i> --sessions 1` replays one exactly. Prints a
 * line per violation (kind, session seed, step), shrinks up to K failing
 * sessions to a smaller schedule with fast-check, and ends with the summary
 * line. Exits 1 when anything was found, 2 on bad arguments.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import fc from 'fast-check';
import type { ViolationKind } from './invariants.ts';
import { lifecycleAt, planArbitrary, planFor, type Lifecycle, type Plan } from './schedule.ts';
import { runSession, type SessionResult } from './session.ts';

interface Options {
  seed: number;
  sessions: number;
  shrink: number;
  shrinkMs: number;
  json: string | null;
  results: string | null;
  merge: string[];
  verbose: boolean;
  /** Fault and lifecycle kinds turned off in every plan (`--without slowAfterEffect`, `--without publishFlow`). */
  without: Kind[];
}

/** What `--without` turns off: a fault, or a kind of lifecycle event. */
type Kind = keyof Plan['faults'] | Lifecycle['do'];
const LIFECYCLE_KINDS: readonly Lifecycle['do'][] = ['typeAndKill', 'reset', 'publishFlow'];

const USAGE = 'usage: npm run chaos -- --seed N --sessions M [--shrink K] [--shrink-ms MS] [--without FAULT]… [--json FILE] [--results FILE.md] [--verbose] | --merge a.json,b.json --results FILE.md';

function parse(argv: readonly string[]): Options {
  const options: Options = { seed: 1, sessions: 100, shrink: 1, shrinkMs: 60_000, json: null, results: null, merge: [], verbose: false, without: [] };
  for (let index = 0; index < argv.length; index += 1) {
    const flag = argv[index];
    const value = argv[index + 1];
    const integer = (name: string, min: number): number => {
      const parsed = Number(value);
      if (value === undefined || !Number.isInteger(parsed) || parsed < min) throw new Error(`${name} needs an integer of at least ${min}, not ${value ?? 'nothing'}`);
      index += 1;
      return parsed;
    };
    switch (flag) {
      case '--seed':
        options.seed = integer('--seed', -2_147_483_648);
        break;
      case '--sessions':
        options.sessions = integer('--sessions', 1);
        break;
      case '--shrink':
        options.shrink = integer('--shrink', 0);
        break;
      case '--shrink-ms':
        options.shrinkMs = integer('--shrink-ms', 0);
        break;
      case '--json':
        if (value === undefined) throw new Error('--json needs a file name');
        options.json = value;
        index += 1;
        break;
      case '--results':
        if (value === undefined) throw new Error('--results needs a file name');
        options.results = value;
        index += 1;
        break;
      case '--without': {
        const kinds: readonly string[] = [...Object.keys(planFor(0).faults).filter((kind) => kind !== 'latencyMs'), ...LIFECYCLE_KINDS];
        if (value === undefined || !kinds.includes(value)) throw new Error(`--without needs one of ${kinds.join(', ')}, not ${value ?? 'nothing'}`);
        options.without.push(value as Kind);
        index += 1;
        break;
      }
      case '--merge':
        if (value === undefined) throw new Error('--merge needs report files, comma-separated');
        options.merge = value.split(',');
        index += 1;
        break;
      case '--verbose':
        options.verbose = true;
        break;
      default:
        throw new Error(`unknown argument ${flag ?? ''}`);
    }
  }
  return options;
}

/** The seed of session `index` of a run from `seed` (32-bit, as fast-check takes it). */
export function sessionSeed(seed: number, index: number): number {
  return (seed + index) | 0;
}

function describeAction(plan: Plan, step: number): string {
  const action = plan.actions[step - 1];
  if (!action) return 'after the last step, once the world healed';
  return [...lifecycleAt(plan, step), action].map((what) => JSON.stringify(what)).join(' then ');
}

/** The plan with the faults and lifecycle events named by `--without` turned off. */
function without(plan: Plan, kinds: readonly Kind[]): Plan {
  if (kinds.length === 0) return plan;
  const faults = { ...plan.faults };
  for (const kind of kinds) if (kind in faults) faults[kind as keyof Plan['faults']] = 0;
  return { ...plan, faults, lifecycle: (plan.lifecycle ?? []).filter((event) => !kinds.includes(event.do)) };
}

async function shrink(seed: number, budgetMs: number, kinds: readonly Kind[]): Promise<{ plan: Plan; result: SessionResult; shrinks: number } | null> {
  let last: { plan: Plan; result: SessionResult } | null = null;
  const details = await fc.check(
    fc.asyncProperty(planArbitrary.map((plan) => without(plan, kinds)), async (plan) => {
      const result = await runSession(plan);
      if (result.violations.length > 0) last = { plan, result };
      return result.violations.length === 0;
    }),
    { seed, numRuns: 1, interruptAfterTimeLimit: budgetMs, markInterruptAsFailure: false },
  );
  if (!details.failed || !details.counterexample) return null;
  const [plan] = details.counterexample;
  const result = last !== null && (last as { plan: Plan }).plan === plan ? (last as { result: SessionResult }).result : await runSession(plan);
  return { plan, result, shrinks: details.numShrinks };
}

interface Report {
  seed: number;
  sessions: number;
  elapsedMs: number;
  sessionsPerSecond: number;
  counts: Record<ViolationKind, number>;
  failingSeeds: number[];
  totals: Record<string, number>;
  exemptions: Record<string, number>;
  network: Record<string, number>;
  mix: Record<string, number>;
  /** The violation lines printed. */
  violations: string[];
  /** Faults turned off with `--without`. */
  without: string[];
}

/** Adds up the reports of runs over consecutive seeds (`--merge a.json,b.json`), e.g. halves run in two processes. */
function mergeReports(reports: readonly Report[]): Report {
  const sum = (rows: readonly Record<string, number>[]): Record<string, number> => {
    const total: Record<string, number> = {};
    for (const row of rows) for (const [key, value] of Object.entries(row)) total[key] = (total[key] ?? 0) + value;
    return total;
  };
  const sessions = reports.reduce((total, report) => total + report.sessions, 0);
  // The processes ran side by side: the wall time is the longest, the rate the sum.
  const elapsedMs = Math.max(...reports.map((report) => report.elapsedMs));
  return {
    seed: Math.min(...reports.map((report) => report.seed)),
    sessions,
    elapsedMs,
    sessionsPerSecond: Math.round(reports.reduce((total, report) => total + report.sessionsPerSecond, 0) * 10) / 10,
    counts: sum(reports.map((report) => report.counts)) as Record<ViolationKind, number>,
    failingSeeds: reports.flatMap((report) => report.failingSeeds),
    totals: sum(reports.map((report) => report.totals)),
    exemptions: sum(reports.map((report) => report.exemptions)),
    network: sum(reports.map((report) => report.network)),
    mix: sum(reports.map((report) => report.mix)),
    violations: reports.flatMap((report) => report.violations ?? []),
    without: reports[0]?.without ?? [],
  };
}

function table(rows: Record<string, number>): string {
  if (Object.keys(rows).length === 0) return '| none | 0 |';
  return Object.entries(rows)
    .map(([name, value]) => `| ${name} | ${value} |`)
    .join('\n');
}

/** The results file: what ran, what was injected, what was found. */
function markdown(report: Report, found: readonly string[], processes: number): string {
  const without = report.without.map((kind) => ` --without ${kind}`).join('');
  const command =
    processes === 1
      ? `\`npm run chaos -- --seed ${report.seed} --sessions ${report.sessions}${without} --results test/chaos/RESULTS.md\``
      : `the sessions of \`npm run chaos -- --seed ${report.seed} --sessions ${report.sessions}${without}\`, run as ${processes} processes side by side over consecutive seeds (\`--json\` each, then \`--merge\`)`;
  return `# Chaos results

${command} (${new Date().toISOString().slice(0, 10)}).
Each session is one simulated browser (1–3 tabs) running the real chat runtime,
engine, local NLU and IndexedDB store against the real relay and tool runner,
on simulated time; see \`test/chaos/\` and the README.

## Invariants

| violation | count |
|---|---|
${table(report.counts)}

${found.length === 0 ? 'No violation.' : `Violations (a seed replays with \`npm run chaos -- --seed <seed> --sessions 1\`):\n\n${found.map((line) => `- ${line}`).join('\n')}`}

## Speed

${report.sessions} sessions in ${(report.elapsedMs / 1000).toFixed(1)} s: ${report.sessionsPerSecond} sessions per second (${processes} process${processes === 1 ? '' : 'es'}, on a 2-core machine shared with other work)
(${report.totals.simulatedMs !== undefined ? `${Math.round((report.totals.simulatedMs ?? 0) / 3_600_000)} simulated hours` : ''}).

## What happened (totals)

| what | count |
|---|---|
${table(report.totals)}

Visitor messages whose loss is allowed (the visitor was told, or typed into a tab that died before the leader tab saw it):

| why | count |
|---|---|
${table(report.exemptions)}

## Fault mix

Steps of the schedules, flows and NLU modes:

| step | count |
|---|---|
${table(report.mix)}

Network and relay:

| what | count |
|---|---|
${table(report.network)}
`;
}

async function main(): Promise<number> {
  let options: Options;
  try {
    options = parse(process.argv.slice(2));
  } catch (error) {
    console.error(`chaos: ${error instanceof Error ? error.message : String(error)}\n${USAGE}`);
    return 2;
  }
  if (options.merge.length > 0) {
    const merged = mergeReports(options.merge.map((file) => JSON.parse(readFileSync(file, 'utf8')) as Report));
    if (options.results) writeFileSync(options.results, markdown(merged, merged.violations, options.merge.length));
    console.log(`chaos: ${merged.sessions} sessions, seed ${merged.seed}, ${merged.counts.lost} lost, ${merged.counts.duplicate} duplicate tool runs, ${merged.counts.divergent} divergent tabs, ${merged.counts.replay} replay mismatches`);
    return Object.values(merged.counts).some((count) => count > 0) ? 1 : 0;
  }
  const counts: Record<ViolationKind, number> = { lost: 0, duplicate: 0, divergent: 0, replay: 0, timer: 0, refused: 0, stuck: 0, crash: 0 };
  const failing: number[] = [];
  const found: string[] = [];
  const totals = { steps: 0, messages: 0, exempt: 0, toolRuns: 0, reloads: 0, tabsOpened: 0, storageFaults: 0, kills: 0, abortedTransactions: 0, resets: 0, upgrades: 0, simulatedMs: 0, tasks: 0 };
  const network: Record<string, number> = {};
  const exemptions: Record<string, number> = {};
  const mix: Record<string, number> = {};
  const started = performance.now();
  const reportOf = (sessions: number, elapsedMs: number): Report => ({
    seed: options.seed,
    sessions,
    elapsedMs: Math.round(elapsedMs),
    sessionsPerSecond: Math.round((sessions / (elapsedMs / 1000)) * 10) / 10,
    counts,
    failingSeeds: failing,
    totals,
    exemptions,
    network,
    mix,
    violations: found,
    without: options.without,
  });
  for (let index = 0; index < options.sessions; index += 1) {
    const seed = sessionSeed(options.seed, index);
    const plan = without(planFor(seed), options.without);
    for (const action of [...plan.actions, ...(plan.lifecycle ?? [])]) mix[action.do] = (mix[action.do] ?? 0) + 1;
    mix[`flow ${plan.flow}`] = (mix[`flow ${plan.flow}`] ?? 0) + 1;
    mix[`nlu ${plan.nlu}`] = (mix[`nlu ${plan.nlu}`] ?? 0) + 1;
    const result = await runSession(plan);
    for (const key of Object.keys(totals) as (keyof typeof totals)[]) totals[key] += result.stats[key];
    for (const [key, value] of Object.entries(result.stats.network)) network[key] = (network[key] ?? 0) + value;
    for (const [key, value] of Object.entries(result.stats.exemptions)) exemptions[key] = (exemptions[key] ?? 0) + value;
    if (options.verbose && result.stats.exempt > 0) console.log(`exempt: seed ${seed}: ${JSON.stringify(result.stats.exemptions)}`);
    if (result.violations.length > 0) failing.push(seed);
    for (const violation of result.violations) {
      counts[violation.kind] += 1;
      const line = `violation ${violation.kind}: seed ${seed} step ${violation.step} (${describeAction(plan, violation.step)}): ${violation.detail}`;
      found.push(line);
      console.log(line);
    }
    if (result.violations.length > 0 && options.verbose) for (const lines of result.transcripts) console.log(lines.map((line) => `    ${line}`).join('\n'));
    // A long run keeps its report up to date, so stopping it early loses nothing.
    if (options.json && (index + 1) % 100 === 0) writeFileSync(options.json, `${JSON.stringify(reportOf(index + 1, performance.now() - started), null, 2)}\n`);
  }
  const elapsedMs = performance.now() - started;

  for (const seed of failing.slice(0, options.shrink)) {
    const shrunk = await shrink(seed, options.shrinkMs, options.without);
    if (!shrunk) {
      console.log(`shrink: seed ${seed} did not fail again under fast-check`);
      continue;
    }
    console.log(`shrunk: seed ${seed} after ${shrunk.shrinks} shrinks still fails with ${shrunk.plan.actions.length} steps: ${JSON.stringify(shrunk.plan)}`);
    for (const violation of shrunk.result.violations) console.log(`  ${violation.kind} at step ${violation.step}: ${violation.detail}`);
  }

  const report = reportOf(options.sessions, elapsedMs);
  if (options.json) writeFileSync(options.json, `${JSON.stringify(report, null, 2)}\n`);
  if (options.results) writeFileSync(options.results, markdown(report, found, 1));
  console.log(
    `chaos: ${totals.messages} messages (${totals.exempt} gone with their tab or with storage the widget announced as failed: allowed), ${totals.toolRuns} tool runs, ${totals.reloads} reloads, ` +
      `${network.restarts ?? 0} relay restarts, ${totals.storageFaults} storage faults, ${network.requests ?? 0} requests; ` +
      `${counts.timer} timers fired twice or never, ${counts.refused} refused shown as sent, ${counts.stuck} stuck tabs, ${counts.crash} crashes; ${report.sessionsPerSecond} sessions/s over ${(elapsedMs / 1000).toFixed(1)} s`,
  );
  if (options.without.length > 0) console.log(`chaos: faults turned off: ${options.without.join(', ')}`);
  console.log(
    `chaos: ${options.sessions} sessions, seed ${options.seed}, ${counts.lost} lost, ${counts.duplicate} duplicate tool runs, ${counts.divergent} divergent tabs, ${counts.replay} replay mismatches`,
  );
  return Object.values(counts).some((count) => count > 0) ? 1 : 0;
}

process.exitCode = await main();
