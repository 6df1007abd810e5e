import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Script } from 'node:vm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildWidget } from './build.ts';
import { CHAT_RATCHET, LAUNCHER_BUDGET, measureBundle, RESERVATION_BUDGET, START_BUDGET, type BundleSizes } from './measure.ts';

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

  it('keeps statechat.js, all the script tag loads to start, within 35 KB', () => {
    expect(sizes.launcher.gzip).toBeLessThanOrEqual(START_BUDGET);
  });

  it('holds what opening the chat downloads to its ratchet', () => {
    expect(sizes.startGzip).toBeLessThanOrEqual(CHAT_RATCHET);
  });

  it('keeps a whole reservation with the example flow (app, phone parser, GB numbering) within 80 KB (issue #9)', () => {
    expect(sizes.reservation.files.some((part) => part.file === 'statechat-phone-GB.js')).toBe(true);
    expect(sizes.reservation.files.some((part) => part.file.startsWith('statechat-chunk-full-phone-'))).toBe(true);
    expect(sizes.reservation.gzip).toBeLessThanOrEqual(RESERVATION_BUDGET);
  });

  it('splits phone numbering per region, so a region costs little', async () => {
    expect(sizes.phoneRegions.files).toBeGreaterThan(200);
    const britain = String(await readFile(join(directory, 'statechat-phone-GB.js')));
    expect(britain).toMatch(/["'`]GB["'`]/);
    expect(britain).not.toMatch(/["'`]FR["'`]/);
  });
});
