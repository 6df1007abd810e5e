/**
 * The `statechat` command line: `validate` and `test` for flow authors, and
 * `relay`, which hands over to the relay's own command. Returns an exit code;
 * prints to the given streams so tests can capture the output.
 *
 * It lives with the flow language (Node only: unlike the rest of `flows/`,
 * it reads files) and ships in the `statechat` package; it runs transcripts
 * through the engine and the local NLU of `widget/`.
 */
import { readFile } from 'node:fs/promises';
import { dirname, relative, resolve } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { formatIssue, loadFlow, type LoadedFlow } from '../index.ts';
import {
  coverage,
  runConversation,
  transcriptProblems,
  type ConversationResult,
  type Transcript,
} from '../../widget/engine/conversation-test.ts';
import { createLocalUnderstanding } from '../../widget/local-understanding.ts';
import { loadFullParsers } from '../../widget/nlu/index.ts';

export interface Output {
  out: (line: string) => void;
  err: (line: string) => void;
}

const consoleOutput: Output = {
  out: (line) => process.stdout.write(`${line}\n`),
  err: (line) => process.stderr.write(`${line}\n`),
};

const USAGE = `statechat — conversational flows for the web

Usage:
  statechat validate [--format text|json] <flow.json…>
                                         check flows: schema, lint, expressions
  statechat test [--scripted-only] <transcript.yaml|json…>
                                         run conversation transcripts against their flows
  statechat graph <flow.json> [--format mermaid|svg|dot] [--out file]
                                         draw the flow: every state and transition
  statechat chat <flow.json> [--relay url] [--tools module] [--language tag]
                                         talk to a flow in the terminal (reads piped input too)
  statechat init <name> [--dir folder]   a new flow, its transcript test and a README snippet
  statechat relay [options]              serve flows and tools (see statechat relay --help)
  statechat help                         this text`;

function display(path: string): string {
  const shown = relative(process.cwd(), path);
  return shown.startsWith('..') ? path : shown;
}

async function readFlow(path: string, output: Output): Promise<LoadedFlow | null> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    output.err(`${display(path)}: cannot read: ${(error as NodeJS.ErrnoException).code ?? String(error)}`);
    return null;
  }
  const result = loadFlow(text);
  for (const warning of result.warnings) output.err(formatIssue(warning, display(path)));
  if (!result.ok) {
    for (const error of result.errors) output.err(formatIssue(error, display(path)));
    return null;
  }
  return result.flow;
}

export async function validateCommand(files: string[], output: Output): Promise<number> {
  if (files.length === 0) {
    output.err('statechat validate: name at least one flow file');
    return 2;
  }
  let failed = 0;
  for (const file of files) {
    const flow = await readFlow(resolve(file), output);
    if (flow) output.out(`${display(resolve(file))}: ok (${flow.id} ${flow.version}, ${Object.keys(flow.definition.states).length} states)`);
    else failed += 1;
  }
  return failed === 0 ? 0 : 1;
}

interface FileRun {
  file: string;
  flowPath: string;
  flow: LoadedFlow;
  results: ConversationResult[];
}

export async function testCommand(args: string[], output: Output): Promise<number> {
  const scriptedOnly = args.includes('--scripted-only');
  const files = args.filter((arg) => !arg.startsWith('--'));
  if (files.length === 0) {
    output.err('statechat test: name at least one transcript file');
    return 2;
  }
  const parsers = scriptedOnly ? undefined : await loadFullParsers();
  let passed = 0;
  let failed = 0;
  const runs: FileRun[] = [];
  for (const file of files) {
    const path = resolve(file);
    let transcript: Transcript;
    try {
      const text = await readFile(path, 'utf8');
      const parsed: unknown = path.endsWith('.json') ? JSON.parse(text) : parseYaml(text);
      const problems = transcriptProblems(parsed);
      if (problems.length > 0) {
        for (const problem of problems) output.err(`${display(path)}: ${problem}`);
        failed += 1;
        continue;
      }
      transcript = parsed as Transcript;
    } catch (error) {
      output.err(`${display(path)}: cannot read: ${error instanceof Error ? error.message : String(error)}`);
      failed += 1;
      continue;
    }
    const flowPath = resolve(dirname(path), transcript.flow);
    const flow = await readFlow(flowPath, output);
    if (!flow) {
      failed += transcript.conversations.length;
      continue;
    }
    const understand = scriptedOnly ? undefined : createLocalUnderstanding(flow, parsers ? { parsers } : {});
    output.out(`${display(path)} (${display(flowPath)})`);
    const results: ConversationResult[] = [];
    for (const conversation of transcript.conversations) {
      const result = runConversation(flow, conversation, { ...(transcript.now ? { now: transcript.now } : {}), ...(transcript.tools ? { tools: transcript.tools } : {}) }, understand ? { understand } : {});
      results.push(result);
      if (result.passed) {
        passed += 1;
        output.out(`  ✓ ${result.name}`);
      } else {
        failed += 1;
        output.out(`  ✗ ${result.name}`);
        for (const failure of result.failures) {
          const where = failure.step === -1 ? 'engine' : `step ${failure.step}`;
          output.out(`      ${where}: expected ${failure.expected}`);
          output.out(`      ${' '.repeat(where.length)}  actual   ${failure.actual}`);
        }
      }
    }
    runs.push({ file: path, flowPath, flow, results });
  }
  const byFlow = new Map<string, FileRun[]>();
  for (const run of runs) byFlow.set(run.flowPath, [...(byFlow.get(run.flowPath) ?? []), run]);
  for (const [flowPath, flowRuns] of byFlow) {
    const flow = (flowRuns[0] as FileRun).flow;
    const covered = coverage(flow, flowRuns.flatMap((run) => run.results));
    const states = covered.states;
    const transitions = covered.transitions;
    output.out(
      `coverage ${display(flowPath)}: states ${states.covered.length}/${states.covered.length + states.missing.length}` +
        `, transitions ${transitions.covered.length}/${transitions.covered.length + transitions.missing.length}`,
    );
    if (states.missing.length > 0) output.out(`  states not visited: ${states.missing.join(', ')}`);
    if (transitions.missing.length > 0) output.out(`  transitions not taken: ${transitions.missing.join('; ')}`);
  }
  output.out(`${passed} passed, ${failed} failed`);
  return failed === 0 ? 0 : 1;
}

export async function main(argv: string[], output: Output = consoleOutput): Promise<number> {
  const [command, ...rest] = argv;
  switch (command) {
    case 'validate': {
      const { validateWithFormat } = await import('./validate-format.ts');
      return validateWithFormat(rest, output, validateCommand);
    }
    case 'graph': {
      const { graphCommand } = await import('./graph-command.ts');
      return graphCommand(rest, output);
    }
    case 'chat': {
      const { chatCommand } = await import('./chat-command.ts');
      return chatCommand(rest, { input: process.stdin, output, interactive: process.stdin.isTTY === true });
    }
    case 'init': {
      const { initCommand } = await import('./init-command.ts');
      return initCommand(rest, output);
    }
    case 'test':
      return testCommand(rest, output);
    case 'relay': {
      // Loaded on demand: validate and test need none of the server's dependencies.
      // In the published packages this is `statechat-relay/cli`, an optional peer of `statechat`.
      let relayCommand: typeof import('../../relay/cli/relay-command.ts');
      try {
        relayCommand = await import('../../relay/cli/relay-command.ts');
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'ERR_MODULE_NOT_FOUND' && String(error).includes("'statechat-relay'")) {
          output.err('statechat relay: the relay is the statechat-relay package (npm install statechat-relay, then npx statechat-relay --flows <dir>)');
          return 1;
        }
        throw error;
      }
      return relayCommand.runRelayCommand(rest);
    }
    case undefined:
    case 'help':
    case '--help':
    case '-h':
      output.out(USAGE);
      return command === undefined ? 2 : 0;
    default:
      output.err(`statechat: unknown command "${command}"\n\n${USAGE}`);
      return 2;
  }
}
