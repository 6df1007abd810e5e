/**
 * The chaos run's real-browser slice: Debian's Chromium with the script-tag
 * build on a page, a real relay process (`relay-process.ts`, with Redis or
 * its memory stores), and a seeded visitor who types, picks quick replies,
 * presses Retry, reloads, goes offline (`setOffline`), opens and closes a
 * second tab, while the relay process is killed (SIGKILL) and started again.
 * After the world heals it checks what the simulation checks, from what the
 * pages show and from the tools' own side-effect log: every message answered
 * or failed with Retry, no tool run twice for one key, every tab the same,
 * and the journal in IndexedDB replaying to its snapshot.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import { createServer as createNetServer } from 'node:net';
import { tmpdir } from 'node:os';
import { extname, join, normalize } from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { compileFlow } from '../../../flows/compile-flow.ts';
import type { Flow } from '../../../flows/types.ts';
import { step } from '../../../widget/engine/step.ts';
import type { Snapshot } from '../../../widget/engine/types.ts';
import type { JournalRecord, SessionRecord } from '../../../widget/store/records.ts';
import { launchChromium } from '../../browser/harness.ts';
import { buildWidget, projectRoot } from '../../bundle/build.ts';
import { Random } from '../random.ts';
import { phraseFor, type FlowName } from '../schedule.ts';

export interface SliceOptions {
  seed: number;
  sessions: number;
  /** Visitor and world steps per session. */
  steps: number;
  /** Idempotency records in a real redis-server (else the relay's memory). */
  redis: boolean;
  /** Called with each finished session's line (progress). */
  onSession?: (line: string) => void;
}

export interface SliceResult {
  sessions: number;
  lost: number;
  duplicates: number;
  divergent: number;
  replay: number;
  /** One line per violation, with the seed and step. */
  violations: string[];
  counts: Record<string, number>;
}

const TYPES: Record<string, string> = { '.html': 'text/html; charset=utf-8', '.js': 'text/javascript; charset=utf-8', '.css': 'text/css; charset=utf-8', '.json': 'application/json' };
const WAIT_MS = 8000;
const HEAL_MS = 45_000;

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createNetServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address();
      probe.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

function waitForLine(child: ChildProcess, pattern: RegExp, timeoutMs: number): Promise<void> {
  return new Promise((resolve, reject) => {
    let seen = '';
    const timer = setTimeout(() => reject(new Error(`timed out waiting for ${String(pattern)}: ${seen}`)), timeoutMs);
    child.stdout?.on('data', (chunk: Buffer) => {
      seen += chunk.toString();
      if (pattern.test(seen)) {
        clearTimeout(timer);
        resolve();
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`exited with ${String(code)}: ${seen}`));
    });
  });
}

function stop(child: ChildProcess | undefined, signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
  if (!child?.pid || child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    child.once('exit', () => resolve());
    child.kill(signal);
  });
}

function staticSite(roots: string[]): Server {
  return createServer((request, response) => {
    void (async () => {
      const path = decodeURIComponent(new URL(request.url ?? '/', 'http://localhost').pathname);
      const relative = normalize(path).replace(/^([/\\])+/, '');
      for (const root of roots) {
        try {
          const body = await readFile(join(root, relative));
          response.writeHead(200, { 'content-type': TYPES[extname(relative)] ?? 'application/octet-stream', 'cache-control': 'no-store' }).end(body);
          return;
        } catch {
          // Not in this root.
        }
      }
      response.writeHead(404).end();
    })();
  });
}

/** The relay process: killed and started again on the same port, so pages keep their relay URL. */
class RelayProcess {
  private child: ChildProcess | undefined;
  private starting: Promise<void> | null = null;
  readonly killedPids = new Set<number>();

  constructor(private readonly env: NodeJS.ProcessEnv) {}

  start(): Promise<void> {
    this.starting ??= (async () => {
      const child = spawn(process.execPath, ['--import', 'tsx', join(projectRoot, 'test/chaos/browser/relay-process.ts')], {
        cwd: projectRoot,
        env: { ...process.env, OPENAI_API_KEY: '', ...this.env },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      this.child = child;
      child.stderr?.resume();
      await waitForLine(child, /LISTENING \d+/, 60_000);
    })().finally(() => {
      this.starting = null;
    });
    return this.starting;
  }

  get running(): boolean {
    return this.child !== undefined && this.child.exitCode === null && this.child.signalCode === null;
  }

  async kill(): Promise<void> {
    if (this.child?.pid) this.killedPids.add(this.child.pid);
    await stop(this.child, 'SIGKILL');
  }

  close(): Promise<void> {
    return stop(this.child);
  }
}

interface Tab {
  id: number;
  page: Page;
}

interface ExpectedMessage {
  id: string;
  tab: number;
  step: number;
  exempt: boolean;
}

async function userIds(page: Page): Promise<string[]> {
  return page.locator('.message.user').evaluateAll((nodes) => nodes.map((node) => node.getAttribute('data-id') ?? ''));
}

/** What a tab shows: every message's kind, id, status and text, in order. */
async function shown(page: Page): Promise<string[]> {
  return page.locator('.log .message').evaluateAll((nodes) =>
    nodes.map((node) => {
      const bubble = node.querySelector('.bubble');
      return `${node.className}|${node.getAttribute('data-id') ?? ''}|${node.getAttribute('data-status') ?? ''}|${(bubble ?? node).textContent?.trim() ?? ''}`;
    }),
  );
}

async function openPanel(page: Page): Promise<void> {
  const box = page.getByRole('textbox', { name: 'Message', exact: true });
  // The page's own API (the launcher is redrawn while the chat loads, so a click can miss it).
  await page.waitForFunction(() => 'statechat' in window, undefined, { timeout: WAIT_MS });
  await page.evaluate(() => (window as unknown as { statechat: { open: () => void } }).statechat.open());
  await box.waitFor({ timeout: WAIT_MS });
}

/** The stored session and journal, read in the page (IndexedDB `statechat`). */
function readStored(page: Page): Promise<{ session: SessionRecord | null; journal: JournalRecord[] }> {
  return page.evaluate(
    () =>
      new Promise<{ session: SessionRecord | null; journal: JournalRecord[] }>((resolve, reject) => {
        const opening = indexedDB.open('statechat');
        opening.onerror = () => reject(opening.error);
        opening.onsuccess = () => {
          const database = opening.result;
          const transaction = database.transaction(['sessions', 'journal'], 'readonly');
          const sessions = transaction.objectStore('sessions').getAll();
          const journal = transaction.objectStore('journal').getAll();
          transaction.oncomplete = () => {
            database.close();
            resolve({ session: (sessions.result[0] as SessionRecord | undefined) ?? null, journal: journal.result as JournalRecord[] });
          };
          transaction.onerror = () => reject(transaction.error);
        };
      }),
  );
}

async function loadFlows(): Promise<Record<FlowName, Flow>> {
  const read = async (name: string): Promise<Flow> => JSON.parse(await readFile(join(projectRoot, 'flows', `${name}.flow.json`), 'utf8')) as Flow;
  return { reservations: await read('reservations'), 'order-tracking': await read('order-tracking') };
}

export async function runBrowserSlice(options: SliceOptions): Promise<SliceResult> {
  const directory = await mkdtemp(join(tmpdir(), 'statechat-chaos-browser-'));
  const bundle = join(directory, 'bundle');
  const pages = join(directory, 'pages');
  const toolLog = join(directory, 'tools.jsonl');
  const result: SliceResult = { sessions: 0, lost: 0, duplicates: 0, divergent: 0, replay: 0, violations: [], counts: {} };
  const count = (what: string): void => {
    result.counts[what] = (result.counts[what] ?? 0) + 1;
  };
  let site: Server | undefined;
  let redis: ChildProcess | undefined;
  let relay: RelayProcess | undefined;
  let browser: Browser | undefined;
  try {
    await buildWidget(bundle);
    const relayPort = await freePort();
    const relayUrl = `http://127.0.0.1:${relayPort}`;
    await rm(pages, { recursive: true, force: true });
    await import('node:fs/promises').then(({ mkdir }) => mkdir(pages, { recursive: true }));
    for (const flow of ['reservations', 'order-tracking'] as const) {
      await writeFile(
        join(pages, `${flow}.html`),
        `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Chaos</title><script src="/statechat.js" data-relay="${relayUrl}" data-flow="${flow}" defer></script></head><body><h1>Chaos</h1></body></html>`,
      );
    }
    site = staticSite([pages, bundle]);
    const siteUrl = await new Promise<string>((resolve) => {
      site?.listen(0, '127.0.0.1', () => {
        const address = site?.address();
        resolve(`http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`);
      });
    });
    // One signing secret for every relay process, restarted or not, as on a deployment.
    const env: NodeJS.ProcessEnv = { PORT: String(relayPort), ALLOWED_ORIGINS: siteUrl, CHAOS_TOOL_LOG: toolLog, RELAY_SECRETS: 'chaos-relay-secret-0123456789abcdefghij' };
    if (options.redis) {
      const redisPort = await freePort();
      redis = spawn('redis-server', ['--port', String(redisPort), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', directory], { stdio: ['ignore', 'pipe', 'pipe'] });
      await waitForLine(redis, /Ready to accept connections/, 10_000);
      env.REDIS_URL = `redis://127.0.0.1:${redisPort}`;
    }
    relay = new RelayProcess(env);
    await relay.start();
    browser = await launchChromium();
    const flows = await loadFlows();

    for (let index = 0; index < options.sessions; index += 1) {
      const seed = (options.seed + index) | 0;
      await writeFile(toolLog, '');
      const found = await runOne(browser, relay, siteUrl, toolLog, flows, seed, options.steps, count);
      result.sessions += 1;
      for (const violation of found) {
        result.violations.push(violation.line);
        result[violation.kind] += 1;
      }
      options.onSession?.(`browser session ${index + 1}/${options.sessions} (seed ${seed}${options.redis ? ', Redis' : ''}): ${found.length} violations`);
    }
    return result;
  } finally {
    await browser?.close();
    await relay?.close();
    await stop(redis);
    await new Promise<void>((resolve) => {
      if (!site) resolve();
      else {
        site.closeAllConnections();
        site.close(() => resolve());
      }
    });
    await rm(directory, { recursive: true, force: true });
  }
}

type Kind = 'lost' | 'duplicates' | 'divergent' | 'replay';

async function runOne(
  browser: Browser,
  relay: RelayProcess,
  siteUrl: string,
  toolLog: string,
  flows: Record<FlowName, Flow>,
  seed: number,
  steps: number,
  count: (what: string) => void,
): Promise<{ kind: Kind; line: string }[]> {
  const random = new Random(seed);
  const flow: FlowName = random.chance(0.5) ? 'reservations' : 'order-tracking';
  const violations: { kind: Kind; line: string }[] = [];
  const context: BrowserContext = await browser.newContext();
  const tabs: Tab[] = [];
  const expected: ExpectedMessage[] = [];
  let nextTab = 1;
  let at = 0;
  const report = (kind: Kind, detail: string): void => {
    violations.push({ kind, line: `browser violation ${kind}: seed ${seed} step ${at} (${flow}): ${detail}` });
  };
  const trace = (what: string): void => {
    if (process.env.CHAOS_TRACE) console.log(`  seed ${seed} step ${at} ${new Date().toISOString().slice(11, 23)}: ${what}`);
  };

  let offlineUntil = 0;
  const openTab = async (): Promise<Tab> => {
    // Offline, a new tab shows the browser's own error page: the visitor opens it once the network is back.
    if (offlineUntil !== 0) {
      await context.setOffline(false);
      offlineUntil = 0;
    }
    const page = await context.newPage();
    await page.goto(`${siteUrl}/${flow}.html`);
    await openPanel(page);
    const tab = { id: nextTab++, page };
    tabs.push(tab);
    return tab;
  };

  /** Waits for a new visitor message (by id) in `tab` after an action; records it. */
  const recordNew = async (tab: Tab, before: Set<string>): Promise<void> => {
    const deadline = Date.now() + WAIT_MS;
    while (Date.now() < deadline) {
      const fresh = (await userIds(tab.page)).filter((id) => id !== '' && !before.has(id));
      if (fresh.length > 0) {
        for (const id of fresh) expected.push({ id, tab: tab.id, step: at, exempt: false });
        trace(`tab ${tab.id} shows ${fresh.join(', ')}`);
        return;
      }
      await tab.page.waitForTimeout(50);
    }
    report('lost', `a message sent in tab ${tab.id} never showed there`);
  };

  /** A tab going away: what only it showed (forwarded, not yet taken by the leader) goes with it. */
  const abandon = async (tab: Tab): Promise<void> => {
    const elsewhere = new Set<string>();
    for (const other of tabs) if (other !== tab) for (const id of await userIds(other.page)) elsewhere.add(id);
    for (const entry of expected) if (entry.tab === tab.id && !elsewhere.has(entry.id) && tabs.length > 1) entry.exempt = true;
  };

  try {
    await openTab();
    for (at = 1; at <= steps; at += 1) {
      if (offlineUntil !== 0 && Date.now() > offlineUntil) {
        await context.setOffline(false);
        offlineUntil = 0;
      }
      const tab = random.pick(tabs);
      const box = tab.page.getByRole('textbox', { name: 'Message', exact: true });
      const roll = random.next();
      if (roll < 0.4) {
        if (!(await box.isEnabled().catch(() => false))) continue;
        const text = phraseFor(flow, random.int(0, 63));
        const before = new Set(await userIds(tab.page));
        await box.fill(text);
        await box.press('Enter');
        count('typed');
        trace(`tab ${tab.id} types "${text}"`);
        await recordNew(tab, before);
      } else if (roll < 0.52) {
        const chips = tab.page.locator('.choices .chip');
        const offered = await chips.count();
        if (offered === 0) continue;
        const before = new Set(await userIds(tab.page));
        await chips.nth(random.int(0, offered - 1)).click({ timeout: WAIT_MS });
        count('quick replies');
        trace(`tab ${tab.id} picks a quick reply`);
        await recordNew(tab, before);
      } else if (roll < 0.57) {
        const retry = tab.page.getByRole('button', { name: 'Retry' });
        if ((await retry.count()) > 0) {
          await retry.first().click({ timeout: WAIT_MS });
          count('retries');
          trace(`tab ${tab.id} presses Retry`);
        }
      } else if (roll < 0.67) {
        await tab.page.waitForTimeout(random.int(200, 3000));
      } else if (roll < 0.77) {
        // Offline, a reload shows the browser's own error page: the visitor reloads once the network is back.
        if (offlineUntil !== 0) {
          await context.setOffline(false);
          offlineUntil = 0;
        }
        await abandon(tab);
        await tab.page.reload();
        await openPanel(tab.page);
        count('reloads');
        trace(`tab ${tab.id} reloaded`);
      } else if (roll < 0.84) {
        if (offlineUntil === 0) {
          await context.setOffline(true);
          offlineUntil = Date.now() + random.int(500, 5000);
          count('offline spells');
          trace(`offline until +${offlineUntil - Date.now()} ms`);
        }
      } else if (roll < 0.89) {
        if (tabs.length < 2) {
          await openTab();
          count('tabs opened');
          trace('a tab opened');
        }
      } else if (roll < 0.94) {
        if (tabs.length > 1) {
          await abandon(tab);
          tabs.splice(tabs.indexOf(tab), 1);
          await tab.page.close();
          count('tabs closed');
          trace(`tab ${tab.id} closed`);
        }
      } else {
        await relay.kill();
        count('relay kills');
        trace('relay killed');
        await tab.page.waitForTimeout(random.int(0, 2000));
        await relay.start();
      }
    }
    // The world heals: online, the relay up; the widget's retries (15 s for a stalled tool) finish the work,
    // and the typing dots go once the answer is in and its bubbles are all revealed (they come 450 ms apart).
    await context.setOffline(false);
    if (!relay.running) await relay.start();
    const deadline = Date.now() + HEAL_MS;
    for (;;) {
      const busy = await Promise.all(
        tabs.map((tab) => tab.page.locator('.message.user[data-status="pending"], .message.user[data-status="queued"], .message.user[data-status="sent"], .typing').count()),
      );
      if (busy.every((value) => value === 0) || Date.now() > deadline) break;
      await tabs[0]?.page.waitForTimeout(500);
    }
    await tabs[0]?.page.waitForTimeout(1500);

    const views = await Promise.all(tabs.map((tab) => shown(tab.page)));
    views.forEach((view, index) => trace(`tab ${tabs[index]?.id ?? '?'} at the end:\n    ${view.join('\n    ')}`));
    const reference = views[0] ?? [];
    views.forEach((view, index) => {
      if (index > 0 && !isDeepStrictEqual(view, reference)) report('divergent', `tab ${tabs[index]?.id ?? '?'} shows ${view.length} messages, tab ${tabs[0]?.id ?? '?'} ${reference.length}`);
    });
    const statuses = new Map<string, string>();
    for (const line of reference) {
      const [kind, id, status] = line.split('|');
      if (kind?.includes('user') && id) statuses.set(id, status ?? '');
    }
    for (const entry of expected) {
      if (entry.exempt) continue;
      const status = statuses.get(entry.id);
      if (status === undefined) report('lost', `message ${entry.id} (step ${entry.step}) is gone`);
      else if (status !== 'answered' && status !== 'failed') report('lost', `message ${entry.id} (step ${entry.step}) is stuck as ${status}`);
    }

    const runs = (await readFile(toolLog, 'utf8'))
      .split('\n')
      .filter((line) => line !== '')
      .map((line) => JSON.parse(line) as { tool: string; sessionId: string; key: string; pid: number });
    const byKey = new Map<string, typeof runs>();
    for (const run of runs) byKey.set(`${run.sessionId} ${run.key}`, [...(byKey.get(`${run.sessionId} ${run.key}`) ?? []), run]);
    for (let run = 0; run < runs.length; run += 1) count('tool runs');
    for (const [key, list] of byKey) {
      if (list.length < 2) continue;
      // A relay killed after the side effect and before it recorded the answer: at-least-once, as documented.
      if (list.slice(0, -1).every((run) => relay.killedPids.has(run.pid))) {
        count('runs again after a relay kill');
        continue;
      }
      report('duplicates', `${list[0]?.tool ?? '?'} ran ${list.length} times for ${key}`);
    }

    const page = tabs[0]?.page;
    if (page) {
      const stored = await readStored(page);
      if (stored.session) {
        const loaded = compileFlow(flows[flow]);
        let snapshot: Snapshot = stored.session.base;
        const journal = stored.journal.filter((record) => record.namespace === stored.session?.namespace).sort((left, right) => left.seq - right.seq);
        for (const record of journal) snapshot = step(loaded, snapshot, record.event, record.env).snapshot;
        if (!isDeepStrictEqual(snapshot, stored.session.snapshot)) report('replay', `the journal (${journal.length} events) does not replay to the stored snapshot`);
      }
    }
  } catch (error) {
    report('lost', `the session broke off: ${error instanceof Error ? error.message : String(error)}`);
  } finally {
    await context.close();
  }
  return violations;
}
