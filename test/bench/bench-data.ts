/**
 * Where the shared benchmark data is. It lives beside the repository, never
 * inside it: `../shared/bench` for a clone next to it, `../../shared/bench`
 * for a git worktree one folder deeper. `STATECHAT_BENCH_DATA` names the
 * folder that holds `nlu/`, `sgd/`, … and wins over both.
 */
import { existsSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const repositoryRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

/** The folder of one benchmark data set (`nlu`, `sgd`, `pii`); throws with every place tried when none exists. */
export function benchDataDirectory(name: string): string {
  const fromEnvironment = process.env.STATECHAT_BENCH_DATA;
  const candidates = fromEnvironment
    ? [resolve(fromEnvironment, name)]
    : [resolve(repositoryRoot, '../shared/bench', name), resolve(repositoryRoot, '../../shared/bench', name), resolve('/work/shared/bench', name)];
  const found = candidates.find((candidate) => existsSync(candidate));
  if (found === undefined) {
    throw new Error(`No benchmark data "${name}" in ${candidates.join(', ')}; set STATECHAT_BENCH_DATA to the folder that holds it.`);
  }
  return found;
}
