/**
 * The widget's stylesheet, adopted by its shadow root as a constructable
 * stylesheet: allowed under `style-src 'self'` (no `<style>` element, no
 * `style` attribute), and scoped so the page and the widget cannot restyle
 * each other.
 *
 * Theme it from the page with custom properties on the host element, which
 * inherit into the shadow root:
 *
 * @example
 * statechat-widget, #statechat-host { --statechat-accent: #8a2be2; --statechat-radius: 4px; }
 */
/** Dark-mode colours: applied by `prefers-color-scheme` unless the host says light, and by `data-color-scheme="dark"`. */
const DARK = String.raw`--sc-background: var(--statechat-background-dark, #1f1d1b);
  --sc-surface: var(--statechat-surface-dark, #2d2a27);
  --sc-text: var(--statechat-text-dark, #f2efeb);
  --sc-muted: var(--statechat-muted-dark, #b9b2aa);
  --sc-border: var(--statechat-border-dark, #48433e);
  --sc-accent: var(--statechat-accent-dark, #ff8a80);
  --sc-accent-text: var(--statechat-accent-text-dark, #1f1d1b);
  --sc-warning: var(--statechat-warning-dark, #4a3800);
  --sc-warning-text: var(--statechat-warning-text-dark, #fff4d6);
  --sc-danger: var(--statechat-danger-dark, #ffb4ab);
  --sc-focus: var(--statechat-focus-dark, #99c1f1);
  color-scheme: dark;`;

export const widgetCss = String.raw`
:host {
  all: initial;
  --sc-accent: var(--statechat-accent, #b3261e);
  --sc-accent-text: var(--statechat-accent-text, #ffffff);
  --sc-background: var(--statechat-background, #ffffff);
  --sc-surface: var(--statechat-surface, #f3f1ee);
  --sc-text: var(--statechat-text, #1d1b19);
  --sc-muted: var(--statechat-muted, #5c5853);
  --sc-border: var(--statechat-border, #d9d4ce);
  --sc-user-bubble: var(--statechat-user-bubble, var(--sc-accent));
  --sc-user-text: var(--statechat-user-text, var(--sc-accent-text));
  --sc-warning: var(--statechat-warning, #fff4d6);
  --sc-warning-text: var(--statechat-warning-text, #4a3800);
  --sc-danger: var(--statechat-danger, #a4161a);
  --sc-focus: var(--statechat-focus, #1a5fb4);
  --sc-radius: var(--statechat-radius, 14px);
  --sc-font: var(--statechat-font, system-ui, -apple-system, "Segoe UI", Roboto, "Noto Sans", sans-serif);
  --sc-z: var(--statechat-z-index, 2147483000);
  --sc-offset: var(--statechat-offset, 20px);
  color-scheme: light;
}
@media (prefers-color-scheme: dark) {
  :host(:not([data-color-scheme="light"])) {
    ${DARK}
  }
}
:host([data-color-scheme="dark"]) {
  ${DARK}
}
*, *::before, *::after { box-sizing: border-box; }
[hidden] { display: none !important; }
.root {
  /* Inherited properties the page sets on the host (letter-spacing, text-transform, …) stop here. */
  all: initial;
  display: block;
  font-family: var(--sc-font);
  font-size: 15px;
  line-height: 1.45;
  color: var(--sc-text);
  -webkit-font-smoothing: antialiased;
}
button, input { font: inherit; color: inherit; }
button { cursor: pointer; }
:focus-visible { outline: 3px solid var(--sc-focus); outline-offset: 2px; }
.sr-only {
  position: absolute; width: 1px; height: 1px; padding: 0; margin: -1px;
  overflow: hidden; clip: rect(0 0 0 0); white-space: nowrap; border: 0;
}
.icon { width: 22px; height: 22px; fill: none; stroke: currentColor; stroke-width: 2; stroke-linecap: round; stroke-linejoin: round; flex: none; }

.launcher {
  position: fixed; inset-block-end: var(--sc-offset); inset-inline-end: var(--sc-offset); z-index: var(--sc-z);
  width: 58px; height: 58px; border-radius: 50%; border: 0;
  display: grid; place-items: center;
  background: var(--sc-accent); color: var(--sc-accent-text);
  box-shadow: 0 6px 20px rgb(0 0 0 / 0.25);
  transition: transform 160ms ease;
}
.launcher:hover { transform: scale(1.06); }
.launcher .icon { width: 28px; height: 28px; }
.root[data-position="left"] .launcher, .root[data-position="left"] .panel { inset-inline-end: auto; inset-inline-start: var(--sc-offset); }

.panel {
  position: fixed; inset-block-end: var(--sc-offset); inset-inline-end: var(--sc-offset); z-index: var(--sc-z);
  width: min(390px, calc(100vw - 2 * var(--sc-offset)));
  height: min(620px, calc(100vh - 2 * var(--sc-offset)));
  display: flex; flex-direction: column; overflow: hidden;
  background: var(--sc-background); color: var(--sc-text);
  border: 1px solid var(--sc-border); border-radius: var(--sc-radius);
  box-shadow: 0 12px 40px rgb(0 0 0 / 0.28);
  animation: sc-rise 180ms ease-out;
}
@keyframes sc-rise { from { opacity: 0; transform: translateY(12px); } to { opacity: 1; transform: none; } }
@media (max-width: 520px), (max-height: 520px) {
  .panel, .root[data-position="left"] .panel {
    inset: 0; width: 100%; height: 100%; max-height: 100dvh; border-radius: 0; border: 0;
  }
}

.header {
  display: flex; align-items: center; gap: 4px;
  padding: 10px 8px 10px 16px; padding-inline: 16px 8px;
  background: var(--sc-accent); color: var(--sc-accent-text);
}
.title { flex: 1; margin: 0; font-size: 16px; font-weight: 650; overflow: hidden; text-overflow: ellipsis; white-space: nowrap; }
.icon-button {
  width: 40px; height: 40px; display: grid; place-items: center;
  border: 0; border-radius: 10px; background: transparent; color: inherit;
}
.icon-button:hover { background: rgb(0 0 0 / 0.14); }
.header :focus-visible { outline-color: var(--sc-accent-text); outline-offset: -3px; }

.banner { margin: 0; padding: 8px 16px; font-size: 13.5px; background: var(--sc-warning); color: var(--sc-warning-text); border-block-end: 1px solid var(--sc-border); }

.log { flex: 1; overflow-y: auto; padding: 16px 14px 8px; display: flex; flex-direction: column; gap: 8px; overscroll-behavior: contain; }
.log:focus-visible { outline-offset: -3px; }
.message { display: flex; flex-direction: column; max-width: 85%; }
.message.bot { align-self: flex-start; align-items: flex-start; }
.message.user { align-self: flex-end; align-items: flex-end; }
.message.notice { align-self: center; max-width: 95%; text-align: center; font-size: 13.5px; color: var(--sc-muted); }
.bubble { padding: 8px 12px; border-radius: var(--sc-radius); white-space: pre-wrap; overflow-wrap: anywhere; }
.bot .bubble { background: var(--sc-surface); border-end-start-radius: 4px; }
.user .bubble { background: var(--sc-user-bubble); color: var(--sc-user-text); border-end-end-radius: 4px; }
.user[data-status="pending"] .bubble, .user[data-status="queued"] .bubble { opacity: 0.8; }
.user[data-status="failed"] .bubble { background: transparent; color: var(--sc-text); border: 2px solid var(--sc-danger); }
.bubble a { color: inherit; text-decoration: underline; text-underline-offset: 2px; }
.status { font-size: 12px; color: var(--sc-muted); margin-block-start: 2px; display: flex; gap: 8px; align-items: center; }
.status.failed { color: var(--sc-danger); }
.link-button { border: 0; background: none; padding: 2px 4px; color: var(--sc-danger); font-weight: 650; text-decoration: underline; }

.typing { align-self: flex-start; display: flex; gap: 4px; padding: 12px 14px; background: var(--sc-surface); border-radius: var(--sc-radius); }
.typing span[aria-hidden] { width: 7px; height: 7px; border-radius: 50%; background: var(--sc-muted); animation: sc-blink 1.2s infinite ease-in-out; }
.typing span[aria-hidden]:nth-child(2) { animation-delay: 0.2s; }
.typing span[aria-hidden]:nth-child(3) { animation-delay: 0.4s; }
@keyframes sc-blink { 0%, 80%, 100% { opacity: 0.3; } 40% { opacity: 1; } }

.choices { display: flex; flex-wrap: wrap; gap: 6px; padding: 4px 14px 8px; }
.chip {
  border: 1.5px solid var(--sc-accent); color: var(--sc-text); background: var(--sc-background);
  border-radius: 999px; padding: 6px 14px; font-size: 14px;
}
.chip:hover { background: var(--sc-surface); }

.ended { display: flex; flex-direction: column; align-items: center; gap: 6px; padding: 8px 14px; font-size: 13.5px; color: var(--sc-muted); }
.ended button { border: 1.5px solid var(--sc-border); border-radius: 999px; background: var(--sc-background); padding: 6px 14px; }

.composer { display: flex; gap: 6px; padding: 10px; border-block-start: 1px solid var(--sc-border); background: var(--sc-background); }
.composer input {
  flex: 1; min-width: 0; padding: 10px 14px; border-radius: 999px;
  border: 1.5px solid var(--sc-border); background: var(--sc-background);
}
.composer input::placeholder { color: var(--sc-muted); opacity: 1; }
.composer input:focus-visible { outline-offset: 0; border-color: var(--sc-focus); }
.send { width: 44px; height: 44px; border-radius: 50%; border: 0; display: grid; place-items: center; background: var(--sc-accent); color: var(--sc-accent-text); }
.send:disabled { opacity: 0.55; cursor: default; }
.root[dir="rtl"] .send .icon, .root[dir="rtl"] .flip { transform: scaleX(-1); }

@media (prefers-reduced-motion: reduce) {
  *, *::before, *::after { animation: none !important; transition: none !important; scroll-behavior: auto !important; }
}
@media (forced-colors: active) {
  .launcher, .send, .chip, .bubble { border: 1px solid CanvasText; }
}
`;

// The script tag's loader and its lazily loaded app each carry this module; a
// registry-wide symbol lets the second see that the first already adopted a sheet.
const MARK = Symbol.for('statechat.widget-styles');
const STYLESHEET_URL = Symbol.for('statechat.stylesheet-url');
const FALLBACK_ATTRIBUTE = 'data-statechat-styles';
const sheets = new WeakMap<Document, CSSStyleSheet>();

/**
 * The URL of this stylesheet as a file (`statechat.css`, which the script tag
 * build writes beside `statechat.js`), for browsers without constructable
 * stylesheets. Set by the script tag from its own URL.
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
 * before 101) get a `<link>` to `statechat.css`: a file, so `style-src 'self'`
 * (or the script's origin) allows it where a `<style>` element would be
 * refused. Without a known URL (an app that bundles the widget itself), a
 * `<style>` element: fine unless the page's CSP forbids inline styles.
 * Appended last, after Preact's first render into the root, which removes
 * children it did not create.
 */
function linkWidgetStyles(root: ShadowRoot): void {
  if (root.querySelector(`[${FALLBACK_ATTRIBUTE}]`)) return;
  const document = root.ownerDocument;
  const url = (globalThis as { [STYLESHEET_URL]?: string })[STYLESHEET_URL];
  let element: HTMLLinkElement | HTMLStyleElement;
  if (typeof url === 'string') {
    const link = document.createElement('link');
    link.rel = 'stylesheet';
    link.href = url;
    element = link;
  } else {
    element = document.createElement('style');
    element.textContent = widgetCss;
  }
  element.setAttribute(FALLBACK_ATTRIBUTE, '');
  root.append(element);
}

/** Adopts the widget's stylesheet into a shadow root; one parsed sheet is shared by every widget of a document. */
export function adoptWidgetStyles(root: ShadowRoot): void {
  if (!canAdopt(root)) {
    linkWidgetStyles(root);
    return;
  }
  if (root.adoptedStyleSheets.some((adopted) => MARK in adopted)) return;
  const document = root.ownerDocument;
  let sheet = sheets.get(document);
  if (!sheet) {
    const view = document.defaultView ?? globalThis;
    sheet = new (view as typeof globalThis).CSSStyleSheet();
    sheet.replaceSync(widgetCss);
    Object.defineProperty(sheet, MARK, { value: true });
    sheets.set(document, sheet);
  }
  root.adoptedStyleSheets = [...root.adoptedStyleSheets, sheet];
}
