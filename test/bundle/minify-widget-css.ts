/**
 * A build plugin that squeezes the whitespace and comments out of the CSS
 * written as templates in the widget's stylesheet modules (launcher, panel,
 * preview): the minifier leaves string contents alone.
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

const CSS_MODULES = ['/widget/ui/styles.ts', '/widget/ui/panel-styles.ts', '/widget/ui/preview-bubble.ts'];

export function minifyWidgetCss(): Plugin {
  return {
    name: 'statechat-minify-widget-css',
    transform(code, id) {
      const path = id.replaceAll('\\', '/');
      if (!CSS_MODULES.some((module) => path.endsWith(module))) return null;
      // The templates assigned to `…Css` / `DARK` constants, and only their static parts: `${DARK}` interpolations are left as they are.
      const minified = code.replace(/(const (?:\w+Css|DARK) = )(String\.raw)?`([^`]*)`/g, (_whole, head: string, raw: string | undefined, body: string) => {
        const parts = body.split(/(\$\{[^}]*\})/);
        return `${head}${raw ?? ''}\`${parts.map((part) => (part.startsWith('${') ? part : minifyCss(part))).join('')}\``;
      });
      return { code: minified, map: null };
    },
  };
}
