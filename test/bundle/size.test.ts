import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Script } from 'node:vm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildWidget } from './build.ts';
import { LAUNCHER_BUDGET, measureBundle, START_BUDGET, type BundleSizes } from './measure.ts';

/**
 * Where "everything needed to chat" stands today while it is over
 * `START_BUDGET`: a ratchet, so it cannot grow unnoticed. Lower it as the
 * controller shrinks; once under 35 KB, the `it.fails` below fails and must
 * become a plain `it`.
 */
const START_RATCHET = 74 * 1024;

describe('the script tag bundle size (gzip -9)', () => {
  let directory: string;
  let sizes: BundleSizes;

  beforeAll(async () => {
    directory = await mkdtemp(join(tmpdir(), 'statechat-size-'));
    await buildWidget(directory);
    sizes = measureBundle(directory);
  }, 60_000);
  afterAll(async () => {
    await rm(directory, { recursive: true, force: true });
  });

  it('keeps statechat.js, which draws the launcher, a classic script within 6 KB', async () => {
    expect(sizes.launcher.gzip).toBeLessThanOrEqual(LAUNCHER_BUDGET);
    // A classic script: `<script src defer>` cannot run import or export statements.
    const code = String(await readFile(join(directory, 'statechat.js')));
    expect(() => new Script(code)).not.toThrow();
  });

  it('does not let everything needed to chat grow past the ratchet', () => {
    expect(sizes.startGzip).toBeLessThanOrEqual(START_RATCHET);
  });

  // Known over budget (see test/bundle/SIZE.md): the controller's dependencies alone exceed it.
  it.fails('keeps everything needed to chat within 35 KB', () => {
    expect(sizes.startGzip).toBeLessThanOrEqual(START_BUDGET);
  });
});
