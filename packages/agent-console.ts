/**
 * Builds the agent console (`relay/agent-console/ui`, Preact) into one ES
 * module, `statechat-relay/console/agent-console.js`, which the relay serves
 * at `/agent/console.js`. Run by `npm run build` and `npm run build:lib`.
 */
import { fileURLToPath } from 'node:url';
import { build } from 'vite';

const root = fileURLToPath(new URL('../', import.meta.url));

export async function buildAgentConsole(outDir = `${root}packages/statechat-relay/console`): Promise<void> {
  await build({
    configFile: false,
    root,
    logLevel: 'warn',
    define: { 'process.env.NODE_ENV': '"production"' },
    oxc: { jsx: { development: false } },
    build: {
      outDir,
      emptyOutDir: true,
      target: 'es2022',
      minify: true,
      sourcemap: false,
      copyPublicDir: false,
      reportCompressedSize: false,
      modulePreload: false,
      rolldownOptions: {
        input: { 'agent-console': `${root}relay/agent-console/ui/main.tsx` },
        output: { format: 'es', entryFileNames: '[name].js', codeSplitting: false },
      },
    },
  });
}
