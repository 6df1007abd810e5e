/**
 * The widget's stylesheets, adopted by its shadow root as constructable
 * stylesheets: allowed under `style-src 'self'` (no `<style>` element, no
 * `style` attribute), and scoped so the page and the widget cannot restyle
 * each other. The launcher's sheet loads with the page (it is part of the
 * script tag's launcher); the panel's with the rest of the UI.
 *
 * Theme it from the page with custom properties on the host element, which
 * inherit into the shadow root:
 *
 * @example
 * statechat-widget, #statechat-host { --statechat-accent: #8a2be2; --statechat-radius: 4px; }
 */
/**
 * Dark-mode colours: applied by `prefers-color-scheme` unless the host says
 * light, and by `data-color-scheme="dark"`. The brand colour still fills the
 * launcher, header and visitor bubbles; `--sc-accent-ink` is its tint that
 * reads on the dark background (`mount` derives it from `theme.accent`; see
 * `theme.ts`). Contrast of every pair is checked in `test/ui/theme.test.ts`.
 */
const DARK = `--sc-background:var(--statechat-background-dark,#1f1d1b);
--sc-surface:var(--statechat-surface-dark,#34302c);
--sc-text:var(--statechat-text-dark,#f2efeb);
--sc-muted:var(--statechat-muted-dark,#b9b2aa);
--sc-border:var(--statechat-border-dark,#766e66);
--sc-accent:var(--statechat-accent-dark,var(--statechat-accent,#b3261e));
--sc-accent-text:var(--statechat-accent-text-dark,var(--statechat-accent-text,#ffffff));
--sc-accent-ink:var(--statechat-accent-ink-dark,#ca6762);
--sc-warning:var(--statechat-warning-dark,#4a3800);
--sc-warning-text:var(--statechat-warning-text-dark,#fff4d6);
--sc-danger:var(--statechat-danger-dark,#ffb4ab);
--sc-focus:var(--statechat-focus-dark,#99c1f1);
--sc-shadow:0 0 0 1px var(--sc-border),0 12px 40px rgb(0 0 0 / 0.6);
color-scheme:dark;`;

/** The host's variables, the root, and the launcher with its unread badge and preview bubble. */
export const launcherCss = `:host{
all:initial;
--sc-accent:var(--statechat-accent,#b3261e);
--sc-accent-text:var(--statechat-accent-text,#ffffff);
--sc-accent-ink:var(--statechat-accent-ink,var(--sc-accent));
--sc-background:var(--statechat-background,#ffffff);
--sc-surface:var(--statechat-surface,#f3f1ee);
--sc-text:var(--statechat-text,#1d1b19);
--sc-muted:var(--statechat-muted,#5c5853);
--sc-border:var(--statechat-border,#d9d4ce);
--sc-user-bubble:var(--statechat-user-bubble,var(--sc-accent));
--sc-user-text:var(--statechat-user-text,var(--sc-accent-text));
--sc-warning:var(--statechat-warning,#fff4d6);
--sc-warning-text:var(--statechat-warning-text,#4a3800);
--sc-danger:var(--statechat-danger,#a4161a);
--sc-focus:var(--statechat-focus,#1a5fb4);
--sc-radius:var(--statechat-radius,14px);
--sc-font:var(--statechat-font,system-ui,-apple-system,"Segoe UI",Roboto,"Noto Sans",sans-serif);
--sc-z:var(--statechat-z-index,2147483000);
--sc-offset:var(--statechat-offset,20px);
--sc-shadow:0 12px 40px rgb(0 0 0 / 0.28);
color-scheme:light;
}
@media (prefers-color-scheme:dark){
:host(:not([data-color-scheme="light"])){
${DARK}
}
}
:host([data-color-scheme="dark"]){
${DARK}
}
*,*::before,*::after{box-sizing:border-box;}
[hidden]{display:none !important;}
.root{
all:initial;
display:block;
font-family:var(--sc-font);
font-size:15px;
line-height:1.45;
color:var(--sc-text);
-webkit-font-smoothing:antialiased;
--sc-end:calc(var(--sc-offset) + env(safe-area-inset-right,0px));
--sc-bottom:calc(var(--sc-offset) + env(safe-area-inset-bottom,0px));
}
button,input,textarea{font:inherit;color:inherit;}
button{cursor:pointer;}
:focus-visible{outline:3px solid var(--sc-focus);outline-offset:2px;}
.sr-only{
position:absolute;width:1px;height:1px;padding:0;margin:-1px;
overflow:hidden;clip:rect(0 0 0 0);white-space:nowrap;border:0;
}
.icon{width:22px;height:22px;fill:none;stroke:currentColor;stroke-width:2;stroke-linecap:round;stroke-linejoin:round;flex:none;}
.launcher{
position:fixed;inset-block-end:var(--sc-bottom);inset-inline-end:var(--sc-end);z-index:var(--sc-z);
width:58px;height:58px;border-radius:50%;border:0;
display:grid;place-items:center;
background:var(--sc-accent);color:var(--sc-accent-text);
box-shadow:0 6px 20px rgb(0 0 0 / 0.25);
transition:transform 160ms ease;
}
.launcher:hover{transform:scale(1.06);}
.launcher .icon{width:28px;height:28px;}
.badge{
position:absolute;inset-block-start:-4px;inset-inline-end:-4px;min-width:22px;height:22px;padding:0 6px;
border-radius:11px;background:var(--sc-background);color:var(--sc-text);border:2px solid var(--sc-accent);
font-size:12px;font-weight:700;line-height:18px;text-align:center;
}
.root[data-position="left"] .launcher,.root[data-position="left"] .panel{
inset-inline-end:auto;inset-inline-start:calc(var(--sc-offset) + env(safe-area-inset-left,0px));
}
@media (prefers-reduced-motion:reduce){
*,*::before,*::after{animation:none !important;transition:none !important;scroll-behavior:auto !important;}
}
@media (forced-colors:active){
.launcher,.send,.chip,.bubble,.badge{border:1px solid CanvasText;}
}`;

// The script tag's loader and its lazily loaded app each carry this module; a
// registry-wide symbol lets the second see that the first already adopted a sheet.
const STYLESHEET_URL = Symbol.for('statechat.stylesheet-url');
const FALLBACK_ATTRIBUTE = 'data-statechat-styles';
const sheets = new WeakMap<Document, Map<string, CSSStyleSheet>>();

/**
 * The URL of the widget's stylesheets as one file (`statechat.css`, which the
 * script tag build writes beside `statechat.js`), for browsers without
 * constructable stylesheets. Set by the script tag from its own URL.
 */
export function setWidgetStylesheetUrl(url: string): void {
  (globalThis as { [STYLESHEET_URL]?: string })[STYLESHEET_URL] = url;
}

function canAdopt(root: ShadowRoot): boolean {
  const view = (root.ownerDocument.defaultView ?? globalThis) as typeof globalThis;
  return 'adoptedStyleSheets' in root && typeof view.CSSStyleSheet === 'function' && typeof view.CSSStyleSheet.prototype.replaceSync === 'function';
}

/**
 * Browsers without constructable stylesheets (Safari before 16.4, Firefox
 * before 101) get one `<link>` to `statechat.css`, which holds every sheet: a
 * file, so `style-src 'self'` (or the script's origin) allows it where a
 * `<style>` element would be refused. Without a known URL (an app that
 * bundles the widget itself), a `<style>` element per sheet: fine unless the
 * page's CSP forbids inline styles. Appended after the current render
 * (a microtask): Preact's first render into a root removes children it did
 * not create.
 */
function linkSheet(root: ShadowRoot, name: string, css: string): void {
  const url = (globalThis as { [STYLESHEET_URL]?: string })[STYLESHEET_URL];
  const key = typeof url === 'string' ? 'file' : name;
  const selector = `[${FALLBACK_ATTRIBUTE}="${key}"]`;
  if (root.querySelector(selector)) return;
  const document = root.ownerDocument;
  let element: HTMLLinkElement | HTMLStyleElement;
  if (typeof url === 'string') {
    const link = document.createElement('link');
    link.rel = 'stylesheet';
    link.href = url;
    element = link;
  } else {
    element = document.createElement('style');
    element.textContent = css;
  }
  element.setAttribute(FALLBACK_ATTRIBUTE, key);
  queueMicrotask(() => {
    if (!root.querySelector(selector)) root.append(element);
  });
}

/** Adopts `css` under `name` once per shadow root; one parsed sheet per document. */
export function adoptSheet(root: ShadowRoot, name: string, css: string): void {
  if (!canAdopt(root)) {
    linkSheet(root, name, css);
    return;
  }
  const mark = Symbol.for(`statechat.widget-styles.${name}`);
  if (root.adoptedStyleSheets.some((adopted) => mark in adopted)) return;
  const document = root.ownerDocument;
  let byName = sheets.get(document);
  if (!byName) {
    byName = new Map();
    sheets.set(document, byName);
  }
  let sheet = byName.get(name);
  if (!sheet) {
    const view = document.defaultView ?? globalThis;
    sheet = new (view as typeof globalThis).CSSStyleSheet();
    sheet.replaceSync(css);
    Object.defineProperty(sheet, mark, { value: true });
    byName.set(name, sheet);
  }
  root.adoptedStyleSheets = [...root.adoptedStyleSheets, sheet];
}

/** The launcher's sheet only (the script tag's first paint). */
export function adoptLauncherStyles(root: ShadowRoot): void {
  adoptSheet(root, 'launcher', launcherCss);
}
