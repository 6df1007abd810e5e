// @vitest-environment happy-dom
import { describe, expect, it } from 'vitest';
import { panelCss } from '../../widget/ui/panel-styles.ts';
import { launcherCss } from '../../widget/ui/styles.ts';

const widgetCss = `${launcherCss}\n${panelCss}`;
import { minifyCss } from './minify-widget-css.ts';

function rules(css: string): string[] {
  const sheet = new CSSStyleSheet();
  sheet.replaceSync(css);
  // happy-dom serialises selector lists and custom property values as written: commas are compared without their spaces.
  return [...sheet.cssRules].map((rule) => rule.cssText.replace(/\s*,\s*/g, ','));
}

describe('the widget CSS squeezed for the bundle', () => {
  it('parses to the same rules, and is smaller', () => {
    const minified = minifyCss(widgetCss);
    expect(rules(minified)).toEqual(rules(widgetCss));
    expect(rules(widgetCss).length).toBeGreaterThan(20);
    expect(minified.length).toBeLessThan(widgetCss.length);
  });

  it('keeps the spaces that separate tokens', () => {
    expect(minifyCss('.root  .panel >  .log ,\n .a { margin : calc(1px  +  2px) ; }\n@media (max-width: 480px) and (hover: none) { .b { c: d } }')).toBe(
      '.root .panel>.log,.a{margin : calc(1px + 2px)}@media (max-width: 480px) and (hover: none){.b{c: d}}',
    );
  });
});
