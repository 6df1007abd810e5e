import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const nluDirectory = resolve(dirname(fileURLToPath(import.meta.url)), '../../widget/nlu');

function sources(directory: string): string[] {
  return readdirSync(directory, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory() ? sources(join(directory, entry.name)) : entry.name.endsWith('.ts') ? [join(directory, entry.name)] : [],
  );
}

describe('widget/nlu stays isomorphic', () => {
  const files = sources(nluDirectory);

  it('has sources to check', () => {
    expect(files.length).toBeGreaterThan(5);
  });

  it.each(files.map((file) => [file.slice(nluDirectory.length + 1), file]))('%s uses no Node API, DOM, eval or network', (_name, file) => {
    const source = readFileSync(file, 'utf8');
    expect(source).not.toMatch(/from ['"]node:|require\(|\bprocess\.|\bBuffer\b/);
    expect(source).not.toMatch(/\b(window|document|navigator|localStorage|indexedDB|fetch|XMLHttpRequest)\b(?!\w)/);
    expect(source).not.toMatch(/\beval\(|new Function\(/);
    expect(source).not.toMatch(/\bconsole\./);
  });

  it('imports only the date and phone libraries, and only from the lazily loaded modules', () => {
    for (const file of files) {
      const imports = [...readFileSync(file, 'utf8').matchAll(/(?:from|import\()\s*['"]([^'"]+)['"]/g)].map((match) => match[1] ?? '');
      const external = imports.filter((specifier) => !specifier.startsWith('.'));
      const allowed = file.endsWith('full-temporal.ts')
        ? ['chrono-node']
        : file.endsWith('full-parsers.ts')
          ? ['chrono-node/en', 'chrono-node/fr']
          : file.endsWith('full-phone.ts')
            ? ['libphonenumber-js/core']
            : file.endsWith('phone-metadata.ts')
              ? ['libphonenumber-js/core', 'libphonenumber-js/metadata.min.json']
              : [];
      expect(external.filter((specifier) => !allowed.includes(specifier)), file).toEqual([]);
    }
  });

  it('does no work at import time', async () => {
    const module = await import('../../widget/nlu/index.ts');
    expect(Object.keys(module).sort()).toEqual(['DEFAULT_THRESHOLD', 'basicParsers', 'classifyInContext', 'examplesWithLanguage', 'extractSlots', 'fullParserNeeds', 'loadFullParsers', 'trainClassifier']);
  });
});
