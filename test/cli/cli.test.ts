import { execFile } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { main } from '../../flows/cli/main.ts';

const root = fileURLToPath(new URL('../../', import.meta.url));
const run = promisify(execFile);

async function capture(argv: string[]): Promise<{ code: number; out: string[]; err: string[] }> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await main(argv, { out: (line) => out.push(line), err: (line) => err.push(line) });
  return { code, out, err };
}

describe('statechat validate', () => {
  it('accepts the example flows', async () => {
    const result = await capture(['validate', join(root, 'flows/reservations.flow.json'), join(root, 'flows/order-tracking.flow.json')]);
    expect(result.err).toEqual([]);
    expect(result.out).toEqual([expect.stringMatching(/reservations\.flow\.json: ok \(reservations 2\.1\.0, 17 states\)/), expect.stringMatching(/order-tracking\.flow\.json: ok/)]);
    expect(result.code).toBe(0);
  });

  it('prints file:path: message lines and fails on any error', async () => {
    const directory = await mkdtemp(join(tmpdir(), 'statechat-'));
    const file = join(directory, 'broken.flow.json');
    await writeFile(file, JSON.stringify({ meta: { name: 'x' }, start: 'Colect', intents: {}, states: { Collect: { final: true } } }));
    const result = await capture(['validate', file]);
    expect(result.code).toBe(1);
    expect(result.err).toContain(`${file}:/start: error: unknown state "Colect" (did you mean "Collect"?)`);
  });

  it('says when a file cannot be read or is not JSON', async () => {
    const directory = await mkdtemp(join(tmpdir(), 'statechat-'));
    const file = join(directory, 'bad.json');
    await writeFile(file, '{ nope');
    const result = await capture(['validate', file, join(directory, 'missing.json')]);
    expect(result.code).toBe(1);
    expect(result.err.join('\n')).toMatch(/bad\.json:\/: error: not valid JSON/);
    expect(result.err.join('\n')).toMatch(/missing\.json: cannot read: ENOENT/);
  });

  it('runs as the installed bin (the built package, npm run build:lib)', async () => {
    const manifest = JSON.parse(readFileSync(join(root, 'packages/statechat/package.json'), 'utf8')) as { bin: { statechat: string } };
    const bin = join(root, 'packages/statechat', manifest.bin.statechat);
    const { stdout } = await run('node', [bin, 'validate', 'flows/reservations.flow.json'], { cwd: root });
    expect(stdout).toContain('reservations.flow.json: ok');
    await expect(run('node', [bin, 'frobnicate'], { cwd: root })).rejects.toMatchObject({ code: 2 });
    const relay = await run('node', [bin, 'relay', '--help'], { cwd: root });
    expect(relay.stdout).toMatch(/^usage: statechat-relay --flows <dir>/);
  });
});

describe('statechat test', () => {
  it('passes every transcript of the example flows and covers every state and transition', async () => {
    const files = readdirSync(join(root, 'test/conversations'))
      .filter((name) => name.endsWith('.yaml'))
      .map((name) => join(root, 'test/conversations', name));
    expect(files.length).toBeGreaterThanOrEqual(5);
    const result = await capture(['test', ...files]);
    expect(result.out.filter((line) => line.includes('✗'))).toEqual([]);
    expect(result.code).toBe(0);
    expect(result.out.at(-1)).toMatch(/^\d+ passed, 0 failed$/);
    const coverageLines = result.out.filter((line) => line.startsWith('coverage'));
    expect(coverageLines).toHaveLength(3);
    for (const line of coverageLines) {
      const [, statesCovered, statesTotal, edgesCovered, edgesTotal] = /states (\d+)\/(\d+), transitions (\d+)\/(\d+)/.exec(line) ?? [];
      expect(statesCovered).toBe(statesTotal);
      expect(edgesCovered).toBe(edgesTotal);
    }
  });

  it('shows expected against actual and exits non-zero on a failure', async () => {
    const directory = await mkdtemp(join(tmpdir(), 'statechat-'));
    const file = join(directory, 'failing.yaml');
    await writeFile(
      file,
      [`flow: ${join(root, 'flows/reservations.flow.json')}`, 'conversations:', '  - name: wrong turn', '    steps:', '      - user: "book"', '        intent: BOOK', '      - state: Confirm'].join('\n'),
    );
    const result = await capture(['test', '--scripted-only', file]);
    expect(result.code).toBe(1);
    expect(result.out).toContain('  ✗ wrong turn');
    expect(result.out).toContain('      step 2: expected state Confirm');
    expect(result.out).toContain('              actual   state CollectPartySize');
    expect(result.out.at(-1)).toBe('0 passed, 1 failed');
  });

  it('reports a malformed transcript instead of crashing', async () => {
    const directory = await mkdtemp(join(tmpdir(), 'statechat-'));
    const file = join(directory, 'empty.yaml');
    await writeFile(file, 'flow: 3\n');
    const result = await capture(['test', file]);
    expect(result.code).toBe(1);
    expect(result.err.join('\n')).toContain('"flow" must be the path of a flow file');
  });
});
