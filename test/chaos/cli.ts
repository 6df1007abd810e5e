/**
 * `npm run chaos -- --seed N --sessions M [--shrink K] [--json file]`
 *
 * Runs M simulated sessions; session i uses seed N+i, so
 * `npm run chaos -- --seed <N+i> --sessions 1` replays one exactly. Prints a
 * line per violation (kind, session seed, step), shrinks up to K failing
 * sessions to a smaller schedule with fast-check, and ends with the summary
 * line. Exits 1 when anything was found, 2 on bad arguments.
 */
import { writeFileSync } from 'node:fs';
import fc from 'fast-check';
import type { ViolationKind } from './invariants.ts';
import { planArbitrary, planFor, type Plan } from './schedule.ts';
import { runSession, type SessionResult } from './session.ts';

interface Options {
  seed: number;
  sessions: number;
  shrink: number;
  shrinkMs: number;
  json: string | null;
  results: string | null;
  verbose: boolean;
  /** Fault kinds turned off in every plan (`--without slowAfterEffect`). */
  without: (keyof Plan['faults'])[];
}

const USAGE = 'usage: npm run chaos -- --seed N --sessions M [--shrink K] [--shrink-ms MS] [--without FAULT]… [--json FILE] [--results FILE.md] [--verbose]';

function parse(argv: readonly string[]): Options {
  const options: Options = { seed: 1, sessions: 100, shrink: 1, shrinkMs: 60_000, json: null, results: null, verbose: false, without: [] };
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
        const kinds = Object.keys(planFor(0).faults).filter((kind) => kind !== 'latencyMs');
        if (value === undefined || !kinds.includes(value)) throw new Error(`--without needs one of ${kinds.join(', ')}, not ${value ?? 'nothing'}`);
        options.without.push(value as keyof Plan['faults']);
        index += 1;
        break;
      }
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
  return action ? JSON.stringify(action) : 'after the last step, once the world healed';
}

/** The plan with the faults named by `--without` turned off. */
function without(plan: Plan, kinds: readonly (keyof Plan['faults'])[]): Plan {
  if (kinds.length === 0) return plan;
  const faults = { ...plan.faults };
  for (const kind of kinds) faults[kind] = 0;
  return { ...plan, faults };
}

async function shrink(seed: number, budgetMs: number, kinds: readonly (keyof Plan['faults'])[]): Promise<{ plan: Plan; result: SessionResult; shrinks: number } | null> {
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
}

function table(rows: Record<string, number>): string {
  if (Object.keys(rows).length === 0) return '| none | 0 |';
  return Object.entries(rows)
    .map(([name, value]) => `| ${name} | ${value} |`)
    .join('\n');
}

/** The results file: what ran, what was injected, what was found. */
function markdown(report: Report, found: readonly string[]): string {
  return `# Chaos results

\`npm run chaos -- --seed ${report.seed} --sessions ${report.sessions} --results test/chaos/RESULTS.md\` (${new Date().toISOString().slice(0, 10)}).
Each session is one simulated browser (1–3 tabs) running the real chat runtime,
engine, local NLU and IndexedDB store against the real relay and tool runner,
on simulated time; see \`test/chaos/\` and the README.

## Invariants

| violation | count |
|---|---|
${table(report.counts)}

${found.length === 0 ? 'No violation.' : `Violations (a seed replays with \`npm run chaos -- --seed <seed> --sessions 1\`):\n\n${found.map((line) => `- ${line}`).join('\n')}`}

## Speed

${report.sessions} sessions in ${(report.elapsedMs / 1000).toFixed(1)} s: ${report.sessionsPerSecond} sessions per second on one core of this machine
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
  const counts: Record<ViolationKind, number> = { lost: 0, duplicate: 0, divergent: 0, replay: 0, timer: 0, refused: 0, stuck: 0, crash: 0 };
  const failing: number[] = [];
  const found: string[] = [];
  const totals = { steps: 0, messages: 0, exempt: 0, toolRuns: 0, reloads: 0, tabsOpened: 0, storageFaults: 0, simulatedMs: 0, tasks: 0 };
  const network: Record<string, number> = {};
  const exemptions: Record<string, number> = {};
  const mix: Record<string, number> = {};
  const started = performance.now();
  for (let index = 0; index < options.sessions; index += 1) {
    const seed = sessionSeed(options.seed, index);
    const plan = without(planFor(seed), options.without);
    for (const action of plan.actions) mix[action.do] = (mix[action.do] ?? 0) + 1;
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

  const sessionsPerSecond = options.sessions / (elapsedMs / 1000);
  const report: Report = {
    seed: options.seed,
    sessions: options.sessions,
    elapsedMs: Math.round(elapsedMs),
    sessionsPerSecond: Math.round(sessionsPerSecond * 10) / 10,
    counts,
    failingSeeds: failing,
    totals,
    exemptions,
    network,
    mix,
  };
  if (options.json) writeFileSync(options.json, `${JSON.stringify(report, null, 2)}\n`);
  if (options.results) writeFileSync(options.results, markdown(report, found));
  console.log(
    `chaos: ${totals.messages} messages (${totals.exempt} lost with their tab or memory-only storage, allowed), ${totals.toolRuns} tool runs, ${totals.reloads} reloads, ` +
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
