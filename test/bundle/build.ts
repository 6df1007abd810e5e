/**
 * `npm run build`: the script tag build in `dist/`.
 *
 * - `statechat.js`: a classic script (IIFE) that draws the launcher and
 *   defines `<statechat-widget>`; small, so it can load on every page.
 * - `statechat.css`: the widget's stylesheets as one file, linked only by
 *   browsers without constructable stylesheets.
 * - `statechat-app.js` (+ `statechat-chunk-*.js`): the Preact UI and the
 *   chat controller as ES modules, imported by `statechat.js` from beside
 *   itself when the visitor opens the chat or the page is idle. Chunks the
 *   controller itself loads lazily (the full date and phone parsers) stay
 *   separate.
 */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build, type InlineConfig, type Plugin } from 'vite';
import { panelCss } from '../../widget/ui/panel-styles.ts';
import { previewCss } from '../../widget/ui/preview-bubble.ts';
import { launcherCss } from '../../widget/ui/styles.ts';
import { minifyWidgetCss } from './minify-widget-css.ts';
import { phoneMetadataPerCallingCode } from './phone-metadata-plugin.ts';

export const projectRoot = fileURLToPath(new URL('../../', import.meta.url));

function common(outDir: string, extra: InlineConfig): InlineConfig {
  return {
    ...extra,
    configFile: false,
    root: projectRoot,
    logLevel: 'warn',
    // Library mode leaves `process.env.NODE_ENV` for the consumer; a script tag has no consumer.
    define: { 'process.env.NODE_ENV': '"production"' },
    // JSX's production runtime even when the build runs inside Vitest (NODE_ENV=test would pick the development one).
    oxc: { jsx: { development: false } },
    plugins: [...(extra.plugins ?? []), minifyWidgetCss()],
    build: { outDir, emptyOutDir: false, target: 'es2022', minify: true, sourcemap: false, copyPublicDir: false, reportCompressedSize: false },
  };
}

const PRELOAD_HELPER = '\0vite/preload-helper.js';

/**
 * Vite wraps every `import()` in `__vitePreload(load, deps)`, a 1 KB gzip helper that adds `<link rel=modulepreload>`
 * for a chunk's dependencies and CSS. This build has `modulePreload: false` and no CSS chunks, so every `deps` is
 * empty and the helper only calls `load()`: it is replaced by that call.
 */
function plainDynamicImports(): Plugin {
  return {
    name: 'statechat-plain-dynamic-imports',
    enforce: 'pre',
    resolveId: (id) => (id === PRELOAD_HELPER ? id : undefined),
    load: (id) => (id === PRELOAD_HELPER ? 'export const __vitePreload = (load) => load();' : undefined),
  };
}

/** `extra`: more Vite config for both builds (plugins, aliases). */
export async function buildWidget(outDir = `${projectRoot}dist`, extra: InlineConfig = {}): Promise<void> {
  const app = common(outDir, extra);
  await build({
    ...app,
    plugins: [...(app.plugins ?? []), phoneMetadataPerCallingCode(), plainDynamicImports()],
    build: {
      ...app.build,
      // Not library mode: that keeps whitespace in ES output, and this output is for browsers, not bundlers.
      modulePreload: false,
      rolldownOptions: {
        input: { 'statechat-app': `${projectRoot}widget/ui/boot.ts` },
        preserveEntrySignatures: 'allow-extension',
        output: { format: 'es', entryFileNames: '[name].js', chunkFileNames: 'statechat-chunk-[name]-[hash].js' },
      },
    },
  });
  const loader = common(outDir, extra);
  await build({
    ...loader,
    build: {
      ...loader.build,
      lib: { entry: `${projectRoot}widget/script-tag.ts`, formats: ['iife'], name: 'statechatLoader', fileName: () => 'statechat.js' },
    },
  });
  // For browsers without constructable stylesheets: the loader links it from beside itself.
  await writeFile(join(outDir, 'statechat.css'), [launcherCss, panelCss, previewCss].join('\n'));
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  await buildWidget(process.argv[2]);
}
