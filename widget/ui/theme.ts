/**
 * Colours derived from the brand colour, with their contrast checked
 * (WCAG 2 relative luminance). In dark mode the brand colour keeps filling
 * the launcher, the header and the visitor's bubbles (with whichever of
 * white or near-black text reads better on it), and a lighter tint of the
 * same hue is used where the brand colour meets the dark background
 * (quick-reply borders, links), lightened only until it reads at 4.5:1.
 */

type Rgb = [number, number, number];

/** `#rgb` or `#rrggbb`; null for anything else (names, `rgb()`, variables are left to CSS). */
export function parseHex(color: string): Rgb | null {
  const match = /^#([0-9a-f]{3}|[0-9a-f]{6})$/i.exec(color.trim());
  if (!match) return null;
  const hex = (match[1] as string).length === 3 ? [...(match[1] as string)].map((digit) => digit + digit).join('') : (match[1] as string);
  return [0, 2, 4].map((index) => Number.parseInt(hex.slice(index, index + 2), 16)) as Rgb;
}

function toHex(rgb: Rgb): string {
  return `#${rgb.map((channel) => Math.round(channel).toString(16).padStart(2, '0')).join('')}`;
}

function luminance(rgb: Rgb): number {
  const [red, green, blue] = rgb.map((channel) => {
    const value = channel / 255;
    return value <= 0.03928 ? value / 12.92 : ((value + 0.055) / 1.055) ** 2.4;
  }) as Rgb;
  return 0.2126 * red + 0.7152 * green + 0.0722 * blue;
}

/** The WCAG contrast ratio of two `#rrggbb` colours (1 to 21). */
export function contrastRatio(first: string, second: string): number {
  const a = parseHex(first);
  const b = parseHex(second);
  if (!a || !b) throw new Error(`contrastRatio needs #rgb or #rrggbb colours, got "${first}" and "${second}"`);
  const [light, dark] = [luminance(a), luminance(b)].sort((x, y) => y - x) as [number, number];
  return (light + 0.05) / (dark + 0.05);
}

const WHITE = '#ffffff';
const INK = '#1d1b19';

/** The text colour for a surface filled with `color`: white, or near-black when that reads better. */
export function textOn(color: string): string {
  return contrastRatio(WHITE, color) >= contrastRatio(INK, color) ? WHITE : INK;
}

/** `color` mixed towards white in steps until it reads at `ratio` on `background` (the hue is kept). */
export function readableOn(color: string, background: string, ratio = 4.5): string {
  const rgb = parseHex(color);
  if (!rgb) throw new Error(`readableOn needs a #rgb or #rrggbb colour, got "${color}"`);
  for (let step = 0; step <= 20; step += 1) {
    const mixed = toHex(rgb.map((channel) => channel + ((255 - channel) * step) / 20) as Rgb);
    if (contrastRatio(mixed, background) >= ratio) return mixed;
  }
  return WHITE;
}

/** The dark-mode panel background; kept in step with the stylesheet's default. */
export const DARK_BACKGROUND = '#1f1d1b';

/**
 * Custom properties for a brand colour (`--statechat-*` names): the text on
 * it, and its readable tint on the dark background. Empty for colours CSS
 * cannot be asked about here (not hex).
 */
export function brandProperties(accent: string): Record<string, string> {
  if (!parseHex(accent)) return {};
  return {
    'accent-text': textOn(accent),
    'accent-text-dark': textOn(accent),
    'accent-ink-dark': readableOn(accent, DARK_BACKGROUND),
  };
}
