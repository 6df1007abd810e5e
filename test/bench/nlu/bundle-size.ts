/**
 * What the NLU adds to the widget bundle: each part bundled on its own with
 * esbuild (minified, ESM, browser), gzip -9. Lazy chunks (chrono-node,
 * libphonenumber-js) are measured separately; the widget's budget is 35 KB
 * gzip for everything it loads up front.
 *
 *   npx tsx test/bench/nlu/bundle-size.ts
 */
import { build } from 'esbuild';
import { writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';

const nlu = resolve(dirname(fileURLToPath(import.meta.url)), '../../../widget/nlu');

interface Part {
  label: string;
  source: string;
}

const parts: Part[] = [
  { label: 'classifier alone (`trainClassifier`)', source: `export { trainClassifier } from '${nlu}/classifier.ts';` },
  { label: 'slot extraction with the basic parsers (`extractSlots`)', source: `export { extractSlots } from '${nlu}/extract.ts';` },
  { label: 'full date/time parser chunk (chrono-node English)', source: `export { findChronoTemporal } from '${nlu}/parsers/full-temporal.ts';` },
  { label: 'full phone parser chunk (libphonenumber-js, min metadata)', source: `export { findLibphonenumberPhones } from '${nlu}/parsers/full-phone.ts';` },
];

async function measure(source: string, splitting: boolean): Promise<Array<{ path: string; bytes: number; gzip: number }>> {
  const result = await build({
    stdin: { contents: source, resolveDir: nlu, loader: 'ts' },
    bundle: true,
    minify: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    splitting,
    outdir: '/virtual',
    write: false,
    logLevel: 'silent',
  });
  return result.outputFiles.map((file) => ({
    path: file.path.replace('/virtual/', ''),
    bytes: file.contents.byteLength,
    gzip: gzipSync(file.contents, { level: 9 }).byteLength,
  }));
}

const kilobytes = (bytes: number): string => (bytes / 1024).toFixed(1);
const lines = [
  '# NLU bundle size',
  '',
  `Measured ${new Date().toISOString().slice(0, 10)} with esbuild (minified ESM, browser, es2022), gzip -9; rewrite with`,
  '`npx tsx test/bench/nlu/bundle-size.ts`.',
  '',
  '| part | minified KB | gzip -9 KB |',
  '|---|---|---|',
];
for (const part of parts) {
  const [output] = await measure(part.source, false);
  if (output !== undefined) lines.push(`| ${part.label} | ${kilobytes(output.bytes)} | ${kilobytes(output.gzip)} |`);
}
const chunks = await measure(`export * from '${nlu}/index.ts';`, true);
const [entry, ...lazy] = chunks;
if (entry !== undefined) {
  lines.push(`| whole \`statechat/nlu\` entry, loaded up front (classifier + extraction + basic parsers) | ${kilobytes(entry.bytes)} | ${kilobytes(entry.gzip)} |`);
}
for (const chunk of lazy) lines.push(`| lazy chunk of the entry: \`${chunk.path}\` | ${kilobytes(chunk.bytes)} | ${kilobytes(chunk.gzip)} |`);
const output = `${lines.join('\n')}\n`;
process.stdout.write(output);
writeFileSync(resolve(dirname(fileURLToPath(import.meta.url)), 'BUNDLE.md'), output);
