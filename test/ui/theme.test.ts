/** Colour contrast of the widget's palettes, and the dark-mode tint derived from a brand colour. */
import { describe, expect, it } from 'vitest';
import { launcherCss } from '../../widget/ui/styles.ts';
import { brandProperties, contrastRatio, DARK_BACKGROUND, readableOn, textOn } from '../../widget/ui/theme.ts';

/** `--sc-name:var(--statechat-…,#hex)` → the default hex, from the light block (first) or the dark block (`-dark` names). */
function defaults(dark: boolean): Record<string, string> {
  const found: Record<string, string> = {};
  for (const match of launcherCss.matchAll(/--sc-([a-z-]+):var\(--statechat-([a-z-]+),(?:var\(--statechat-[a-z-]+,)?(#[0-9a-f]{6})\)/g)) {
    const [, name, source, hex] = match as unknown as [string, string, string, string];
    if (source.endsWith('-dark') === dark && !(name in found)) found[name] = hex;
  }
  return found;
}

describe('the palettes', () => {
  for (const dark of [false, true]) {
    it(`${dark ? 'dark' : 'light'}: text, muted text, links, warnings and errors read at 4.5:1 or more`, () => {
      const colours = defaults(dark);
      const ink = dark ? (colours['accent-ink'] as string) : (colours.accent as string);
      const pairs: [string, string][] = [
        [colours.text!, colours.background!],
        [colours.text!, colours.surface!],
        [colours.muted!, colours.background!],
        [colours.muted!, colours.surface!],
        [colours['accent-text']!, colours.accent!],
        [ink, colours.background!],
        [colours['warning-text']!, colours.warning!],
        [colours.danger!, colours.background!],
      ];
      for (const [foreground, background] of pairs) expect(contrastRatio(foreground, background), `${foreground} on ${background}`).toBeGreaterThanOrEqual(4.5);
    });
  }

  it('dark: bot bubbles and panel edges stand out from the background', () => {
    const colours = defaults(true);
    expect(colours.surface).not.toBe(colours.background);
    expect(contrastRatio(colours.border!, colours.background!)).toBeGreaterThanOrEqual(3);
  });

  it('the stylesheet default dark tint is the one derived from the default brand colour', () => {
    expect(defaults(true)['accent-ink']).toBe(brandProperties('#b3261e')['accent-ink-dark']);
    expect(defaults(true).background).toBe(DARK_BACKGROUND);
  });
});

describe('colours from a brand colour', () => {
  it('keeps the hue and lightens only as far as needed to read on the dark background', () => {
    for (const brand of ['#b3261e', '#0b6e4f', '#1a237e', '#6a1b9a', '#000000']) {
      const tint = readableOn(brand, DARK_BACKGROUND);
      expect(contrastRatio(tint, DARK_BACKGROUND)).toBeGreaterThanOrEqual(4.5);
    }
    // Already readable: unchanged.
    expect(readableOn('#ffd54f', DARK_BACKGROUND)).toBe('#ffd54f');
  });

  it('puts white or near-black text on the brand colour, whichever reads better', () => {
    expect(textOn('#b3261e')).toBe('#ffffff');
    expect(textOn('#ffd54f')).toBe('#1d1b19');
    expect(contrastRatio(textOn('#ffd54f'), '#ffd54f')).toBeGreaterThanOrEqual(4.5);
    expect(brandProperties('rebeccapurple')).toEqual({});
    expect(() => contrastRatio('red', '#fff')).toThrow(/#rgb or #rrggbb/);
  });
});
