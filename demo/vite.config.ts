/**
 * `npm run demo`: the restaurant site with the widget on
 * http://127.0.0.1:5173 (or `PORT`). The relay runs in the page under MSW
 * unless the URL says `?relay=http://127.0.0.1:8787` (`npm run relay`, with
 * `ALLOWED_ORIGINS=http://127.0.0.1:5173`).
 */
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

const projectRoot = fileURLToPath(new URL('../', import.meta.url));

export default defineConfig({
  root: fileURLToPath(new URL('./', import.meta.url)),
  publicDir: 'public',
  logLevel: 'warn',
  server: {
    host: '127.0.0.1',
    port: Number(process.env.PORT ?? 5173),
    strictPort: true,
    fs: { allow: [projectRoot] },
  },
  build: { outDir: `${projectRoot}dist/demo`, emptyOutDir: true, target: 'es2022' },
});
