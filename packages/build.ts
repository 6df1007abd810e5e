/**
 * `npm run build`: the two npm packages of this repository, built from the
 * sources where they live (`flows/`, `widget/`, `relay/`).
 *
 * 1. One `tsc` emit of `packages/tsconfig.build.json` (ES2022 modules,
 *    `.d.ts` beside each `.js`, JSX compiled for Preact, `.ts` import
 *    specifiers rewritten to `.js`) into `packages/.stage/`.
 * 2. `flows/` and `widget/` become `statechat/lib/`, `relay/` becomes
 *    `statechat-relay/lib/`. An import that crosses from one package to the
 *    other is rewritten to the other package's public entry
 *    (`../flows/index.js` → `statechat/flows`); one that reaches anything
 *    else of the other package stops the build.
 * 3. Every bare import of a package's output must be one of its declared
 *    dependencies (or Node's built-ins): the build stops otherwise.
 * 4. Unless `--lib-only`: the script-tag bundle (`test/bundle/build.ts`) in
 *    `statechat/dist/`, copied to the repository's `dist/` as well.
 * 5. LICENSE and README.md beside each package.json.
 * 6. The agent console (`relay/agent-console/ui`) as one browser module in
 *    `statechat-relay/console/`, served by the relay at `/agent`.
 */
import { execFileSync } from 'node:child_process';
import { copyFileSync, cpSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../', import.meta.url));
const packagesDir = join(root, 'packages');
const stage = join(packagesDir, '.stage');

interface PackagePlan {
  name: 'statechat' | 'statechat-relay';
  directory: string;
  /** Staged folders (relative to the stage) and where they go (relative to the package). */
  sources: Array<{ from: string; to: string }>;
}

const statechat: PackagePlan = {
  name: 'statechat',
  directory: join(packagesDir, 'statechat'),
  sources: [
    { from: 'flows', to: 'lib/flows' },
    { from: 'widget', to: 'lib/widget' },
  ],
};
const relay: PackagePlan = {
  name: 'statechat-relay',
  directory: join(packagesDir, 'statechat-relay'),
  sources: [{ from: 'relay', to: 'lib' }],
};

/** The public entries one package may import from the other: staged path (no extension) → specifier. */
const crossPackageEntries: Record<PackagePlan['name'], Map<string, string>> = {
  'statechat-relay': new Map([
    ['flows/index', 'statechat/flows'],
    ['widget/index', 'statechat/widget'],
    ['widget/engine/index', 'statechat/engine'],
    ['widget/nlu/index', 'statechat/nlu'],
  ]),
  // The `statechat relay` subcommand hands over to the relay package when it is installed.
  statechat: new Map([['relay/cli/relay-command', 'statechat-relay/cli']]),
};

function listFiles(directory: string): string[] {
  return readdirSync(directory, { recursive: true, encoding: 'utf8' })
    .map((name) => join(directory, name))
    .filter((path) => statSync(path).isFile());
}

function packageOf(stagedPath: string): PackagePlan | undefined {
  const inside = relative(stage, stagedPath).split(sep).join('/');
  return [statechat, relay].find((plan) => plan.sources.some((source) => inside === source.from || inside.startsWith(`${source.from}/`)));
}

const SPECIFIER = /(\bfrom\s*|\bimport\s*\(\s*|\bimport\s+)(['"])([^'"\n]+)\2/g;

/**
 * Rewrites one staged file's import specifiers for the package it goes to,
 * and collects its bare imports. `.d.ts` files get `.ts` specifiers turned
 * into `.js` (declaration emit keeps them as written).
 */
function rewriteImports(stagedPath: string, plan: PackagePlan, bareImports: Map<string, string>): string {
  const text = readFileSync(stagedPath, 'utf8');
  return text.replace(SPECIFIER, (whole, lead: string, quote: string, specifier: string) => {
    if (!specifier.startsWith('.')) {
      bareImports.set(specifier, relative(stage, stagedPath));
      return whole;
    }
    const written = specifier.replace(/\.(m|c)?tsx?$/, (_extension, kind: string | undefined) => `.${kind ?? ''}js`);
    const target = resolve(dirname(stagedPath), written);
    if (packageOf(target) === plan) return `${lead}${quote}${written}${quote}`;
    const key = relative(stage, target).split(sep).join('/').replace(/\.(d\.ts|js)$/, '');
    const mapped = crossPackageEntries[plan.name].get(key);
    if (mapped === undefined) {
      throw new Error(`${relative(stage, stagedPath)} imports ${specifier}, which belongs to another package and is not one of its public entries`);
    }
    bareImports.set(mapped, relative(stage, stagedPath));
    return `${lead}${quote}${mapped}${quote}`;
  });
}

function packageName(specifier: string): string {
  const parts = specifier.split('/');
  return specifier.startsWith('@') ? parts.slice(0, 2).join('/') : (parts[0] as string);
}

function checkDeclaredDependencies(plan: PackagePlan, bareImports: Map<string, string>): void {
  const manifest = JSON.parse(readFileSync(join(plan.directory, 'package.json'), 'utf8')) as {
    dependencies?: Record<string, string>;
    peerDependencies?: Record<string, string>;
  };
  const declared = new Set([...Object.keys(manifest.dependencies ?? {}), ...Object.keys(manifest.peerDependencies ?? {}), plan.name]);
  const builtins = new Set(builtinModules);
  const undeclared = [...bareImports]
    .filter(([specifier]) => !specifier.startsWith('node:') && !builtins.has(specifier) && !declared.has(packageName(specifier)))
    .map(([specifier, file]) => `${specifier} (imported by ${file})`);
  if (undeclared.length > 0) throw new Error(`${plan.name} imports packages its package.json does not declare: ${undeclared.join(', ')}`);
}

function buildLibrary(plan: PackagePlan): void {
  rmSync(join(plan.directory, 'lib'), { recursive: true, force: true });
  const bareImports = new Map<string, string>();
  for (const source of plan.sources) {
    for (const stagedPath of listFiles(join(stage, source.from))) {
      const destination = join(plan.directory, source.to, relative(join(stage, source.from), stagedPath));
      mkdirSync(dirname(destination), { recursive: true });
      if (/\.(js|d\.ts)$/.test(stagedPath)) writeFileSync(destination, rewriteImports(stagedPath, plan, bareImports));
      else copyFileSync(stagedPath, destination);
    }
  }
  checkDeclaredDependencies(plan, bareImports);
  copyFileSync(join(root, 'LICENSE'), join(plan.directory, 'LICENSE'));
  copyFileSync(join(root, 'README.md'), join(plan.directory, 'README.md'));
}

export async function buildPackages(options: { libOnly?: boolean } = {}): Promise<void> {
  rmSync(stage, { recursive: true, force: true });
  execFileSync(process.execPath, [join(root, 'node_modules/typescript/bin/tsc'), '-p', join(packagesDir, 'tsconfig.build.json')], { stdio: 'inherit' });
  // The example flows are data, not imports of the sources: copied as they are.
  for (const name of readdirSync(join(root, 'flows')).filter((file) => file.endsWith('.json'))) {
    copyFileSync(join(root, 'flows', name), join(stage, 'flows', name));
  }
  buildLibrary(statechat);
  buildLibrary(relay);
  rmSync(stage, { recursive: true, force: true });
  // The agent console the relay serves at /agent: a browser bundle, built with the relay's library.
  const { buildAgentConsole } = await import('./agent-console.ts');
  await buildAgentConsole(join(relay.directory, 'console'));
  if (options.libOnly) return;

  const { buildWidget } = await import('../test/bundle/build.ts');
  const bundleDir = join(statechat.directory, 'dist');
  rmSync(bundleDir, { recursive: true, force: true });
  await buildWidget(`${bundleDir}/`);
  // The repository's own dist/ keeps the script-tag bundle too (the demo build writes dist/demo beside it).
  const rootDist = join(root, 'dist');
  mkdirSync(rootDist, { recursive: true });
  for (const name of readdirSync(rootDist).filter((file) => /^statechat.*\.js$/.test(file))) rmSync(join(rootDist, name));
  cpSync(bundleDir, rootDist, { recursive: true });
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  await buildPackages({ libOnly: process.argv.includes('--lib-only') });
  if (!existsSync(join(statechat.directory, 'lib/widget/index.js'))) throw new Error('the build wrote no statechat/lib/widget/index.js');
}
