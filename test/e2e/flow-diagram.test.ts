/**
 * The demo's live flow diagram in Chromium: every state drawn, the current
 * state highlighted and the last transition marked as the conversation
 * moves (a state's own transition, then a global one); and none of the
 * diagram's code in the widget's bundle.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Flow } from '../../flows/types.ts';
import { launchChromium } from '../browser/harness.ts';
import { startDemoSite, type Site } from './servers.ts';
import { launcher, screenshot, typeMessage, waitForText } from './widget-page.ts';

const root = fileURLToPath(new URL('../../', import.meta.url));
const reservations = JSON.parse(readFileSync(`${root}flows/reservations.flow.json`, 'utf8')) as Flow;

/** The current state and the marked edges, as the diagram shows them. */
function diagramState(page: Page): Promise<{ current: string[]; last: string[]; currentFill: string | null }> {
  return page.evaluate(() => {
    const svg = document.querySelector('#flow-diagram svg');
    const current = [...(svg?.querySelectorAll('g[data-current="true"]') ?? [])];
    return {
      current: current.map((node) => node.getAttribute('data-node') ?? ''),
      last: [...(svg?.querySelectorAll('g[data-last="true"]') ?? [])].map((edge) => `${edge.getAttribute('data-from')} -> ${edge.getAttribute('data-to')}`),
      currentFill: current[0]?.querySelector('[data-role="shape"]')?.getAttribute('fill') ?? null,
    };
  });
}

async function waitForCurrent(page: Page, state: string): Promise<void> {
  await page.waitForFunction((name) => document.querySelector(`#flow-diagram svg g[data-node="${name}"]`)?.getAttribute('data-current') === 'true', state);
}

describe('the demo debug panel diagram', () => {
  let browser: Browser;
  let site: Site;

  beforeAll(async () => {
    [browser, site] = await Promise.all([launchChromium(), startDemoSite()]);
  }, 60_000);
  afterAll(async () => {
    await browser?.close();
    await site?.close();
  });

  it('draws the flow and follows the conversation', async () => {
    const context = await browser.newContext();
    try {
      const page = await context.newPage();
      await page.goto(`${site.url}/?storage=memory`);
      await launcher(page).waitFor();
      await page.locator('#flow-diagram svg').waitFor();

      const drawn = await page.$$eval('#flow-diagram svg g[data-kind="state"]', (nodes) => nodes.map((node) => node.getAttribute('data-node')));
      expect(drawn.sort()).toEqual(Object.keys(reservations.states).sort());
      const box = await page.locator('#flow-diagram svg').boundingBox();
      expect(box?.width).toBeGreaterThan(100);
      expect(box?.height).toBeGreaterThan(100);

      await launcher(page).click();
      await waitForText(page, 'Welcome to Chez Statechat');
      await waitForCurrent(page, 'InitialGreeting');
      const start = await diagramState(page);
      expect(start.current).toEqual(['InitialGreeting']);
      expect(start.currentFill).toBe('#bee3f8');

      await typeMessage(page, 'I want to make a reservation');
      await waitForText(page, 'How many people?');
      await waitForCurrent(page, 'CollectPartySize');
      const booked = await diagramState(page);
      expect(booked.current).toEqual(['CollectPartySize']);
      expect(booked.last).toContain('InitialGreeting -> CollectPartySize');
      expect(booked.last.every((edge) => edge === 'InitialGreeting -> CollectPartySize')).toBe(true);
      // Drawn at full size, the frame scrolls (the page does not) so the current state is in view.
      const inView = await page.evaluate(() => {
        const frame = document.querySelector('#flow-diagram .flow-diagram-frame') as HTMLElement;
        const node = frame.querySelector('g[data-current="true"]') as SVGGElement;
        const outer = frame.getBoundingClientRect();
        const inner = node.getBoundingClientRect();
        return inner.left >= outer.left && inner.right <= outer.right && inner.top >= outer.top && inner.bottom <= outer.bottom;
      });
      expect(inView).toBe(true);
      await page.locator('#flow-diagram').scrollIntoViewIfNeeded();
      await screenshot(page, 'flow-diagram');
      // The previous state is drawn as before.
      expect(await page.getAttribute('#flow-diagram g[data-node="InitialGreeting"] [data-role="shape"]', 'fill')).toBe('#ffffff');

      await typeMessage(page, 'cancel');
      // Cancelling asks first (the flow's CANCEL has `confirm`).
      await waitForText(page, 'Do you want to stop here?');
      await typeMessage(page, 'yes');
      await waitForText(page, "OK, I've stopped");
      await waitForCurrent(page, 'Cancelled');
      const cancelled = await diagramState(page);
      expect(cancelled.current).toEqual(['Cancelled']);
      // A global transition: marked on the edge drawn once from "any state".
      expect(cancelled.last).toEqual(['* -> Cancelled']);
      expect(await page.getAttribute('#flow-diagram g[data-last="true"] [data-role="line"]', 'stroke')).toBe('#dd6b20');
    } finally {
      await context.close();
    }
  }, 60_000);
});

describe('the widget bundle', () => {
  /** Every module the entry reaches through static and dynamic imports of our own files. */
  function reachable(entry: string): Set<string> {
    const seen = new Set<string>();
    const queue = [new URL(entry, `file://${root}`).pathname];
    while (queue.length > 0) {
      const file = queue.pop() as string;
      if (seen.has(file)) continue;
      seen.add(file);
      const source = readFileSync(file, 'utf8');
      for (const match of source.matchAll(/(?:from\s+|import\s*\(\s*)['"]([^'"]+)['"]/g)) {
        const specifier = match[1] as string;
        if (specifier.startsWith('.')) queue.push(new URL(specifier, `file://${file}`).pathname);
        else seen.add(specifier);
      }
    }
    return seen;
  }

  it.each(['widget/index.ts', 'widget/script-tag.ts', 'widget/element.ts'])('%s reaches neither the diagram nor its layout library', (entry) => {
    const modules = [...reachable(entry)];
    expect(modules.length).toBeGreaterThan(5);
    expect(modules.filter((module) => module.includes('flows/authoring') || module.includes('@dagrejs') || module.includes('demo/'))).toEqual([]);
  });
});
