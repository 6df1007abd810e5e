/**
 * The flow authors' commands: graph (each format), validate --format json,
 * init (and `statechat test` on what it wrote), and chat driven through a
 * pipe, as a script would — with the local NLU, a tools module, tools
 * answered on standard input, and a relay.
 */
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Window } from 'happy-dom';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../flows/cli/main.ts';
import type { Flow } from '../../flows/types.ts';
import { startRelayServer } from '../../relay/server.ts';

const root = fileURLToPath(new URL('../../', import.meta.url));
const EXAMPLES = ['flows/reservations.flow.json', 'flows/order-tracking.flow.json'];

async function capture(argv: string[]): Promise<{ code: number; out: string[]; err: string[] }> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await main(argv, { out: (line) => out.push(line), err: (line) => err.push(line) });
  return { code, out, err };
}

/** The bin as the built package installs it (`npm run build:lib`, which `npm test` runs first). */
const INSTALLED_BIN = join(root, 'packages/statechat', (JSON.parse(readFileSync(join(root, 'packages/statechat/package.json'), 'utf8')) as { bin: { statechat: string } }).bin.statechat);

/**
 * Runs the command from its sources (through tsx, so a TypeScript tools
 * module loads too), or the installed bin with `installed`, with `input`
 * piped to its standard input.
 */
function runBin(argv: string[], input: string, installed = false): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const command = installed ? [INSTALLED_BIN] : ['--import', 'tsx', join(root, 'flows/cli/bin.ts')];
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [...command, ...argv], { cwd: root, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
    child.stdin.end(input);
  });
}

const statesOf = (path: string): string[] => Object.keys((JSON.parse(readFileSync(join(root, path), 'utf8')) as Flow).states);

describe('statechat graph', () => {
  it.each(EXAMPLES)('writes Mermaid by default, with every state of %s', async (file) => {
    const result = await capture(['graph', join(root, file)]);
    expect(result.code).toBe(0);
    const text = result.out.join('\n');
    expect(text.startsWith('flowchart TD')).toBe(true);
    for (const state of statesOf(file)) expect(text).toMatch(new RegExp(`s\\d+[\\[(]+"${state}"`));
  });

  it.each(EXAMPLES)('writes an SVG file of %s with a group per state', async (file) => {
    const directory = await mkdtemp(join(tmpdir(), 'statechat-graph-'));
    const out = join(directory, 'flow.svg');
    const result = await capture(['graph', join(root, file), '--format', 'svg', '--out', out]);
    expect(result.code).toBe(0);
    expect(result.err.join('\n')).toMatch(/flow\.svg: \d+ states, \d+ transitions \(svg\)/);
    const window = new Window();
    const document = new window.DOMParser().parseFromString(await readFile(out, 'utf8'), 'image/svg+xml');
    expect(document.querySelector('parsererror')).toBeNull();
    const drawn = [...document.querySelectorAll('g[data-kind="state"]')].map((group) => group.getAttribute('data-node'));
    expect(drawn.sort()).toEqual(statesOf(file).sort());
    for (const state of statesOf(file)) expect(document.querySelector(`g[data-node="${state}"] text`)?.textContent).toContain(state);
  });

  it('runs as the installed bin, the layout library included', async () => {
    const result = await runBin(['graph', 'flows/order-tracking.flow.json', '--format', 'svg'], '', true);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^<\?xml version="1\.0" encoding="UTF-8"\?>\n<svg xmlns="http:\/\/www\.w3\.org\/2000\/svg" viewBox="0 0 \d+ \d+"/);
    for (const state of statesOf('flows/order-tracking.flow.json')) expect(result.stdout).toContain(`data-node="${state}"`);
  });

  it('writes DOT', async () => {
    const result = await capture(['graph', join(root, EXAMPLES[0] as string), '--format', 'dot']);
    expect(result.code).toBe(0);
    const text = result.out.join('\n');
    expect(text).toMatch(/^digraph "Restaurant Reservations" \{/);
    expect(text).toContain('"InitialGreeting" -> "CollectPartySize" [label="intent BOOK"]');
    expect(text).toContain('"*" -> "Cancelled" [label="intent CANCEL", style="dashed"]');
  });

  it('flags unreachable states on standard error and in the drawing', async () => {
    const directory = await mkdtemp(join(tmpdir(), 'statechat-graph-'));
    const file = join(directory, 'orphan.flow.json');
    await writeFile(file, JSON.stringify({ meta: { name: 'o' }, start: 'A', intents: {}, states: { A: { final: true }, Lost: { final: true } } }));
    const result = await capture(['graph', file]);
    expect(result.code).toBe(0);
    expect(result.err).toEqual([`${file}: state "Lost" is unreachable`]);
    expect(result.out.join('\n')).toContain('"Lost ⚠ unreachable"');
  });

  it('rejects a bad format, a missing file and a broken flow', async () => {
    expect((await capture(['graph', join(root, EXAMPLES[0] as string), '--format', 'png'])).err.join('\n')).toContain('unknown format "png"');
    expect((await capture(['graph'])).code).toBe(2);
    const missing = await capture(['graph', join(root, 'nope.flow.json')]);
    expect(missing.code).toBe(1);
    expect(missing.err.join('\n')).toContain('cannot read: ENOENT');
    const directory = await mkdtemp(join(tmpdir(), 'statechat-graph-'));
    const broken = join(directory, 'broken.flow.json');
    await writeFile(broken, JSON.stringify({ meta: { name: 'x' }, start: 'Colect', intents: {}, states: { Collect: { final: true } } }));
    const result = await capture(['graph', broken]);
    expect(result.code).toBe(1);
    expect(result.err).toContain(`${broken}:/start: error: unknown state "Colect" (did you mean "Collect"?)`);
  });
});

describe('statechat validate --format json', () => {
  it('reports each file with its flow and issues', async () => {
    const directory = await mkdtemp(join(tmpdir(), 'statechat-validate-'));
    const broken = join(directory, 'broken.flow.json');
    await writeFile(broken, JSON.stringify({ meta: { name: 'x' }, start: 'Colect', intents: {}, states: { Collect: { final: true }, Lost: { final: true } } }, null, 2));
    const misspelt = join(directory, 'misspelt.flow.json');
    await writeFile(misspelt, JSON.stringify({ meta: { name: 'x' }, start: 'A', intents: {}, states: { A: { final: true, onEnterr: [] } } }, null, 2));
    const result = await capture(['validate', '--format', 'json', join(root, EXAMPLES[0] as string), broken, misspelt]);
    expect(result.code).toBe(1);
    const report = JSON.parse(result.out.join('\n')) as { files: { file: string; ok: boolean; flow: unknown; issues: { path: string; severity: string; code: string; message: string; hint?: string }[] }[]; errors: number; warnings: number };
    expect(report.files[0]).toMatchObject({ ok: true, flow: { id: 'reservations', version: '2.1.0', states: 17 }, issues: [] });
    expect(report.files[1]).toMatchObject({ file: broken, ok: false, flow: null });
    // Each issue says where it is, for editors and CI annotations.
    expect(report.files[1]?.issues).toContainEqual({ path: '/start', severity: 'error', code: 'unknown-state', message: 'unknown state "Colect"', hint: 'did you mean "Collect"?', line: 5, column: 12 });
    expect(report.files[2]?.issues).toContainEqual(expect.objectContaining({ path: '/states/A/onEnterr', severity: 'error', line: 10, column: 19 }));
    expect(report.errors).toBe(report.files.flatMap((file) => file.issues).filter((issue) => issue.severity === 'error').length);
    expect(report.errors).toBeGreaterThan(0);
  });

  it('passes on the example flows and keeps the text format as it was', async () => {
    const json = await capture(['validate', '--format=json', ...EXAMPLES.map((file) => join(root, file))]);
    expect(json.code).toBe(0);
    expect((JSON.parse(json.out.join('\n')) as { errors: number }).errors).toBe(0);
    const text = await capture(['validate', '--format', 'text', join(root, EXAMPLES[0] as string)]);
    expect(text.out).toEqual([expect.stringMatching(/reservations\.flow\.json: ok \(reservations 2\.1\.0, 17 states\)/)]);
    expect((await capture(['validate', '--format', 'xml', join(root, EXAMPLES[0] as string)])).code).toBe(2);
  });
});

describe('statechat init', () => {
  it('writes a flow, its transcript and a README snippet that validate, pass their tests, draw and chat', async () => {
    const directory = await mkdtemp(join(tmpdir(), 'statechat-init-'));
    const target = join(directory, 'pizza-callback');
    const created = await capture(['init', 'pizza-callback', '--dir', target]);
    expect(created.code).toBe(0);
    expect(created.out).toEqual([
      `wrote ${join(target, 'pizza-callback.flow.json')}`,
      `wrote ${join(target, 'pizza-callback.test.yaml')}`,
      `wrote ${join(target, 'README.md')}`,
      `next: npx statechat test ${join(target, 'pizza-callback.test.yaml')}`,
    ]);
    const flowFile = join(target, 'pizza-callback.flow.json');
    const flow = JSON.parse(await readFile(flowFile, 'utf8')) as Flow;
    // The $schema path points at this package's schema from where the flow was written.
    expect(readFileSync(join(target, flow.$schema as string), 'utf8')).toContain('"title": "statechat flow"');

    const validated = await capture(['validate', flowFile]);
    expect(validated).toMatchObject({ code: 0, err: [] });
    const tested = await capture(['test', join(target, 'pizza-callback.test.yaml')]);
    expect(tested.out.at(-1)).toBe('4 passed, 0 failed');
    expect(tested.code).toBe(0);
    const readme = await readFile(join(target, 'README.md'), 'utf8');
    expect(readme).toContain('```mermaid\nflowchart TD');
    expect(readme).toContain('npx statechat chat pizza-callback.flow.json');

    const chat = await runBin(['chat', flowFile], 'request a call\n/state\n/quit\n', true);
    expect(chat.code).toBe(0);
    expect(chat.stdout).toContain('[state CollectContact · slots none]');

    const again = await capture(['init', 'pizza-callback', '--dir', target]);
    expect(again.code).toBe(1);
    expect(again.err.join('\n')).toContain('exists');
  });

  it('refuses a name that is not a flow id, and suggests one', async () => {
    const result = await capture(['init', 'Pizza Orders']);
    expect(result.code).toBe(2);
    expect(result.err.join('\n')).toContain('did you mean "pizza-orders"?');
  });
});

describe('statechat chat', () => {
  const now = '2026-11-23T10:00:00Z';

  it('books a table from piped input with the local NLU and the demo tools, showing state and slots each turn', async () => {
    const script = ['I want to make a reservation', 'We are 4 people', 'Tomorrow at 7pm', 'My name is John Doe, phone 555-1234', 'Yes, book it', '/state', ''].join('\n');
    const result = await runBin(['chat', 'flows/reservations.flow.json', '--tools', 'relay/demo-tools.ts', '--now', now], script);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const out = result.stdout;
    expect(out).toContain('bot> Welcome to Chez Statechat! How can I help?');
    expect(out).toContain('you> We are 4 people');
    expect(out).toContain('  ⇢ CollectPartySize → CollectDateTime');
    expect(out).toContain('[state CollectDateTime · slots partySize=4]');
    expect(out).toContain('[state Confirm · slots partySize=4, date=2026-11-24, time=19:00, name=John Doe');
    expect(out).toMatch(/· tool CreateBooking \{.*"partySize":4/);
    // The confirmation card, as lines of text under its title.
    expect(out).toMatch(/bot> You're booked!\n {5}We look forward to seeing you\.\n {5}Date: Tuesday, November 24\n {5}Time: 7:00\sPM\n {5}Guests: 4\n {5}Name: John Doe\n {5}Reference: \S+\n/);
    expect(out).toContain('⚑ event booking.confirmed');
    expect(out).toContain('  state    Confirmed (ended)');
  });

  it('runs as the installed bin with compiled tools, and says why a TypeScript module does not load there', async () => {
    const directory = await mkdtemp(join(tmpdir(), 'statechat-tools-'));
    const tools = join(directory, 'tools.mjs');
    // Both shapes: { handler } as the relay takes it, and a bare function.
    await writeFile(tools, 'export default { CheckAvailability: { domain: "reservations", handler: async (args) => ({ ok: args.partySize < 3 }) }, CreateBooking: async () => ({ bookingId: "BK-7" }) };\n');
    const script = ['I want to make a reservation', 'We are 2', 'Tomorrow at 8pm', 'I am Ana Lima, phone +44 20 7946 0958', 'Yes, book it', ''].join('\n');
    const result = await runBin(['chat', 'flows/reservations.flow.json', '--tools', tools, '--now', now], script, true);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('· tool CheckAvailability → {"ok":true}');
    expect(result.stdout).toContain("bot> You're booked!");
    expect(result.stdout).toContain('     Reference: BK-7\n');
    const typescript = await runBin(['chat', 'flows/reservations.flow.json', '--tools', 'relay/demo-tools.ts'], '', true);
    expect(typescript.code).toBe(1);
    expect(typescript.stderr).toContain('relay/demo-tools.ts is TypeScript, which Node cannot load on its own');
  });

  it('asks for tool results when no module is given, and runs /reset and /quit', async () => {
    const script = ['where is my order', 'AB-123456', 'ana@example.com', '{"status": "shipped", "eta": "2026-11-25"}', '/reset', '/quit', 'never read'].join('\n');
    const result = await runBin(['chat', 'flows/order-tracking.flow.json', '--now', now], script);
    expect(result.code).toBe(0);
    const out = result.stdout;
    expect(out).toContain('tool> LookupOrder needs an answer');
    expect(out).toMatch(/· tool LookupOrder → \{"status":"shipped","eta":"2026-11-25"\}/);
    expect(out).toContain('⇢ LookingUp → Done');
    const afterReset = out.slice(out.indexOf('you> /reset'));
    expect(afterReset).toContain('[state Greeting · slots none]');
    expect(out).not.toContain('never read');
  });

  it('speaks the visitor\'s language, fires idle timers on /wait, and says what it cannot do', async () => {
    const directory = await mkdtemp(join(tmpdir(), 'statechat-chat-'));
    await capture(['init', 'demo-flow', '--dir', directory]);
    const script = ['/wait 10', 'request a call', '/wait 120000', '/choose 1', '/event some.event {not json', '/frobnicate', '/help', ''].join('\n');
    const result = await runBin(['chat', join(directory, 'demo-flow.flow.json'), '--language', 'fr', '--now', now], script);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('bot> Bonjour ! Voulez-vous que nous vous rappelions ?');
    expect(result.stdout).toContain('bot> Still there? Just tell me your name and number when you are ready.');
    expect(result.stdout).toContain('! there are no quick replies now');
    expect(result.stdout).toContain('! the event data is not JSON');
    expect(result.stdout).toContain('! unknown command /frobnicate');
    expect(result.stdout).toContain('/reset            start the conversation over');
    const bad = await runBin(['chat', join(directory, 'demo-flow.flow.json'), '--language', 'not a tag'], '');
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('--language must be a BCP 47 tag');
  });

  describe('with a relay', () => {
    let relay: Awaited<ReturnType<typeof startRelayServer>>;
    beforeAll(async () => {
      relay = await startRelayServer({ flowsDir: join(root, 'flows'), toolsModule: join(root, 'relay/demo-tools.ts'), port: 0 });
    });
    afterAll(async () => {
      await relay.close();
    });

    it('classifies and runs tools on the relay', async () => {
      const script = ['I want to make a reservation', 'We are 2', 'Tomorrow at 8pm', 'I am Ana Lima, phone +44 20 7946 0958', ''].join('\n');
      const result = await runBin(['chat', 'flows/reservations.flow.json', '--relay', `http://127.0.0.1:${relay.port}`, '--now', now], script, true);
      expect(result.code).toBe(0);
      expect(result.stdout).toContain(`NLU: relay http://127.0.0.1:${relay.port}, tools: relay`);
      expect(result.stdout).toContain('· intent BOOK');
      expect(result.stdout).toMatch(/· tool CheckAvailability → \{"ok":true\}/);
      // The relay reads dates on its own clock, not the chat's --now.
      expect(result.stdout).toMatch(/\[state Confirm · slots partySize=2, date=\d{4}-\d{2}-\d{2}, time=20:00, name=Ana Lima, phone=\+442079460958\]/);
    });
  });
});
