/**
 * A build plugin that squeezes the whitespace and comments out of the CSS
 * written as `String.raw` templates in `widget/ui/styles.ts`: the minifier
 * leaves string contents alone, and the stylesheet ships in both the
 * launcher and the app (≈ 0.2 KB gzip each).
 */
import type { Plugin } from 'vite';

/** Collapses CSS whitespace; spaces that separate tokens (descendant selectors, `a and b`, `calc(1px + 2px)`) stay single. */
export function minifyCss(css: string): string {
  return css
    .replace(/\/\*[\s\S]*?\*\//g, '')
    .replace(/\s+/g, ' ')
    .replace(/\s*([{};,>])\s*/g, '$1')
    .replace(/;}/g, '}')
    .trim();
}

export function minifyWidgetCss(): Plugin {
  return {
    name: 'statechat-minify-widget-css',
    transform(code, id) {
      if (!id.replaceAll('\\', '/').endsWith('/widget/ui/styles.ts')) return null;
      // Only the static parts of each template: `${DARK}` interpolations are left as they are.
      const minified = code.replace(/String\.raw`([^`]*)`/g, (_whole, body: string) => {
        const parts = body.split(/(\$\{[^}]*\})/);
        return `String.raw\`${parts.map((part) => (part.startsWith('${') ? part : minifyCss(part))).join('')}\``;
      });
      return { code: minified, map: null };
    },
  };
}
