/**
 * Real-browser tests: Debian's Chromium driven by playwright-core, against
 * pages served by a Vite dev server on loopback. Nothing is downloaded.
 *
 * @example
 * ```ts
 * const browser = await launchChromium();
 * const server = await serve(new URL('./pages/', import.meta.url));
 * const page = await browser.newPage();
 * await page.goto(`${server.url}/index.html`);
 * ```
 */
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type BrowserContext, type LaunchOptions } from 'playwright-core';
import { createServer, type InlineConfig, type ViteDevServer } from 'vite';

export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/** Keeps Chromium quiet on a closed network (no background fetches that would be refused). */
export const CHROMIUM_ARGS = [
  '--headless=new',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--disable-dev-shm-usage',
];

function launchOptions(extra: LaunchOptions = {}): LaunchOptions {
  if (!existsSync(CHROMIUM_PATH)) {
    throw new Error(`Chromium not found at ${CHROMIUM_PATH}: run \`apt-get install -y chromium\` (bash .ci/run does)`);
  }
  return { executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS, headless: true, ...extra };
}

export function launchChromium(extra: LaunchOptions = {}): Promise<Browser> {
  return chromium.launch(launchOptions(extra));
}

/** A persistent profile (IndexedDB survives closing pages), removed by `close()`. */
export async function launchPersistent(extra: LaunchOptions = {}): Promise<{ context: BrowserContext; close: () => Promise<void> }> {
  const directory = await mkdtemp(join(tmpdir(), 'statechat-chromium-'));
  const context = await chromium.launchPersistentContext(directory, launchOptions(extra));
  return {
    context,
    close: async () => {
      await context.close();
      await rm(directory, { recursive: true, force: true });
    },
  };
}

export interface Served {
  url: string;
  server: ViteDevServer;
  close: () => Promise<void>;
}

/** Serves `root` (a folder of pages importing the project's TypeScript) with Vite on a free loopback port. */
export async function serve(root: URL | string, config: InlineConfig = {}): Promise<Served> {
  const rootPath = typeof root === 'string' ? root : fileURLToPath(root);
  const server = await createServer({
    configFile: false,
    root: rootPath,
    logLevel: 'error',
    server: { host: '127.0.0.1', port: 0, strictPort: false, fs: { allow: [fileURLToPath(new URL('../../', import.meta.url))] } },
    ...config,
  });
  await server.listen();
  const address = server.httpServer?.address();
  if (!address || typeof address === 'string') throw new Error('the Vite server has no address');
  return { url: `http://127.0.0.1:${address.port}`, server, close: () => server.close() };
}
