/**
 * The chaos run's real-browser slice in the suite: Chromium, the script-tag
 * build, a real relay process killed and restarted, reloads, offline spells
 * and a second tab, twice (the relay's memory stores, then Redis). Short on
 * purpose: `npm run chaos:browser -- --sessions 100` is the long run.
 */
import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { runBrowserSlice } from './browser/slice.ts';

if (spawnSync('redis-server', ['--version']).status !== 0) {
  throw new Error('redis-server is not installed: run `apt-get install -y redis-server` (bash .ci/run does)');
}

describe('chaos in Chromium against a real relay process', () => {
  it.each([
    ['its memory stores', false],
    ['Redis', true],
  ])('the relay with %s: nothing lost, nothing run twice, the tabs agree, the journal replays', { timeout: 240_000 }, async (_stores, redis) => {
    const result = await runBrowserSlice({ seed: redis ? 20261200 : 20261100, sessions: 2, steps: 12, redis });
    expect(result.violations).toEqual([]);
    expect(result.sessions).toBe(2);
  });
});
