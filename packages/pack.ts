/**
 * `npm run pack -- <dir>`: builds both packages (the libraries and the
 * script-tag bundle) and writes `statechat-<version>.tgz` and
 * `statechat-relay-<version>.tgz` into `<dir>` (created if missing).
 * Prints the tarballs' paths, one a line.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildPackages } from './build.ts';

const root = fileURLToPath(new URL('../', import.meta.url));
export const WORKSPACES = ['packages/statechat', 'packages/statechat-relay'] as const;

interface PackResult {
  filename: string;
}

export async function packPackages(destination: string): Promise<string[]> {
  await buildPackages();
  mkdirSync(destination, { recursive: true });
  // `npm pack` prints its notices on stderr and the JSON on stdout.
  const output = execFileSync('npm', ['pack', '--json', '--pack-destination', destination, ...WORKSPACES.flatMap((workspace) => ['--workspace', workspace])], {
    cwd: root,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  return (JSON.parse(output) as PackResult[]).map((result) => join(destination, result.filename));
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const destination = process.argv[2];
  if (!destination) {
    process.stderr.write('usage: npm run pack -- <dir>\n');
    process.exit(2);
  }
  // npm runs scripts in the repository root; a relative <dir> is taken from where the command was typed.
  for (const tarball of await packPackages(resolve(process.env.INIT_CWD ?? process.cwd(), destination))) process.stdout.write(`${tarball}\n`);
}
