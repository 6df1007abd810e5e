/**
 * `npm run demo`: the restaurant site with the widget on
 * http://127.0.0.1:5173 (or `PORT`). The relay runs in the page under MSW
 * unless the URL says `?relay=http://127.0.0.1:8787` (`npm run relay`, with
 * `ALLOWED_ORIGINS=http://127.0.0.1:5173`).
 */
import { fileURLToPath } from 'node:url';
import { defineConfig, type Plugin } from 'vite';

const projectRoot = fileURLToPath(new URL('../', import.meta.url));
const port = Number(process.env.PORT ?? 5173);

/** Vite's own banner is silenced with the rest of its info logging: say where the demo is. */
function printUrl(): Plugin {
  return {
    name: 'statechat-demo-url',
    configureServer(server) {
      server.httpServer?.once('listening', () => {
        process.stdout.write(`\n  statechat demo: http://127.0.0.1:${port}/  (PORT=${port}; stop with Ctrl+C)\n\n`);
      });
    },
  };
}

export default defineConfig({
  root: fileURLToPath(new URL('./', import.meta.url)),
  publicDir: 'public',
  logLevel: 'warn',
  plugins: [printUrl()],
  server: {
    host: '127.0.0.1',
    port,
    strictPort: true,
    fs: { allow: [projectRoot] },
  },
  build: { outDir: `${projectRoot}dist/demo`, emptyOutDir: true, target: 'es2022' },
});
