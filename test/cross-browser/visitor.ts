/**
 * What the cross-browser scenarios need from a browser, whatever drives it
 * (Playwright over WebDriver BiDi for Firefox, classic WebDriver through
 * selenium-webdriver for WebKit): windows that share one profile, real
 * clicks and key presses, and scripts run in the page.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { projectRoot } from '../bundle/build.ts';

export const SCREENSHOTS = `${projectRoot}test-results/screenshots`;
const WAIT_MS = 20_000;

/** An element: in the widget's shadow root or in the page, by CSS selector, optionally the last one containing `text`. */
export interface Target {
  in: 'widget' | 'page';
  css: string;
  text?: string;
}

export interface BrowserWindow {
  goto(url: string): Promise<void>;
  reload(): Promise<void>;
  /** Runs a self-contained function (it is sent as source) in the page with JSON arguments; returns its JSON result. */
  run<Result, Args extends unknown[]>(fn: (...args: Args) => Result, ...args: Args): Promise<Awaited<Result>>;
  /** A real click (pointer events from the driver). */
  click(target: Target): Promise<void>;
  /** Real key presses into the element, then Enter. */
  typeInto(target: Target, text: string): Promise<void>;
  /** PNG bytes of the viewport. */
  screenshot(): Promise<Buffer>;
}

/**
 * Runs an action on an element found afresh each time: the widget re-renders
 * (the lazy launcher is replaced, quick replies are redrawn), so an element
 * found a moment ago may be gone. Retries only for that.
 */
export async function withFreshElement<T>(attempt: () => Promise<T>, tries = 4): Promise<T> {
  for (let left = tries; ; left -= 1) {
    try {
      return await attempt();
    } catch (error) {
      const detached = error instanceof Error && /not attached|stale element|no element for/i.test(error.message);
      if (!detached || left <= 1) throw error;
      await new Promise((resolve) => setTimeout(resolve, 150));
    }
  }
}

export interface BrowserSession {
  readonly name: 'firefox' | 'webkit';
  /** A window (a tab in Firefox, a window in WebKit) in the session's one profile. */
  open(url: string): Promise<BrowserWindow>;
  /** Closes every window opened since the last call, keeping the browser for the next test. */
  closeWindows(): Promise<void>;
  /** Offline emulation, where the driver has it (Firefox); WebKit's classic WebDriver has none. */
  setOffline?: (offline: boolean) => Promise<void>;
  close(): Promise<void>;
}

/** Finds a target in the page (runs in the browser: self-contained). */
export function findTarget(target: Target): Element | null {
  const host = document.querySelector('statechat-root, statechat-widget');
  const scope: ParentNode | null | undefined = target.in === 'widget' ? host?.shadowRoot : document;
  if (!scope) return null;
  const found = [...scope.querySelectorAll(target.css)].filter((element) => target.text === undefined || (element.textContent ?? '').includes(target.text));
  return found[found.length - 1] ?? null;
}

export interface WidgetView {
  open: boolean;
  /** The transcript's text. */
  log: string;
  users: { text: string; status: string | null; label: string }[];
  typing: boolean;
  choices: string[];
  title: string | null;
}

/** What a visitor sees of the widget (runs in the browser: self-contained). */
export function readWidget(): WidgetView | null {
  const root = document.querySelector('statechat-root, statechat-widget')?.shadowRoot;
  if (!root) return null;
  const log = root.querySelector('[role="log"]');
  return {
    open: log !== null,
    log: log?.textContent ?? '',
    users: [...root.querySelectorAll('.message.user')].map((message) => ({
      text: message.querySelector('.bubble')?.textContent ?? '',
      status: message.getAttribute('data-status'),
      label: message.querySelector('.status')?.textContent ?? '',
    })),
    typing: root.querySelector('.typing') !== null,
    choices: [...root.querySelectorAll('[role="group"] button')].map((button) => button.textContent ?? ''),
    title: root.querySelector('[role="dialog"] h2')?.textContent ?? null,
  };
}

export async function waitUntil<T>(read: () => Promise<T>, check: (value: T) => boolean, what: string, timeout = WAIT_MS): Promise<T> {
  const deadline = Date.now() + timeout;
  let last: T = await read();
  while (!check(last)) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}; last seen: ${JSON.stringify(last)?.slice(0, 600)}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
    last = await read();
  }
  return last;
}

export function widget(window: BrowserWindow): Promise<WidgetView | null> {
  return window.run(readWidget);
}

export async function waitForWidget(window: BrowserWindow, check: (view: WidgetView) => boolean, what: string, timeout?: number): Promise<WidgetView> {
  const view = await waitUntil(() => widget(window), (current) => current !== null && check(current), what, timeout);
  return view as WidgetView;
}

export function waitForText(window: BrowserWindow, text: string): Promise<WidgetView> {
  return waitForWidget(window, (view) => view.log.includes(text), `"${text}" in the transcript`);
}

/** The last visitor message with this text. */
export function userMessage(view: WidgetView, text: string): WidgetView['users'][number] | undefined {
  return view.users.filter((message) => message.text === text).at(-1);
}

export function waitForStatus(window: BrowserWindow, text: string, statuses: string[]): Promise<WidgetView> {
  return waitForWidget(window, (view) => statuses.includes(userMessage(view, text)?.status ?? ''), `"${text}" to be ${statuses.join(' or ')}`);
}

export const LAUNCHER: Target = { in: 'widget', css: 'button[aria-label="Open chat"]' };
export const MESSAGE_BOX: Target = { in: 'widget', css: '[aria-label="Message"]' };

export async function openChat(window: BrowserWindow): Promise<void> {
  await waitUntil(() => window.run(findTarget, LAUNCHER).then((found) => found !== null), Boolean, 'the launcher');
  // A panel left open comes back open after a reload.
  if (await window.run(findTarget, MESSAGE_BOX).then((found) => found !== null)) return;
  await window.click(LAUNCHER);
  const opened = () => window.run(findTarget, MESSAGE_BOX).then((found) => found !== null);
  try {
    await waitUntil(opened, Boolean, 'the message box', 8_000);
  } catch {
    // Seen once in WebKit on a loaded machine: the panel never opened after the click. A visitor would click
    // the launcher again; if it still says "Open chat", so does the test — and fails if the panel still stays shut.
    if (await window.run(findTarget, LAUNCHER).then((found) => found !== null)) await window.click(LAUNCHER);
    await waitUntil(opened, Boolean, 'the message box');
  }
}

export function say(window: BrowserWindow, text: string): Promise<void> {
  return window.typeInto(MESSAGE_BOX, text);
}

export async function chooseReply(window: BrowserWindow, label: string): Promise<void> {
  await waitForWidget(window, (view) => view.choices.includes(label), `the quick reply "${label}"`);
  await window.click({ in: 'widget', css: '[role="group"] button', text: label });
}

export async function saveScreenshot(session: BrowserSession, window: BrowserWindow, name: string): Promise<void> {
  mkdirSync(SCREENSHOTS, { recursive: true });
  writeFileSync(`${SCREENSHOTS}/${session.name}-${name}.png`, await window.screenshot());
}
