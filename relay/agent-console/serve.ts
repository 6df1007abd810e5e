/**
 * The agent console's page and script, served by the relay at `/agent`
 * (beside the API it calls) under a strict Content-Security-Policy: the
 * page runs one module script from the relay itself and nothing else. The
 * script is built by `npm run build` (Vite, Preact) into
 * `statechat-relay/console/agent-console.js`; the Node server reads it with
 * `loadAgentConsole`.
 */
import type { Hono } from 'hono';

export interface AgentConsoleAssets {
  /** The built console script (an ES module). */
  script: string;
}

export const AGENT_CONSOLE_CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "connect-src 'self'",
  "img-src 'self' data:",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

const PAGE = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<title>Live handoffs — statechat</title>
<script type="module" src="agent/console.js"></script>
</head>
<body>
<div id="statechat-agent-console"></div>
<noscript>The agent console needs JavaScript.</noscript>
</body>
</html>
`;

const SECURITY_HEADERS = {
  'content-security-policy': AGENT_CONSOLE_CSP,
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
};

/** Mounts `GET /agent` (the page) and `GET /agent/console.js`. The page holds no data: the API asks for the agent token. */
export function installAgentConsole<Environment extends object>(app: Hono<Environment>, assets: AgentConsoleAssets): void {
  const page = (): Response =>
    new Response(PAGE, { status: 200, headers: { ...SECURITY_HEADERS, 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-cache' } });
  app.get('/agent', page);
  app.get('/agent/', () => new Response(null, { status: 308, headers: { location: '../agent' } }));
  app.get('/agent/console.js', () =>
    new Response(assets.script, { status: 200, headers: { ...SECURITY_HEADERS, 'content-type': 'text/javascript; charset=utf-8', 'cache-control': 'no-cache' } }),
  );
}
