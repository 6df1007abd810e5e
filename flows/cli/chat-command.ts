/**
 * `statechat chat <flow> [--relay URL] [--tools module] [--language fr]`:
 * talk to a flow in the terminal. Messages are classified by the flow's own
 * local NLU, or by a relay; tool calls go to a module's implementations, to
 * the relay, or are asked of the person at the keyboard. After each turn it
 * prints the state and the filled slots. Reads piped input too, so a
 * conversation can be scripted:
 *
 * @example
 * ```sh
 * printf 'I want to book\nwe are 4\n/state\n' | statechat chat flows/reservations.flow.json --tools ./my-tools.js
 * ```
 */
import { resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import type { Json, JsonObject } from '../types.ts';
import { createLocalUnderstanding } from '../../widget/local-understanding.ts';
import { loadFullParsers } from '../../widget/nlu/index.ts';
import type { Output } from './output.ts';
import { displayPath, readFlowFile } from './read-flow.ts';
import { CHAT_COMMANDS_HELP, TerminalChat, type Classification, type ClassifyRequest, type JournalEntry, type ToolAnswer, type ToolRequest } from './terminal-chat.ts';

export const CHAT_USAGE = `usage: statechat chat <flow.json> [--relay <url>] [--tools <module>] [--language <tag>] [--now <iso>]

  --relay     classify with this relay (and run tools there unless --tools is given)
  --tools     a module exporting tool implementations ({ Name: { handler } }, default export or \`tools\`);
              tools it lacks are asked of you: type the result as JSON, or !error <message>
  --language  the visitor's language (BCP 47), e.g. fr
  --now       start the clock at this ISO date-time, for scripted runs (a relay keeps its own clock)

${CHAT_COMMANDS_HELP}`;

export interface ChatIo {
  input: NodeJS.ReadableStream;
  output: Output;
  /** A person at a keyboard: prompt, rather than echo what was read. */
  interactive: boolean;
}

type ToolHandler = (args: JsonObject, context: { flowId: string; sessionId: string; idempotencyKey: string; attempt: number; signal: AbortSignal; now: number }) => unknown;

function isRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/** `{ Name: { handler } }` or `{ Name: handler }`, from the default export or `tools`. */
export async function loadToolHandlers(modulePath: string): Promise<Map<string, ToolHandler>> {
  let loaded: unknown;
  try {
    loaded = await import(pathToFileURL(resolve(modulePath)).href);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ERR_UNKNOWN_FILE_EXTENSION') {
      throw new Error(`${modulePath} is TypeScript, which Node cannot load on its own: point --tools at its compiled .js, or run with a loader (node --import tsx …)`, { cause: error });
    }
    throw new Error(`cannot load ${modulePath}: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
  }
  const exported = isRecord(loaded) ? (loaded.tools ?? loaded.default) : undefined;
  if (!isRecord(exported)) throw new Error(`${modulePath} exports no tools (export default { ToolName: { handler: async (args) => result } })`);
  const handlers = new Map<string, ToolHandler>();
  for (const [name, value] of Object.entries(exported)) {
    if (typeof value === 'function') handlers.set(name, value as ToolHandler);
    else if (isRecord(value) && typeof value.handler === 'function') handlers.set(name, value.handler as ToolHandler);
    else throw new Error(`${modulePath}: tool "${name}" is neither a function nor { handler }`);
  }
  return handlers;
}

/** Lines of the input, one `next()` at a time; null once it has ended. */
function lineReader(input: NodeJS.ReadableStream): { next: () => Promise<string | null>; close: () => void } {
  const lines: string[] = [];
  const waiting: ((line: string | null) => void)[] = [];
  let ended = false;
  const reader = createInterface({ input, terminal: false, crlfDelay: Infinity });
  reader.on('line', (line) => {
    const waiter = waiting.shift();
    if (waiter) waiter(line);
    else lines.push(line);
  });
  reader.on('close', () => {
    ended = true;
    for (const waiter of waiting.splice(0)) waiter(null);
  });
  return {
    next: () => {
      const line = lines.shift();
      if (line !== undefined) return Promise.resolve(line);
      if (ended) return Promise.resolve(null);
      return new Promise((resolveLine) => waiting.push(resolveLine));
    },
    close: () => reader.close(),
  };
}

async function postJson(url: string, body: JsonObject, headers: Record<string, string> = {}): Promise<{ status: number; body: unknown }> {
  const response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body), signal: AbortSignal.timeout(20_000) });
  const answer: unknown = await response.json().catch(() => undefined);
  return { status: response.status, body: answer };
}

function relayError(body: unknown, status: number): { code: string; message: string } {
  if (isRecord(body) && isRecord(body.error) && typeof body.error.code === 'string') {
    return { code: body.error.code, message: typeof body.error.message === 'string' ? body.error.message : body.error.code };
  }
  return { code: 'relay', message: `the relay answered ${status}` };
}

export async function chatCommand(argv: string[], io: ChatIo): Promise<number> {
  const { output } = io;
  let values: { relay?: string; tools?: string; language?: string; now?: string; help?: boolean };
  let positionals: string[];
  try {
    ({ values, positionals } = parseArgs({
      args: argv,
      options: { relay: { type: 'string' }, tools: { type: 'string' }, language: { type: 'string' }, now: { type: 'string' }, help: { type: 'boolean', short: 'h' } },
      allowPositionals: true,
      strict: true,
    }));
  } catch (error) {
    output.err(`statechat chat: ${error instanceof Error ? error.message : String(error)}\n${CHAT_USAGE}`);
    return 2;
  }
  if (values.help) {
    output.out(CHAT_USAGE);
    return 0;
  }
  if (positionals.length !== 1) {
    output.err(`statechat chat: name one flow file\n${CHAT_USAGE}`);
    return 2;
  }
  const relay = values.relay?.replace(/\/+$/, '');
  if (relay !== undefined && !/^https?:\/\/[^/]/.test(relay)) {
    output.err(`statechat chat: --relay must be an http(s) URL, not "${values.relay}"`);
    return 2;
  }
  const language = values.language;
  if (language !== undefined && !/^[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8})*$/.test(language)) {
    output.err(`statechat chat: --language must be a BCP 47 tag such as fr or en-GB, not "${language}"`);
    return 2;
  }
  const start = values.now === undefined ? undefined : Date.parse(values.now);
  if (start !== undefined && Number.isNaN(start)) {
    output.err(`statechat chat: --now must be an ISO date-time, not "${values.now}"`);
    return 2;
  }
  const flowPath = resolve(positionals[0] as string);
  const flow = await readFlowFile(flowPath, output);
  if (!flow) return 1;
  let handlers = new Map<string, ToolHandler>();
  if (values.tools !== undefined) {
    try {
      handlers = await loadToolHandlers(values.tools);
    } catch (error) {
      output.err(`statechat chat: ${error instanceof Error ? error.message : String(error)}`);
      return 1;
    }
  }

  const lines = lineReader(io.input);
  const print = output.out;
  const local = relay === undefined ? createLocalUnderstanding(flow, { parsers: await loadFullParsers() }) : null;

  const understand = async (request: ClassifyRequest, sessionId: string, now: number): Promise<Classification> => {
    if (local) return local(request, now);
    const answer = await postJson(`${relay as string}/v1/classify`, { flowId: flow.id, state: request.state, text: request.text, sessionId });
    const body = answer.body;
    if (answer.status !== 200 || !isRecord(body) || typeof body.confidence !== 'number') {
      const error = relayError(body, answer.status);
      throw new Error(`${error.code}: ${error.message}`);
    }
    return {
      intent: typeof body.intent === 'string' ? body.intent : null,
      confidence: body.confidence,
      slots: isRecord(body.slots) ? (body.slots as JsonObject) : {},
      ...(typeof body.signature === 'string' ? { signature: body.signature } : {}),
    };
  };

  const askPerson = async (request: ToolRequest): Promise<ToolAnswer> => {
    print(`tool> ${request.name} needs an answer: type its result as JSON, or !error <message>`);
    for (;;) {
      const line = await lines.next();
      if (line === null) return { error: { code: 'no-answer', message: 'the input ended before the tool was answered' } };
      if (!io.interactive) print(`you> ${line}`);
      const text = line.trim();
      if (text.startsWith('!error')) return { error: { code: 'tool-failed', message: text.slice('!error'.length).trim() || 'failed' } };
      try {
        return { result: JSON.parse(text) as Json };
      } catch {
        print('tool> that is not JSON; try again (e.g. {"ok": true}), or !error <message>');
      }
    }
  };

  const runTool = async (request: ToolRequest, sessionId: string, journal: readonly JournalEntry[]): Promise<ToolAnswer> => {
    const handler = handlers.get(request.name);
    if (handler) {
      const now = journal.at(-1)?.env.now ?? Date.now();
      const result = await handler(structuredClone(request.args), { flowId: flow.id, sessionId, idempotencyKey: request.idempotencyKey, attempt: 1, signal: AbortSignal.timeout(request.timeoutMs), now });
      return { result: (result ?? null) as Json };
    }
    if (relay !== undefined && values.tools === undefined) {
      // The relay runs a tool only when its replay of the conversation calls it: the journal goes along.
      const body = { flowId: flow.id, flowVersion: flow.version, sessionId, args: request.args, proof: { entries: journal } } as unknown as JsonObject;
      const answer = await postJson(`${relay}/v1/tools/${encodeURIComponent(request.name)}`, body, { 'idempotency-key': request.idempotencyKey });
      if (answer.status === 200 && isRecord(answer.body) && 'result' in answer.body) {
        return { result: answer.body.result as Json, ...(typeof answer.body.signature === 'string' ? { signature: answer.body.signature } : {}) };
      }
      return { error: relayError(answer.body, answer.status) };
    }
    return askPerson(request);
  };

  const chat = new TerminalChat({
    flow,
    understand,
    runTool,
    print,
    ...(language ? { language } : {}),
    ...(start !== undefined ? { now: ((offset) => () => offset + Date.now())(start - Date.now()) } : {}),
    setTimer: (callback, ms) => {
      const timer = setTimeout(callback, ms);
      // A pending reminder must not keep a finished script alive.
      timer.unref();
      return () => clearTimeout(timer);
    },
  });

  print(`statechat chat — ${flow.definition.meta.name} (${displayPath(flowPath)}), NLU: ${relay ? `relay ${relay}` : 'local'}, tools: ${values.tools ? displayPath(resolve(values.tools)) : relay ? 'relay' : 'asked of you'}. /help for commands.`);
  await chat.start();
  for (;;) {
    if (io.interactive) process.stdout.write('you> ');
    const line = await lines.next();
    if (line === null) break;
    if (!io.interactive && line.trim() !== '') print(`you> ${line}`);
    if (!(await chat.line(line))) break;
  }
  await chat.idle();
  chat.close();
  lines.close();
  return 0;
}
