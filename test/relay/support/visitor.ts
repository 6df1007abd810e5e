/**
 * A visitor's side of a conversation for the relay's tests: the same pure
 * engine the widget runs, a journal, and tool-call requests that carry it,
 * built the way the widget builds them (`widget/runtime/conversation-proof.ts`).
 */
import type { LoadedFlow } from '../../../flows/compile.ts';
import { compileFlow } from '../../../flows/compile-flow.ts';
import type { Flow, Json, JsonObject } from '../../../flows/types.ts';
import { initialSnapshot, step, type Effect, type EngineEvent, type Snapshot } from '../../../widget/engine/index.ts';
import type { ConversationProof, ProofEntry } from '../../../widget/client/relay-client.ts';

export type CallEffect = Extract<Effect, { type: 'callTool' }>;

export class Visitor {
  readonly flow: LoadedFlow;
  snapshot: Snapshot;
  /** Every entry since the session started. */
  readonly journal: ProofEntry[] = [];
  checkpoint: { token: string; snapshot: Snapshot } | undefined;
  lastEffects: Effect[] = [];

  constructor(
    definition: Flow,
    readonly sessionId: string,
    public now: number = Date.parse('2026-11-23T14:59:00Z'),
  ) {
    this.flow = compileFlow(definition);
    this.snapshot = initialSnapshot(this.flow);
    this.send({ type: 'session.start', sessionId });
  }

  send(event: EngineEvent, signature?: string): Effect[] {
    this.now += 1000;
    const env = { now: this.now };
    const result = step(this.flow, this.snapshot, event, env);
    this.snapshot = result.snapshot;
    this.lastEffects = result.effects;
    this.journal.push({ seq: result.snapshot.seq, event, env, ...(signature === undefined ? {} : { signature }) });
    return result.effects;
  }

  /** The call the last step asked for. */
  call(): CallEffect {
    const effect = this.lastEffects.find((candidate): candidate is CallEffect => candidate.type === 'callTool');
    if (!effect) throw new Error(`the last step called no tool: ${JSON.stringify(this.lastEffects)}`);
    return effect;
  }

  /** Fires the fixture flow's page event that calls `tool` with `args`. */
  trigger(tool: string, args: JsonObject): CallEffect {
    this.send({ type: 'host.event', name: `call.${tool}`, data: args });
    return this.call();
  }

  proof(upTo = this.snapshot.seq): ConversationProof {
    const after = this.checkpoint?.snapshot.seq ?? 0;
    const entries = this.journal.filter((entry) => entry.seq > after && entry.seq <= upTo);
    return this.checkpoint ? { checkpoint: this.checkpoint.token, snapshot: this.checkpoint.snapshot, entries } : { entries };
  }

  body(effect: CallEffect, overrides: Record<string, unknown> = {}): Record<string, unknown> {
    return { flowId: this.flow.id, flowVersion: this.flow.version, sessionId: this.sessionId, args: effect.args, proof: this.proof(), ...overrides };
  }

  request(effect: CallEffect, overrides: Record<string, unknown> = {}, key = effect.idempotencyKey): Request {
    return new Request(`https://relay.test/v1/tools/${effect.name}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'idempotency-key': key },
      body: JSON.stringify(this.body(effect, overrides)),
    });
  }

  /** Applies a relay's tool answer as the widget does: keeps the checkpoint, journals the signed result. */
  answer(effect: CallEffect, answer: { result: Json; signature?: string; checkpoint?: string }): Effect[] {
    if (answer.checkpoint) this.checkpoint = { token: answer.checkpoint, snapshot: this.snapshot };
    return this.send({ type: 'tool.result', callId: effect.callId, result: answer.result }, answer.signature);
  }
}

/** One verified call from a fresh session: the fixture's page event, then the request. */
export function verifiedCall(definition: Flow, sessionId: string, tool: string, args: JsonObject): { visitor: Visitor; effect: CallEffect; request: () => Request } {
  const visitor = new Visitor(definition, sessionId);
  const effect = visitor.trigger(tool, args);
  return { visitor, effect, request: () => visitor.request(effect) };
}
