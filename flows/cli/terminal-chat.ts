/**
 * A conversation with a flow in the terminal: the engine, fed one line at a
 * time, its effects printed and performed — classification by the local NLU
 * or a relay, tool calls by a module, a relay or the person at the keyboard,
 * idle timers on the real clock (or `/wait`). The command (`statechat chat`)
 * wires it to standard input and output.
 */
import type { LoadedFlow } from '../compile.ts';
import type { Json, JsonObject } from '../types.ts';
import { initialSnapshot, step } from '../../widget/engine/index.ts';
import type { Effect, EngineEvent, Snapshot } from '../../widget/engine/index.ts';

export type ClassifyRequest = Extract<Effect, { type: 'classify' }>;
export type ToolRequest = Extract<Effect, { type: 'callTool' }>;

export interface Classification {
  intent: string | null;
  confidence: number;
  slots: JsonObject;
  /** The relay's signature of its answer, kept in the journal for later tool calls. */
  signature?: string;
}

/** A tool's answer: its result (with the relay's signature when the relay ran it), or an error the flow's `onError` sees. */
export type ToolAnswer = { result: Json; signature?: string } | { error: { code: string; message: string } };

/** One journal entry, as a tool call sends it to the relay (which replays the conversation before it runs a tool). */
export interface JournalEntry {
  seq: number;
  event: EngineEvent;
  env: { now: number; language?: string };
  signature?: string;
}

export interface TerminalChatOptions {
  flow: LoadedFlow;
  understand: (request: ClassifyRequest, sessionId: string, now: number) => Promise<Classification>;
  /** `journal`: the session's entries up to the step that asked for the call. */
  runTool: (request: ToolRequest, sessionId: string, journal: readonly JournalEntry[]) => Promise<ToolAnswer>;
  print: (line: string) => void;
  /** The visitor's language (BCP 47); the flow's by default. */
  language?: string;
  /** The clock; `/wait` adds to it. */
  now?: () => number;
  /** Arms a real timer; returns a way to disarm it. Without it, timers fire only on `/wait`. */
  setTimer?: (callback: () => void, ms: number) => () => void;
}

export const CHAT_COMMANDS_HELP = `Commands:
  /state            the current state, filled slots and ctx
  /reset            start the conversation over
  /choose <n|label> pick a quick reply (typing its label does the same)
  /event <name> [json]  a host-page event, as chat.emit(name, data)
  /wait <ms>        let time pass; idle timers that fall due fire
  /help             this text
  /quit             leave (end of input does too)`;

function show(value: Json): string {
  return typeof value === 'string' ? value : JSON.stringify(value);
}

/** Slots as `name=value, …`, or `none`. */
export function slotsLine(slots: JsonObject): string {
  const entries = Object.entries(slots);
  return entries.length === 0 ? 'none' : entries.map(([name, value]) => `${name}=${show(value)}`).join(', ');
}

export class TerminalChat {
  private snapshot: Snapshot;
  private journal: JournalEntry[] = [];
  private sessionNumber = 0;
  private offset = 0;
  private readonly timers = new Map<string, { deadline: number; disarm: (() => void) | null }>();
  /** One event at a time: lines, timers and answers queue here. */
  private work: Promise<void> = Promise.resolve();

  constructor(private readonly options: TerminalChatOptions) {
    this.snapshot = initialSnapshot(options.flow);
  }

  get state(): Snapshot {
    return this.snapshot;
  }

  private now(): number {
    return (this.options.now ?? Date.now)() + this.offset;
  }

  private get sessionId(): string {
    return `terminal-${this.sessionNumber}`;
  }

  private enqueue(task: () => Promise<void>): Promise<void> {
    this.work = this.work.then(task, task);
    return this.work;
  }

  /** Runs an event and everything it leads to (classification, tool answers) before returning. */
  private async dispatch(first: EngineEvent): Promise<void> {
    const queue: { event: EngineEvent; signature?: string }[] = [{ event: first }];
    while (queue.length > 0) {
      const { event, signature } = queue.shift() as { event: EngineEvent; signature?: string };
      const language = this.options.language;
      const env = { now: this.now(), ...(language ? { language } : {}) };
      if (event.type === 'session.start' || event.type === 'session.reset') this.journal = [];
      const result = step(this.options.flow, this.snapshot, event, env);
      this.snapshot = result.snapshot;
      this.journal.push({ seq: result.snapshot.seq, event, env, ...(signature === undefined ? {} : { signature }) });
      for (const effect of result.effects) {
        const next = await this.perform(effect);
        if (next) queue.push(next);
      }
    }
  }

  private async perform(effect: Effect): Promise<{ event: EngineEvent; signature?: string } | null> {
    const print = this.options.print;
    switch (effect.type) {
      case 'say':
        // A card comes as lines (title, text, "Label: value"): indented under the first.
        print(`bot> ${effect.text.replaceAll('\n', '\n     ')}`);
        return null;
      case 'ask':
        print(`bot> ${effect.text}`);
        if (effect.choices.length > 0) print(`     ${effect.choices.map((choice, index) => `[${index + 1}] ${choice.label}`).join('  ')}`);
        return null;
      case 'classify': {
        let answer: Classification;
        try {
          answer = await this.options.understand(effect, this.sessionId, this.now());
        } catch (error) {
          print(`  ! classification failed: ${error instanceof Error ? error.message : String(error)}`);
          answer = { intent: null, confidence: 0, slots: {} };
        }
        const slots = Object.keys(answer.slots).length > 0 ? ` ${JSON.stringify(answer.slots)}` : '';
        print(`  · intent ${answer.intent ?? '(none)'} ${answer.confidence.toFixed(2)}${slots}`);
        const event: EngineEvent = { type: 'nlu.result', requestId: effect.requestId, intent: answer.intent, confidence: answer.confidence, slots: answer.slots };
        return answer.signature === undefined ? { event } : { event, signature: answer.signature };
      }
      case 'callTool': {
        print(`  · tool ${effect.name} ${JSON.stringify(effect.args)}`);
        let answer: ToolAnswer;
        try {
          answer = await this.options.runTool(effect, this.sessionId, this.journal.slice());
        } catch (error) {
          answer = { error: { code: 'tool-failed', message: error instanceof Error ? error.message : String(error) } };
        }
        if ('error' in answer) {
          print(`  · tool ${effect.name} failed: ${answer.error.code}: ${answer.error.message}`);
          return { event: { type: 'tool.error', callId: effect.callId, error: answer.error } };
        }
        print(`  · tool ${effect.name} → ${JSON.stringify(answer.result)}`);
        const event: EngineEvent = { type: 'tool.result', callId: effect.callId, result: answer.result };
        return answer.signature === undefined ? { event } : { event, signature: answer.signature };
      }
      case 'startTimer':
        this.arm(effect.timerId, effect.deadline);
        return null;
      case 'cancelTimer':
        this.disarm(effect.timerId);
        return null;
      case 'handoff':
        print(`  ⚑ handoff${effect.queue ? ` to ${effect.queue}` : ''}${effect.reason ? `: ${effect.reason}` : ''}`);
        if (effect.message) print(`bot> ${effect.message}`);
        return null;
      case 'emit':
        if (effect.name === 'fsm.transition') {
          print(`  ⇢ ${effect.data.from === null ? '(start)' : String(effect.data.from)} → ${String(effect.data.to)}`);
        } else if (effect.name === 'session.ended') {
          print('  · the conversation has ended (/reset to start over, /quit to leave)');
        } else if (!PUBLIC_EVENTS.has(effect.name)) {
          print(`  ⚑ event ${effect.name} ${JSON.stringify(effect.data)}`);
        }
        return null;
      case 'error':
        print(`  ! ${effect.code}: ${effect.message}`);
        return null;
      case 'ignored':
        return null;
    }
  }

  private arm(timerId: string, deadline: number): void {
    this.disarm(timerId);
    const fire = (): void => {
      this.timers.delete(timerId);
      void this.enqueue(() => this.turn({ type: 'timer.fired', timerId }));
    };
    const disarm = this.options.setTimer ? this.options.setTimer(fire, Math.max(0, deadline - this.now())) : null;
    this.timers.set(timerId, { deadline, disarm });
  }

  private disarm(timerId: string): void {
    this.timers.get(timerId)?.disarm?.();
    this.timers.delete(timerId);
  }

  /** One event and the summary line after it. */
  private async turn(event: EngineEvent): Promise<void> {
    await this.dispatch(event);
    this.options.print(`  [state ${this.snapshot.state} · slots ${slotsLine(this.snapshot.slots)}]`);
  }

  start(): Promise<void> {
    this.sessionNumber += 1;
    const language = this.options.language;
    return this.enqueue(() => this.turn({ type: 'session.start', sessionId: this.sessionId, ...(language ? { language } : {}) }));
  }

  /** Everything the person typed; returns false after `/quit`. */
  async line(raw: string): Promise<boolean> {
    const text = raw.trim();
    if (text === '') return true;
    if (text.startsWith('/')) return this.command(text);
    const choice = this.snapshot.prompt?.choices.find((candidate) => candidate.label.toLowerCase() === text.toLowerCase());
    await this.enqueue(() => this.turn(choice ? { type: 'user.choice', value: choice.value } : { type: 'user.text', text }));
    return true;
  }

  private async command(text: string): Promise<boolean> {
    const print = this.options.print;
    const [name = '', ...rest] = text.slice(1).split(/\s+/);
    const argument = text.slice(1 + name.length).trim();
    switch (name) {
      case 'quit':
      case 'exit':
        this.close();
        return false;
      case 'help':
        print(CHAT_COMMANDS_HELP);
        return true;
      case 'state':
        await this.enqueue(async () => this.printState());
        return true;
      case 'reset':
        for (const timerId of [...this.timers.keys()]) this.disarm(timerId);
        this.sessionNumber += 1;
        await this.enqueue(() => this.turn({ type: 'session.reset', sessionId: this.sessionId }));
        return true;
      case 'choose': {
        const choices = this.snapshot.prompt?.choices ?? [];
        const index = Number(argument);
        const choice = Number.isInteger(index) && index >= 1 ? choices[index - 1] : choices.find((candidate) => candidate.label.toLowerCase() === argument.toLowerCase() || candidate.value === argument);
        if (!choice) {
          print(choices.length === 0 ? '  ! there are no quick replies now' : `  ! choose 1–${choices.length} or one of: ${choices.map((candidate) => candidate.label).join(', ')}`);
          return true;
        }
        await this.enqueue(() => this.turn({ type: 'user.choice', value: choice.value }));
        return true;
      }
      case 'event': {
        const eventName = rest[0];
        if (!eventName) {
          print('  ! usage: /event <name> [json data]');
          return true;
        }
        const json = argument.slice(eventName.length).trim();
        let data: Json | undefined;
        if (json !== '') {
          try {
            data = JSON.parse(json) as Json;
          } catch {
            print(`  ! the event data is not JSON: ${json}`);
            return true;
          }
        }
        await this.enqueue(() => this.turn({ type: 'host.event', name: eventName, ...(data !== undefined ? { data } : {}) }));
        return true;
      }
      case 'wait': {
        const ms = Number(argument);
        if (!Number.isFinite(ms) || ms < 0) {
          print('  ! usage: /wait <milliseconds>');
          return true;
        }
        await this.enqueue(() => this.advance(ms));
        return true;
      }
      default:
        print(`  ! unknown command /${name} (/help lists them)`);
        return true;
    }
  }

  /** Moves the clock on and fires, in order, the timers that fall due. */
  private async advance(ms: number): Promise<void> {
    const until = this.now() + ms;
    for (;;) {
      const due = [...this.timers.entries()].filter(([, timer]) => timer.deadline <= until).sort((a, b) => a[1].deadline - b[1].deadline)[0];
      if (!due) break;
      this.disarm(due[0]);
      this.offset += Math.max(0, due[1].deadline - this.now());
      await this.turn({ type: 'timer.fired', timerId: due[0] });
    }
    this.offset += Math.max(0, until - this.now());
  }

  private printState(): void {
    const snapshot = this.snapshot;
    const print = this.options.print;
    print(`  state    ${snapshot.state} (${snapshot.status})`);
    print(`  slots    ${slotsLine(snapshot.slots)}`);
    print(`  ctx      ${Object.keys(snapshot.ctx).length === 0 ? 'empty' : JSON.stringify(snapshot.ctx)}`);
    if (snapshot.prompt) print(`  asking   ${snapshot.prompt.text}${snapshot.prompt.slot ? ` (slot ${snapshot.prompt.slot})` : ''}`);
    if (snapshot.stack.length > 0) print(`  returns  ${snapshot.stack.map((frame) => frame.state).join(' ← ')}`);
    if (snapshot.pending) print(`  waiting  ${snapshot.pending.kind === 'tool' ? `tool ${snapshot.pending.name}` : 'classification'}`);
    if (this.timers.size > 0) print(`  timers   ${[...this.timers.values()].map((timer) => `in ${Math.max(0, Math.round((timer.deadline - this.now()) / 1000))} s`).join(', ')}`);
  }

  /** Disarms every timer, so the process can exit. */
  close(): void {
    for (const timerId of [...this.timers.keys()]) this.disarm(timerId);
  }

  /** Resolves once every queued turn is done. */
  idle(): Promise<void> {
    return this.work;
  }
}

/** Engine events shown in their own way (or not at all); other emits are the flow's own and are printed. */
const PUBLIC_EVENTS = new Set(['session.started', 'say', 'ask', 'tool.call', 'tool.result', 'state.updated', 'intent.unhandled', 'handoff']);
