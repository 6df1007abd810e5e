/**
 * `npm run size`: builds the script tag bundle into `dist/`, prints its
 * gzip -9 sizes, rewrites `test/bundle/SIZE.md`, and exits 1 when a budget
 * is exceeded. (`test/bundle/size.test.ts` checks the same budgets in CI.)
 */
import { mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { buildWidget, projectRoot } from './build.ts';
import { CHAT_RATCHET, formatSizes, LAUNCHER_BUDGET, measureBundle, RESERVATION_BUDGET, START_BUDGET } from './measure.ts';

const directory = `${projectRoot}dist`;
mkdirSync(directory, { recursive: true });
// The build writes beside what is there: chunks of an earlier build (other hashes) would be measured too.
for (const name of readdirSync(directory, { withFileTypes: true }).filter((entry) => entry.isFile() && /^statechat.*\.js$/.test(entry.name))) {
  rmSync(`${directory}/${name.name}`);
}
await buildWidget();
const sizes = measureBundle(directory);
const table = formatSizes(sizes);
const date = new Date().toISOString().slice(0, 10);
writeFileSync(
  new URL('./SIZE.md', import.meta.url),
  `# Script tag bundle size\n\nMeasured ${date} with \`npm run size\` (Vite 8 production build, gzip -9, 1 KB = 1024 bytes).\n\n${table}\n`,
);
process.stdout.write(`${table}\n`);
const over =
  sizes.launcher.gzip > LAUNCHER_BUDGET || sizes.launcher.gzip > START_BUDGET || sizes.startGzip > CHAT_RATCHET || sizes.reservation.gzip > RESERVATION_BUDGET;
if (over) process.stderr.write('over budget\n');
process.exitCode = over ? 1 : 0;
