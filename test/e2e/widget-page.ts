/** What the end-to-end tests do with the widget on a page, the way a visitor would. */
import { mkdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { BrowserContext, Locator, Page } from 'playwright-core';
import { projectRoot } from '../bundle/build.ts';

export const SCREENSHOTS = `${projectRoot}test-results/screenshots`;
const WAIT_MS = 15_000;

export function launcher(page: Page): Locator {
  return page.getByRole('button', { name: 'Open chat', exact: true });
}
export function messageBox(page: Page): Locator {
  return page.getByRole('textbox', { name: 'Message', exact: true });
}
export function transcript(page: Page): Locator {
  return page.getByRole('log');
}

/** Waits until the transcript shows `text` (a bot reply, a visitor message). */
export async function waitForText(page: Page, text: string): Promise<void> {
  await transcript(page).getByText(text, { exact: false }).last().waitFor({ timeout: WAIT_MS });
}

/** Types into the message box (which has focus unless the visitor moved it) and presses Enter. */
export async function typeMessage(page: Page, text: string): Promise<void> {
  await messageBox(page).waitFor();
  if ((await focusedName(page)) !== 'Message') await messageBox(page).focus();
  await page.keyboard.type(text);
  await page.keyboard.press('Enter');
}

/** The accessible name of the focused element, looking through the widget's shadow root. */
export function focusedName(page: Page): Promise<string | null> {
  return page.evaluate(() => {
    let active: Element | null = document.activeElement;
    while (active?.shadowRoot?.activeElement) active = active.shadowRoot.activeElement;
    return active?.getAttribute('aria-label') ?? active?.textContent?.trim() ?? null;
  });
}

/** Presses Tab (or Shift+Tab) until an element named `name` has focus. */
export async function tabTo(page: Page, name: string, backwards = false, limit = 40): Promise<void> {
  for (let presses = 0; presses < limit; presses++) {
    if ((await focusedName(page)) === name) return;
    await page.keyboard.press(backwards ? 'Shift+Tab' : 'Tab');
  }
  throw new Error(`"${name}" never got focus by keyboard`);
}

/** The status (`pending`, `queued`, `sent`, `answered`, `failed`) of the visitor message with this text. */
export function statusOf(page: Page, text: string): Promise<string | null> {
  return page.locator('.message.user', { hasText: text }).last().getAttribute('data-status');
}

export async function waitForStatus(page: Page, text: string, statuses: string[]): Promise<void> {
  const deadline = Date.now() + WAIT_MS;
  for (;;) {
    const status = await statusOf(page, text);
    if (status && statuses.includes(status)) return;
    if (Date.now() > deadline) throw new Error(`"${text}" is ${status}, not ${statuses.join(' or ')}`);
    await page.waitForTimeout(50);
  }
}

export async function screenshot(page: Page, name: string): Promise<void> {
  mkdirSync(SCREENSHOTS, { recursive: true });
  await page.screenshot({ path: `${SCREENSHOTS}/${name}.png` });
}

/** Records CSP violations (from an init script, which the page's CSP does not govern) and console errors about CSP. */
export async function watchCsp(context: BrowserContext, page: Page): Promise<() => Promise<string[]>> {
  const consoleViolations: string[] = [];
  page.on('console', (message) => {
    if (message.type() === 'error' && /Content Security Policy|unsafe-eval|unsafe-inline/i.test(message.text())) consoleViolations.push(message.text());
  });
  await context.addInitScript(() => {
    const seen: string[] = [];
    (window as unknown as { __cspViolations: string[] }).__cspViolations = seen;
    document.addEventListener('securitypolicyviolation', (event) => seen.push(`${event.violatedDirective} ${event.blockedURI} ${event.sourceFile}:${event.lineNumber}`), true);
  });
  return async () => [...consoleViolations, ...(await page.evaluate(() => (window as unknown as { __cspViolations?: string[] }).__cspViolations ?? []))];
}

const axeSource = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

export interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  nodes: { target: unknown[] }[];
}

/** Runs axe-core (WCAG 2.x A/AA rules) on the widget's host element, shadow root included. */
export async function axeViolations(page: Page, hostSelector: string): Promise<AxeViolation[]> {
  await page.evaluate(axeSource);
  return page.evaluate(async (selector) => {
    const axe = (window as unknown as { axe: { run: (context: unknown, options: unknown) => Promise<{ violations: AxeViolation[] }> } }).axe;
    const result = await axe.run({ include: [[selector]] }, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice'] } });
    return result.violations.map(({ id, impact, help, nodes }) => ({ id, impact, help, nodes: nodes.map((node) => ({ target: node.target })) }));
  }, hostSelector);
}
