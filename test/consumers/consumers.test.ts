/**
 * The packages as a user gets them: `npm run pack` writes both tarballs,
 * each consumer is a fresh project that installs them from the tarballs
 * (everything else from the npm registry), with its own npm cache inside
 * this run's temporary directory.
 *
 * - widget only: what `npm install statechat` brings (no server packages), and its size;
 * - a plain Node ESM server (no TypeScript, no loader) mounting the relay in
 *   Express, and the `statechat-relay` / `statechat` commands;
 * - webpack 5 with no loader, esbuild with default options, Vite: each
 *   bundles `statechat/widget`, and the widget opens and answers in Chromium;
 * - `tsc --noEmit` of a strict consumer, `moduleResolution` bundler and node16.
 *
 * Writes the sizes to test/consumers/RESULTS.md.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { packPackages } from '../../packages/pack.ts';

const root = fileURLToPath(new URL('../../', import.meta.url));
const fixtures = join(root, 'test/consumers/fixtures');
const work = mkdtempSync(join(tmpdir(), 'statechat-consumers-'));
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const SERVER_PACKAGES = ['openai', 'hono', '@hono/node-server', 'pino', 'ioredis', 'tsx', 'esbuild', 'typescript'];

/** npm for the fixtures: this run's own cache, no audit, no lockfile noise. */
const npmEnv: NodeJS.ProcessEnv = {
  ...process.env,
  npm_config_cache: join(work, 'npm-cache'),
  npm_config_audit: 'false',
  npm_config_fund: 'false',
  npm_config_update_notifier: 'false',
  npm_config_loglevel: 'error',
};

interface RunResult {
  stdout: string;
  stderr: string;
  code: number;
}

function run(command: string, args: string[], cwd: string, env: NodeJS.ProcessEnv = npmEnv): Promise<RunResult> {
  return new Promise((resolveRun) => {
    execFile(command, args, { cwd, env, maxBuffer: 64 * 1024 * 1024 }, (error, stdout, stderr) => {
      const code = error ? (typeof error.code === 'number' ? error.code : 1) : 0;
      resolveRun({ stdout, stderr, code });
    });
  });
}

async function mustRun(command: string, args: string[], cwd: string, env?: NodeJS.ProcessEnv): Promise<RunResult> {
  const result = await run(command, args, cwd, env);
  if (result.code !== 0) throw new Error(`${command} ${args.join(' ')} (in ${cwd}) exited ${result.code}\n${result.stdout}\n${result.stderr}`);
  return result;
}

/** A fresh project: the fixture's files plus a package.json, then `npm install` of the given specs. */
async function project(name: string, sources: string[], install: string[]): Promise<string> {
  const directory = join(work, name);
  mkdirSync(directory, { recursive: true });
  for (const source of sources) cpSync(join(fixtures, source), directory, { recursive: true });
  writeFileSync(join(directory, 'package.json'), `${JSON.stringify({ name: `consumer-${name}`, private: true, type: 'module' }, null, 2)}\n`);
  await mustRun('npm', ['install', '--no-audit', '--no-fund', ...install], directory);
  return directory;
}

function freePort(): Promise<number> {
  return new Promise((resolvePort, rejectPort) => {
    const server = createServer();
    server.once('error', rejectPort);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolvePort(address.port) : rejectPort(new Error('no port'))));
    });
  });
}

/** Starts a server process and resolves once `url` answers. */
async function startProcess(command: string, args: string[], cwd: string, env: NodeJS.ProcessEnv, url: string): Promise<{ child: ChildProcess; output: () => string }> {
  const child = spawn(command, args, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`${command} ${args.join(' ')} exited ${child.exitCode}: ${output}`);
    try {
      const response = await fetch(url);
      if (response.ok) return { child, output: () => output };
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      child.kill('SIGTERM');
      throw new Error(`${url} did not answer within 30 s: ${output}`);
    }
    await new Promise((resolveWait) => setTimeout(resolveWait, 150));
  }
}

function stopProcess(child: ChildProcess | undefined): Promise<void> {
  if (!child || child.exitCode !== null) return Promise.resolve();
  return new Promise((resolveStop) => {
    child.once('exit', () => resolveStop());
    child.kill('SIGTERM');
  });
}

function directorySize(directory: string): { bytes: number; files: number } {
  let bytes = 0;
  let files = 0;
  for (const name of readdirSync(directory, { recursive: true, encoding: 'utf8' })) {
    const stats = statSync(join(directory, name), { throwIfNoEntry: false });
    if (stats?.isFile()) {
      bytes += stats.size;
      files += 1;
    }
  }
  return { bytes, files };
}

/** Packages under node_modules (scoped ones by their full name, nested copies too). */
function installedPackages(modules: string): string[] {
  const names = new Set<string>();
  for (const name of readdirSync(modules, { recursive: true, encoding: 'utf8' })) {
    if (!name.endsWith('package.json')) continue;
    const parts = ['node_modules', ...name.split('/')];
    const folder = parts.at(-2) as string;
    const parent = parts.at(-3) as string;
    if (parent === 'node_modules' && !folder.startsWith('.')) names.add(folder);
    else if (parent.startsWith('@') && parts.at(-4) === 'node_modules') names.add(`${parent}/${folder}`);
  }
  return [...names];
}

interface BundleSize {
  bundler: string;
  version: string;
  preact: string;
  files: number;
  entryBytes: number;
  entryGzip: number;
  totalBytes: number;
  totalGzip: number;
}

function measureBundle(bundler: string, directory: string, outDir: string, entry: string): BundleSize {
  const scripts = readdirSync(outDir, { recursive: true, encoding: 'utf8' }).filter((name) => name.endsWith('.js'));
  const sizes = scripts.map((name) => {
    const bytes = readFileSync(join(outDir, name));
    return { name, raw: bytes.length, gzip: gzipSync(bytes, { level: 9 }).length };
  });
  const entrySize = sizes.find((size) => size.name === entry);
  if (!entrySize) throw new Error(`${bundler}: no ${entry} in ${outDir} (${scripts.join(', ')})`);
  const version = (name: string) => (JSON.parse(readFileSync(join(directory, 'node_modules', name, 'package.json'), 'utf8')) as { version: string }).version;
  return {
    bundler,
    version: version(bundler),
    preact: version('preact'),
    files: sizes.length,
    entryBytes: entrySize.raw,
    entryGzip: entrySize.gzip,
    totalBytes: sizes.reduce((sum, size) => sum + size.raw, 0),
    totalGzip: sizes.reduce((sum, size) => sum + size.gzip, 0),
  };
}

const kb = (bytes: number) => `${(bytes / 1024).toFixed(1)} KB`;
const mb = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(1)} MB`;

let tarballs: { statechat: string; relay: string };
const results = {
  tarballs: [] as Array<{ name: string; bytes: number }>,
  widgetOnly: undefined as { bytes: number; files: number; packages: string[] } | undefined,
  bundles: [] as BundleSize[],
  typescript: [] as string[],
};
/** Where each bundler wrote the app (served by the relay server for the browser check). */
const apps = new Map<string, string>();

beforeAll(async () => {
  const [statechat, relay] = await packPackages(join(work, 'tarballs'));
  if (!statechat?.includes('statechat-0') || !relay?.includes('statechat-relay-0')) throw new Error(`unexpected tarballs: ${statechat}, ${relay}`);
  tarballs = { statechat, relay };
  results.tarballs = [statechat, relay].map((path) => ({ name: relative(join(work, 'tarballs'), path), bytes: statSync(path).size }));
});

afterAll(() => {
  if (results.widgetOnly && results.bundles.length === 3) writeResults();
  rmSync(work, { recursive: true, force: true });
});

describe('the tarballs', () => {
  it('hold the built JavaScript, declarations, the script-tag bundle and a LICENSE, and no sources, tests or demo', async () => {
    const list = async (tarball: string) => (await mustRun('tar', ['tzf', tarball], work)).stdout.trim().split('\n');
    const statechat = await list(tarballs.statechat);
    const relay = await list(tarballs.relay);
    for (const files of [statechat, relay]) {
      expect(files).toContain('package/LICENSE');
      expect(files).toContain('package/README.md');
      expect(files.filter((file) => /\.(ts|tsx|mts)$/.test(file) && !file.endsWith('.d.ts'))).toEqual([]);
      expect(files.filter((file) => /^package\/(test|demo|node_modules)\//.test(file))).toEqual([]);
    }
    for (const file of ['lib/widget/index.js', 'lib/widget/index.d.ts', 'lib/flows/index.js', 'lib/widget/engine/index.js', 'lib/widget/nlu/index.d.ts', 'lib/flows/flow.schema.json', 'lib/flows/reservations.flow.json', 'bin/statechat.js', 'lib/flows/authoring/index.d.ts', 'dist/statechat.js', 'dist/statechat-app.js']) {
      expect(statechat).toContain(`package/${file}`);
    }
    expect(statechat.filter((file) => file.startsWith('package/lib/relay'))).toEqual([]);
    for (const file of ['lib/index.js', 'lib/index.d.ts', 'lib/node-adapter.js', 'bin/statechat-relay.js']) expect(relay).toContain(`package/${file}`);
  });

  it('pass npm publish --dry-run with nothing for npm to correct', async () => {
    const result = await mustRun('npm', ['publish', '--dry-run', '--workspace', 'packages/statechat', '--workspace', 'packages/statechat-relay'], root, {
      ...npmEnv,
      npm_config_loglevel: 'warn',
    });
    const warnings = result.stderr.split('\n').filter((line) => line.includes('npm warn') && !line.includes('requires you to be logged in'));
    expect(warnings).toEqual([]);
    expect(result.stdout).toContain('+ statechat@');
    expect(result.stdout).toContain('+ statechat-relay@');
  });
});

describe('a widget-only install', () => {
  it('brings statechat and preact and no server package', async () => {
    const directory = await project('widget-only', [], [tarballs.statechat]);
    const modules = join(directory, 'node_modules');
    const packages = installedPackages(modules);
    expect(packages).toContain('statechat');
    expect(packages).toContain('preact');
    expect(packages.filter((name) => SERVER_PACKAGES.includes(name) || name === 'statechat-relay')).toEqual([]);
    results.widgetOnly = { ...directorySize(modules), packages: packages.sort() };
    // The flow authors' command works from this install.
    const validate = await mustRun(join(modules, '.bin/statechat'), ['validate', join(modules, 'statechat/lib/flows/reservations.flow.json')], directory);
    expect(validate.stdout).toContain('reservations.flow.json: ok');
    const relayCommand = await run(join(modules, '.bin/statechat'), ['relay', '--flows', '.'], directory);
    expect(relayCommand.code).toBe(1);
    expect(relayCommand.stderr).toContain('npm install statechat-relay');
  });
});

describe('bundlers, each building the minimal mount-the-widget app from statechat/widget', () => {
  it('webpack 5 with no loader (and preact 10, inside the peer range)', async () => {
    const directory = await project('webpack', ['widget-app', 'webpack'], [tarballs.statechat, 'preact@^10.19.0', 'webpack@^5']);
    await mustRun(process.execPath, ['build.mjs'], directory);
    cpSync(join(directory, 'classic.html'), join(directory, 'out/index.html'));
    results.bundles.push(measureBundle('webpack', directory, join(directory, 'out'), 'main.js'));
    apps.set('webpack', join(directory, 'out'));
  });

  it('esbuild with its default options', async () => {
    const directory = await project('esbuild', ['widget-app'], [tarballs.statechat, 'esbuild@^0']);
    await mustRun(join(directory, 'node_modules/.bin/esbuild'), ['main.js', '--bundle', '--outfile=out/main.js'], directory);
    cpSync(join(directory, 'classic.html'), join(directory, 'out/index.html'));
    results.bundles.push(measureBundle('esbuild', directory, join(directory, 'out'), 'main.js'));
    apps.set('esbuild', join(directory, 'out'));
  });

  it('Vite', async () => {
    const directory = await project('vite', ['widget-app'], [tarballs.statechat, 'vite@^8']);
    await mustRun(join(directory, 'node_modules/.bin/vite'), ['build', '--base', './', '--outDir', 'out'], directory);
    const entry = readdirSync(join(directory, 'out/assets')).find((name) => /^index-.*\.js$/.test(name));
    results.bundles.push(measureBundle('vite', directory, join(directory, 'out'), `assets/${entry}`));
    apps.set('vite', join(directory, 'out'));
  });
});

describe('a plain Node 20 ESM server mounting the relay in Express', () => {
  let relayServer: string;
  let child: ChildProcess | undefined;
  let browser: Browser | undefined;
  let origin: string;

  beforeAll(async () => {
    relayServer = await project('relay-server', ['relay-server'], [tarballs.statechat, tarballs.relay, 'express@^5']);
    const port = await freePort();
    origin = `http://127.0.0.1:${port}`;
    // The script tag, as a site uses it from the package's dist/ (copied to its static files or from an npm CDN).
    const scriptTagPage = join(work, 'script-tag');
    mkdirSync(scriptTagPage, { recursive: true });
    writeFileSync(
      join(scriptTagPage, 'index.html'),
      `<!doctype html>\n<html lang="en"><head><meta charset="utf-8"><title>script tag</title><link rel="icon" href="data:,">\n` +
        `<script src="/cdn/statechat/dist/statechat.js" data-relay="${origin}/statechat" data-flow="reservations" data-storage="memory" defer></script>\n` +
        `</head><body><h1>A page with the script tag</h1></body></html>\n`,
    );
    apps.set('script-tag', scriptTagPage);
    apps.set('cdn/statechat', join(relayServer, 'node_modules/statechat'));
    const staticDirs = [...apps].map(([bundler, directory]) => `/${bundler}=${directory}`).join(',');
    ({ child } = await startProcess(process.execPath, ['server.mjs'], relayServer, { ...process.env, PORT: String(port), STATIC_DIRS: staticDirs }, `${origin}/statechat/v1/health`));
  });

  afterAll(async () => {
    await browser?.close();
    await stopProcess(child);
  });

  it('installs no TypeScript loader', () => {
    const packages = installedPackages(join(relayServer, 'node_modules'));
    expect(packages).toContain('statechat-relay');
    expect(packages).toContain('openai');
    expect(packages.filter((name) => ['tsx', 'typescript', 'esbuild', 'ts-node'].includes(name))).toEqual([]);
  });

  it('answers /v1/health, checks a tool call\'s arguments and refuses one that no conversation reached', async () => {
    const health = await fetch(`${origin}/statechat/v1/health`);
    expect(health.status).toBe(200);
    const tool = await fetch(`${origin}/statechat/v1/tools/CheckAvailability`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'idempotency-key': 'consumer-test-0001' },
      body: JSON.stringify({ flowId: 'reservations', sessionId: 'consumer', args: { date: '2026-12-24', time: '19:30', partySize: 4 } }),
    });
    // Issue #12: the installed relay runs a tool only for a conversation that reached it (a journal as proof).
    expect(tool.status).toBe(403);
    expect(await tool.json()).toMatchObject({ error: { code: 'conversation_unverified' } });
    const refused = await fetch(`${origin}/statechat/v1/tools/CheckAvailability`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'idempotency-key': 'consumer-test-0002' },
      body: JSON.stringify({ flowId: 'reservations', sessionId: 'consumer', args: { date: '2026-12-24', partySize: 'four' } }),
    });
    expect(refused.status).toBe(422);
  });

  it.each(['webpack', 'esbuild', 'vite', 'script-tag'])('serves the %s app, whose widget opens and answers a message in Chromium', async (bundler) => {
    expect(apps.get(bundler), `${bundler} built its app`).toBeDefined();
    browser ??= await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    });
    const page = await browser.newPage();
    const errors: string[] = [];
    page.on('pageerror', (error) => errors.push(error.message));
    page.on('console', (message) => {
      // Failed requests are reported with their address by the response listener.
      if (message.type() === 'error' && !message.text().startsWith('Failed to load resource')) errors.push(message.text());
    });
    page.on('response', (response) => {
      if (response.status() >= 400) errors.push(`${response.status()} ${response.url()}`);
    });
    try {
      await page.goto(`${origin}/${bundler}/index.html`);
      await page.getByRole('button', { name: 'Open chat', exact: true }).click();
      const log = page.getByRole('log');
      await log.getByText('Welcome to Chez Statechat').waitFor({ timeout: 15_000 });
      await page.getByRole('textbox', { name: 'Message', exact: true }).fill("I'd like to book a table");
      await page.keyboard.press('Enter');
      await log.getByText('How many people?').waitFor({ timeout: 15_000 });
      expect(errors).toEqual([]);
    } finally {
      await page.close();
    }
  });

  it('runs the statechat-relay command with a .js tools module, and says what a .ts one needs', async () => {
    mkdirSync(join(relayServer, 'flows'), { recursive: true });
    cpSync(join(relayServer, 'node_modules/statechat/lib/flows/reservations.flow.json'), join(relayServer, 'flows/reservations.flow.json'));
    const port = await freePort();
    const command = join(relayServer, 'node_modules/.bin/statechat-relay');
    const { child: cli } = await startProcess(command, ['--flows', 'flows', '--tools', 'tools.mjs', '--port', String(port)], relayServer, process.env, `http://127.0.0.1:${port}/v1/health`);
    try {
      const tool = await fetch(`http://127.0.0.1:${port}/v1/tools/CheckAvailability`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'idempotency-key': 'consumer-cli-0001' },
        body: JSON.stringify({ flowId: 'reservations', sessionId: 'consumer', args: { date: '2026-12-24', time: '23:30', partySize: 2 } }),
      });
      // The tools module's CheckAvailability was found (else 403 tool_not_allowed) and the arguments passed; no conversation, no run.
      expect(await tool.json()).toMatchObject({ error: { code: 'conversation_unverified' } });
    } finally {
      await stopProcess(cli);
    }
    const typescript = await run(command, ['--flows', 'flows', '--tools', 'tools.ts', '--port', '0'], relayServer, process.env);
    expect(typescript.code).toBe(1);
    expect(typescript.stderr).toContain('install tsx');
  });

  it('loads a .ts tools module once the optional tsx peer is installed', async () => {
    await mustRun('npm', ['install', '--no-audit', '--no-fund', '--save-dev', 'tsx@^4.19.0'], relayServer);
    const port = await freePort();
    const command = join(relayServer, 'node_modules/.bin/statechat-relay');
    const { child: cli } = await startProcess(command, ['--flows', 'flows', '--tools', 'tools.ts', '--port', String(port)], relayServer, process.env, `http://127.0.0.1:${port}/v1/health`);
    try {
      const tool = await fetch(`http://127.0.0.1:${port}/v1/tools/CheckAvailability`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'idempotency-key': 'consumer-cli-0002' },
        body: JSON.stringify({ flowId: 'reservations', sessionId: 'consumer', args: { date: '2026-12-24', time: '23:30', partySize: 2 } }),
      });
      // The TypeScript module loaded (without tsx the command exits 1) and declares the tool; no conversation, no run.
      expect(await tool.json()).toMatchObject({ error: { code: 'conversation_unverified' } });
    } finally {
      await stopProcess(cli);
    }
  });
});

describe('tsc --noEmit in a strict consumer (exactOptionalPropertyTypes, noPropertyAccessFromIndexSignature, skipLibCheck false)', () => {
  let directory: string;
  beforeAll(async () => {
    directory = await project('types', ['types'], [tarballs.statechat, tarballs.relay, 'express@^5', '@types/express@^5', '@types/node@^20', 'typescript@^5.9']);
  });

  it.each([
    ['bundler', 'tsconfig.bundler.json'],
    ['node16', 'tsconfig.node16.json'],
    ['bundler, a browser app without @types/node', 'tsconfig.browser.json'],
  ])('has no errors with moduleResolution %s', async (resolution, config) => {
    const result = await run(join(directory, 'node_modules/.bin/tsc'), ['-p', config], directory);
    expect(result.stdout + result.stderr).toBe('');
    expect(result.code).toBe(0);
    const version = (JSON.parse(readFileSync(join(directory, 'node_modules/typescript/package.json'), 'utf8')) as { version: string }).version;
    results.typescript.push(`TypeScript ${version}, moduleResolution ${resolution}: 0 errors`);
  });
});

function writeResults(): void {
  const widget = results.widgetOnly;
  if (!widget) return;
  const lines = [
    '# Consumer tests: install and bundle sizes',
    '',
    `Command: \`npm run test:consumers\` (\`test/consumers/consumers.test.ts\`), Node ${process.version}. Both packages are packed with`,
    '`npm run pack` and installed from the tarballs into fresh projects; everything else comes from the npm registry.',
    '',
    '## Tarballs',
    '',
    '| tarball | size |',
    '|---|---|',
    ...results.tarballs.map((tarball) => `| \`${tarball.name}\` | ${kb(tarball.bytes)} |`),
    '',
    '## Widget-only install (`npm install statechat`)',
    '',
    `node_modules: **${mb(widget.bytes)}** in ${widget.files} files, ${widget.packages.length} packages: ${widget.packages.map((name) => `\`${name}\``).join(', ')}.`,
    '',
    '## The minimal mount-the-widget app, per bundler',
    '',
    '`test/consumers/fixtures/widget-app/main.js`: `createChat` + `mount` from `statechat/widget`, production build.',
    'The entry is what the page loads first; the rest (the UI, the full date and phone parsers) loads when',
    'the chat is used. esbuild with default options has no code splitting, so everything is in its entry.',
    '',
    '| bundler | preact | files | entry | entry gzip | all JS | all JS gzip |',
    '|---|---|---|---|---|---|---|',
    ...results.bundles.map(
      (size) => `| ${size.bundler} ${size.version} | ${size.preact} | ${size.files} | ${kb(size.entryBytes)} | ${kb(size.entryGzip)} | ${kb(size.totalBytes)} | ${kb(size.totalGzip)} |`,
    ),
    '',
    '## Types',
    '',
    ...results.typescript.map((line) => `* ${line}`),
    '',
  ];
  writeFileSync(join(root, 'test/consumers/RESULTS.md'), lines.join('\n'));
}

// The fixtures must exist where the test expects them.
if (!existsSync(join(fixtures, 'widget-app/main.js'))) throw new Error(`missing fixtures in ${fixtures}`);
