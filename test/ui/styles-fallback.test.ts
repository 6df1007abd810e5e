// @vitest-environment happy-dom
/** Without constructable stylesheets, the widget's styles come from an element that Preact's render leaves alone. */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { setWidgetStylesheetUrl } from '../../widget/ui/styles.ts';
import { mountFake, type Mounted } from './dom.ts';

const STYLESHEET_URL = Symbol.for('statechat.stylesheet-url');
let current: Mounted | undefined;
let shadowDescriptor: PropertyDescriptor | undefined;

beforeEach(() => {
  shadowDescriptor = Object.getOwnPropertyDescriptor(ShadowRoot.prototype, 'adoptedStyleSheets');
  delete (ShadowRoot.prototype as { adoptedStyleSheets?: unknown }).adoptedStyleSheets;
});
afterEach(() => {
  current?.widget.unmount();
  current = undefined;
  if (shadowDescriptor) Object.defineProperty(ShadowRoot.prototype, 'adoptedStyleSheets', shadowDescriptor);
  delete (globalThis as { [STYLESHEET_URL]?: string })[STYLESHEET_URL];
});

describe('styles without constructable stylesheets', () => {
  it('links statechat.css when the script tag said where it is, and keeps it across renders', async () => {
    expect('adoptedStyleSheets' in ShadowRoot.prototype).toBe(false);
    setWidgetStylesheetUrl('https://cdn.example/statechat/statechat.css');
    current = await mountFake({ greeting: 'Welcome!' });
    current.widget.open();
    await new Promise((resolve) => setTimeout(resolve, 0));
    const links = current.all('link[data-statechat-styles]');
    expect(links.map((link) => link.getAttribute('href'))).toEqual(['https://cdn.example/statechat/statechat.css']);
    expect(current.all('style')).toEqual([]);
    expect(current.root.querySelector('[role="log"]')).not.toBeNull();
  });

  it('falls back to a <style> element per sheet when no stylesheet URL is known', async () => {
    current = await mountFake({ greeting: 'Welcome!' });
    await new Promise((resolve) => setTimeout(resolve, 0));
    const styles = current.all('style[data-statechat-styles]');
    expect(styles.map((style) => style.getAttribute('data-statechat-styles'))).toEqual(['launcher', 'panel']);
    expect(styles[0]?.textContent).toContain('.launcher');
    expect(styles[1]?.textContent).toContain('.panel');
  });
});
