/**
 * The chaos simulation in the suite: each invariant catches a defect planted
 * on purpose (so a green run means something), the seeds that found bugs stay
 * fixed, and the CI run (`npm run chaos` with a fixed seed) ends clean with
 * its summary line.
 */
import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import type { Plan } from './schedule.ts';
import { planFor } from './schedule.ts';
import { runSession, type Sabotage } from './session.ts';

const calm: Plan['faults'] = { latencyMs: 20, dropBefore: 0, dropAfter: 0, duplicate: 0, proxyError: 0, refuse: 0, slowTool: 0, slowAfterEffect: 0 };

function plan(overrides: Partial<Plan>): Plan {
  return { flow: 'reservations', nlu: 'local', faults: calm, channelDelayMs: 5, dice: 7, actions: [], ...overrides };
}

/** Phrase 0 (the first goal of the reservations flow): "table for 4 tomorrow at 7pm", which calls CheckAvailability. */
const bookTable = { do: 'type', tab: 0, phrase: 0, think: 60_000 } as const;

async function kinds(subject: Plan, sabotage?: Sabotage): Promise<string[]> {
  const result = await runSession(subject, sabotage ? { sabotage } : {});
  return result.violations.map((violation) => violation.kind);
}

describe('the invariants catch what they are for', () => {
  it('a relay store that forgets idempotency keys: duplicate tool runs', async () => {
    const lossy = plan({ faults: { ...calm, dropAfter: 700 }, actions: [bookTable] });
    expect(await kinds(lossy)).toEqual([]);
    expect(await kinds(lossy, 'forgetful-idempotency')).toContain('duplicate');
  });

  it('storage that drops journal entries: a replay mismatch', async () => {
    const subject = plan({ actions: [bookTable] });
    expect(await kinds(subject)).toEqual([]);
    expect(await kinds(subject, 'drop-journal')).toContain('replay');
  });

  it('storage that drops visitor messages: lost after a reload', async () => {
    const subject = plan({ actions: [{ do: 'type', tab: 0, phrase: 1, think: 2000 }, { do: 'reload', tab: 0, hard: true, think: 2000 }] });
    expect(await kinds(subject)).toEqual([]);
    expect(await kinds(subject, 'drop-user-messages')).toContain('lost');
  });

  it('a refused classification taken as an answer: refused shown as sent', async () => {
    const subject = plan({ nlu: 'relay', faults: { ...calm, refuse: 1000 }, actions: [{ do: 'type', tab: 0, phrase: 1, think: 5000 }] });
    expect(await kinds(subject)).toEqual([]);
    expect(await kinds(subject, 'refusal-accepted')).toContain('refused');
  });

  it("a channel that loses the leader's state: divergent tabs", async () => {
    const subject = plan({ actions: [{ do: 'openTab', think: 3000 }, { do: 'type', tab: 0, phrase: 1, think: 5000 }] });
    expect(await kinds(subject)).toEqual([]);
    expect(await kinds(subject, 'mute-leader')).toContain('divergent');
  });
});

describe('seeds that found bugs', () => {
  // 1024, 1212: a flow load cut by a relay restart left the tab on "flow_unavailable" for good.
  // 181: messages written after a failed classification stayed "Sending…" for ever.
  // 147: an aborted read at a reload replaced the conversation with an empty one in memory.
  // 33: a message written after the end and then a reload stayed "Sending…" (resume ignored ended sessions).
  it.each([1024, 1212, 181, 147, 33])('seed %i runs clean', async (seed) => {
    // The schedule those seeds had when they failed: without the lifecycle events added since.
    const result = await runSession({ ...planFor(seed), lifecycle: [] });
    expect(result.violations).toEqual([]);
  });

  // 20261305: a new flow version that renames the state the conversation stands in arrives while the visitor's
  // message waits for a person; the conversation started over and left that message "Sending…" for ever.
  it('seed 20261305 (a flow published that starts the conversation over during a handoff) runs clean', async () => {
    const subject = planFor(20261305);
    expect(subject.lifecycle?.map((event) => event.do)).toContain('publishFlow');
    const result = await runSession(subject);
    expect(result.violations).toEqual([]);
  });

  it('replays a seed exactly', async () => {
    const first = await runSession(planFor(1004));
    const second = await runSession(planFor(1004));
    expect(second).toEqual(first);
  });

  // 20261393: a party of 13 waits for a person; the live handoff's chunk arrived on the real clock, not the
  // simulated one, so the same seed passed or failed ("timer never fired") from run to run. The chunk is now
  // fetched once per page (`loadLiveHandoff`) and warmed before simulated time starts.
  it('replays a seed that hands off to a person exactly, clean', async () => {
    // Its schedule as it was found, without the lifecycle events drawn since.
    const plan = { ...planFor(20261393), lifecycle: [] };
    const first = await runSession(plan);
    const second = await runSession(plan);
    expect(first.violations).toEqual([]);
    expect(first.transcripts.join('\n')).toContain('Handed over to a person');
    expect(second).toEqual(first);
  });
});

describe('npm run chaos', () => {
  it('runs the CI seed clean and ends with the summary line', { timeout: 300_000 }, () => {
    // Every fault, tools that do their side effect and then outlive their timeout included: the relay
    // keeps such a call's key claimed while the attempt may still run (issue #12's hole (b)).
    const run = spawnSync(
      process.execPath,
      ['--import', 'tsx', 'test/chaos/cli.ts', '--seed', '20261130', '--sessions', '300', '--shrink', '1', '--shrink-ms', '20000'],
      { encoding: 'utf8' },
    );
    const lines = run.stdout.trim().split('\n');
    expect(lines.at(-1)).toMatch(/^chaos: 300 sessions, seed 20261130, \d+ lost, \d+ duplicate tool runs, \d+ divergent tabs, \d+ replay mismatches$/);
    expect(run.stdout).not.toMatch(/^violation /m);
    expect(lines.at(-1)).toBe('chaos: 300 sessions, seed 20261130, 0 lost, 0 duplicate tool runs, 0 divergent tabs, 0 replay mismatches');
    expect(run.status).toBe(0);
  });

  it('exits 2 with the usage on bad arguments', () => {
    const run = spawnSync(process.execPath, ['--import', 'tsx', 'test/chaos/cli.ts', '--sessions', 'many'], { encoding: 'utf8' });
    expect(run.status).toBe(2);
    expect(run.stderr).toMatch(/--sessions needs an integer/);
  });
});
