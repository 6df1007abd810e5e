/**
 * What the end-to-end tests run against, all on loopback with free ports:
 *
 * - `startDemoSite()`: the demo (`demo/`), built with Vite and served as
 *   static files, so no dev-server dependency optimisation reloads a page
 *   in the middle of a test. Its relay runs in the page under MSW.
 * - `startWidgetSite()`: the script tag build (`dist/` layout) and the pages
 *   in `test/e2e/pages/`, served with a strict Content-Security-Policy, and
 *   a real relay (`createRelay` on node:http) on another origin.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { extname, join, normalize } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'vite';
import reservations from '../../flows/reservations.flow.json' with { type: 'json' };
import { createDemoTools } from '../../relay/demo-tools.ts';
import { createRelay, type RelayOptions, type ToolImplementations } from '../../relay/index.ts';
import { toNodeListener } from '../../relay/node-adapter.ts';
import { buildWidget, projectRoot } from '../bundle/build.ts';
import { xssFlow, xssTools } from './xss-flow.ts';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.svg': 'image/svg+xml',
};

export interface Site {
  url: string;
  close(): Promise<void>;
}

async function listen(server: Server): Promise<string> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

function closeServer(server: Server): Promise<void> {
  server.closeAllConnections();
  return new Promise((resolve) => server.close(() => resolve()));
}

type Listener = (request: IncomingMessage, response: ServerResponse) => void;

/** Serves files from `roots` (first match wins); `headersFor` adds headers per path. */
function staticServer(roots: string[], transform: (path: string, body: Buffer) => Buffer | string, headersFor: (path: string) => Record<string, string>): Server {
  return createServer(staticFiles(roots, transform, headersFor));
}

function staticFiles(roots: string[], transform: (path: string, body: Buffer) => Buffer | string, headersFor: (path: string) => Record<string, string>): Listener {
  return async (request, response) => {
    let path = decodeURIComponent(new URL(request.url ?? '/', 'http://localhost').pathname);
    if (path.endsWith('/')) path += 'index.html';
    const relative = normalize(path).replace(/^([/\\])+/, '');
    if (relative.startsWith('..')) {
      response.writeHead(400).end();
      return;
    }
    for (const root of roots) {
      try {
        const body = await readFile(join(root, relative));
        response.writeHead(200, { 'content-type': TYPES[extname(relative)] ?? 'application/octet-stream', 'cache-control': 'no-store', ...headersFor(path) });
        response.end(transform(path, body));
        return;
      } catch {
        // Not in this root: try the next.
      }
    }
    response.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
  };
}

export async function startDemoSite(): Promise<Site> {
  const outDir = await mkdtemp(join(tmpdir(), 'statechat-demo-'));
  await build({ configFile: `${projectRoot}demo/vite.config.ts`, logLevel: 'error', build: { outDir, emptyOutDir: true } });
  const server = staticServer([outDir], (_path, body) => body, () => ({}));
  const url = await listen(server);
  return {
    url,
    close: async () => {
      await closeServer(server);
      await rm(outDir, { recursive: true, force: true });
    },
  };
}

export interface WidgetSite extends Site {
  relayUrl: string;
  toolRuns: Map<string, number>;
  csp: string;
}

export interface WidgetSiteOptions {
  /**
   * Adds `report-uri <path>` to the CSP: the site keeps every violation report
   * the browsers POST there and lists them on `GET <path>` (JSON). Works with
   * any driver, even one that cannot run a script before the page's own.
   */
  cspReportPath?: string;
  /** More relay options (live handoff). */
  relay?: Partial<RelayOptions>;
}

/** Reads a request body of at most `limit` bytes. */
function readSmallBody(request: IncomingMessage, limit = 64 * 1024): Promise<string> {
  return new Promise((resolve, reject) => {
    let size = 0;
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) request.destroy(new Error('report too large'));
      else chunks.push(chunk);
    });
    request.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    request.on('error', reject);
  });
}

function counted(tools: ToolImplementations, runs: Map<string, number>): ToolImplementations {
  return Object.fromEntries(
    Object.entries(tools).map(([name, tool]) => [
      name,
      {
        ...tool,
        handler: (...call: Parameters<typeof tool.handler>) => {
          runs.set(name, (runs.get(name) ?? 0) + 1);
          return tool.handler(...call);
        },
      },
    ]),
  );
}

export async function startWidgetSite(options: WidgetSiteOptions = {}): Promise<WidgetSite> {
  const bundleDir = await mkdtemp(join(tmpdir(), 'statechat-bundle-'));
  await buildWidget(bundleDir);
  const toolRuns = new Map<string, number>();

  // The pages' origin is known only once listening; CORS reads it per request.
  let siteOrigin = '';
  const relayServer = createServer((incoming, outgoing) => {
    handler(incoming, outgoing).catch(() => outgoing.writeHead(500).end());
  });
  let handler: ReturnType<typeof toNodeListener> = async () => {};
  const relayUrl = await listen(relayServer);

  const reportPath = options.cspReportPath;
  const csp = `default-src 'self'; script-src 'self'; style-src 'self'; connect-src 'self' ${relayUrl}` + (reportPath ? `; report-uri ${reportPath}` : '');
  const pagesDir = fileURLToPath(new URL('./pages/', import.meta.url));
  const reports: unknown[] = [];
  const files = staticFiles(
    [pagesDir, bundleDir],
    (path, body) => (path.endsWith('.html') ? body.toString('utf8').replaceAll('{{RELAY}}', relayUrl) : body),
    (path): Record<string, string> => (path.endsWith('.html') ? { 'content-security-policy': csp } : {}),
  );
  const site = createServer((request, response) => {
    if (!reportPath || new URL(request.url ?? '/', 'http://localhost').pathname !== reportPath) {
      files(request, response);
      return;
    }
    if (request.method === 'POST') {
      readSmallBody(request).then(
        (text) => {
          try {
            reports.push(JSON.parse(text));
          } catch {
            reports.push({ unparsed: text });
          }
          response.writeHead(204).end();
        },
        () => response.writeHead(400).end(),
      );
      return;
    }
    response.writeHead(200, { 'content-type': 'application/json', 'cache-control': 'no-store' }).end(JSON.stringify(reports));
  });
  const url = await listen(site);
  siteOrigin = url;
  handler = toNodeListener(
    createRelay({
      flows: [reservations, xssFlow],
      tools: counted({ ...createDemoTools(), ...xssTools }, toolRuns),
      allowedOrigins: [siteOrigin],
      logger: { info: () => {}, warn: () => {}, error: () => {} },
      ...options.relay,
    }),
  );

  return {
    url,
    relayUrl,
    toolRuns,
    csp,
    close: async () => {
      await Promise.all([closeServer(site), closeServer(relayServer)]);
      await rm(bundleDir, { recursive: true, force: true });
    },
  };
}
