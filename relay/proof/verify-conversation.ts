/**
 * The relay's replay of a visitor's conversation. A privileged tool runs only
 * when the flow, fed the visitor's own journal by the same pure engine the
 * widget runs, ends by calling exactly that tool with exactly those arguments
 * and that idempotency key. What the browser could invent is checked on the
 * way: relay classifications and tool results carry the relay's signature,
 * local classifications are computed again here, timers fire no earlier than
 * their deadline and no event is dated in the future.
 */
import type { LoadedFlow } from '../../flows/index.ts';
import type { JsonObject } from '../../flows/index.ts';
import { initialSnapshot, step, type ConversationProof, type Effect, type EngineEvent, type Env, type ProofEntry, type Snapshot } from '../../widget/engine/index.ts';

export type { ConversationProof, ProofEntry } from '../../widget/engine/index.ts';
import { intentsCarrying, NO_INTENT, SMALL_TALK_INTENTS, YES_INTENT } from '../../flows/index.ts';
import { classifyInContext, type Classification, type Classifier } from '../../widget/nlu/index.ts';
import type { SlotExtractor } from '../classify/slot-extractor.ts';
import { canonicalJson } from '../tools/fingerprint.ts';
import { readCheckpoint, snapshotDigest, type CheckpointClaim } from './checkpoint.ts';
import type { Signer } from './signer.ts';

/** Why a proof was refused: logged, and named in the 403's message. */
export type ProofRefusal =
  | 'proof_missing'
  | 'proof_malformed'
  | 'proof_too_long'
  | 'checkpoint_invalid'
  | 'checkpoint_other_session'
  | 'checkpoint_snapshot_mismatch'
  | 'flow_version_unknown'
  | 'upgrade_not_allowed'
  | 'journal_not_started'
  | 'journal_out_of_order'
  | 'session_mismatch'
  | 'clock_implausible'
  | 'classification_forged'
  | 'classification_unknown'
  | 'tool_result_forged'
  | 'call_not_reached'
  | 'handoff_not_reached';

export class ProofRefusedError extends Error {
  override readonly name = 'ProofRefusedError';
  constructor(
    readonly reason: ProofRefusal,
    /** The journal position where it failed, when there is one. */
    readonly seq?: number,
  ) {
    super(`The conversation does not verify (${reason}).`);
  }
}

/**
 * The replay could not re-run the slot parsers in time (a busy relay): the
 * call is neither verified nor refused, and may be tried again.
 */
export class VerificationUnavailableError extends Error {
  override readonly name = 'VerificationUnavailableError';
  constructor() {
    super('The conversation could not be checked in time.');
  }
}

/** What the relay signs for a classification it answered. */
export function classificationClaim(flowId: string, sessionId: string, state: string, text: string, answer: { intent: string | null; confidence: number; slots: unknown }) {
  return { flowId, sessionId, state, text, intent: answer.intent, confidence: answer.confidence, slots: answer.slots };
}

/** What the relay signs for a tool result it returned. */
export function toolResultClaim(flowId: string, sessionId: string, tool: string, idempotencyKey: string, result: unknown) {
  return { flowId, sessionId, tool, idempotencyKey, result };
}

/** What classifying a local answer again costs next to replaying one entry (a classification is some 10 to 20 steps' work). */
export const LOCAL_CHECK_WORK = 16;

export interface VerifySettings {
  signer: Signer;
  /** The relay's clock, epoch ms. */
  now: number;
  /** How far in the future an event may be dated (clock skew between browser and relay). */
  maxClockSkewMs: number;
  /** How far an event's clock may run behind the one before it (a corrected browser clock). */
  maxClockRewindMs: number;
  maxEntries: number;
  /** The flow's classifier as the widget trains it (`{ language: flow.language }`), once per version. */
  classifierOf(flow: LoadedFlow): Classifier;
  /** Every set of slot parsers a widget may have used (the basic ones, and the full ones once loaded). */
  parserSets: readonly ('full' | 'basic')[];
  /** Runs the slot parsers (off the event loop on the Node server). */
  extract: SlotExtractor;
  /** Texts longer than this carry no slots (the widget and the relay parse no further). */
  maxSlotTextLength: number;
  /**
   * Give the event loop back after this much replay work: one unit an entry,
   * `LOCAL_CHECK_WORK` more for a local answer classified again. Counted, not
   * timed, so a replay runs the same way every time (the chaos simulation
   * replays its seeds exactly).
   */
  sliceWork: number;
  /** Waits for the event loop (a macrotask), so a long replay cannot stall other requests. */
  yieldToLoop: () => Promise<void>;
}

export interface CallToVerify {
  flowId: string;
  sessionId: string;
  /** The versions the relay knows for `flowId`, and the one a session without a checkpoint starts on. */
  versions: ReadonlyMap<string, LoadedFlow>;
  startVersion: string;
  tool: string;
  args: JsonObject;
  idempotencyKey: string;
}

export interface VerifiedConversation {
  flow: LoadedFlow;
  snapshot: Snapshot;
  /** With `handoffAt`: the handoff the flow made at that journal position. */
  handoff?: { reason: string | null; queue: string | null };
  /** The clock of the last entry. */
  at: number;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/** Reads the wire shape; the engine checks each event's own shape itself. */
export function readProof(value: unknown, maxEntries: number): ConversationProof {
  if (value === undefined) throw new ProofRefusedError('proof_missing');
  if (!isRecord(value) || !Array.isArray(value.entries)) throw new ProofRefusedError('proof_malformed');
  if (value.entries.length > maxEntries) throw new ProofRefusedError('proof_too_long');
  const entries: ProofEntry[] = [];
  for (const entry of value.entries) {
    if (!isRecord(entry) || !isRecord(entry.event) || typeof entry.event.type !== 'string' || !isRecord(entry.env)) {
      throw new ProofRefusedError('proof_malformed');
    }
    const { seq, env, signature } = entry;
    if (typeof seq !== 'number' || !Number.isSafeInteger(seq) || typeof env.now !== 'number' || !Number.isFinite(env.now)) {
      throw new ProofRefusedError('proof_malformed');
    }
    if (env.language !== undefined && typeof env.language !== 'string') throw new ProofRefusedError('proof_malformed');
    if (signature !== undefined && typeof signature !== 'string') throw new ProofRefusedError('proof_malformed');
    const cleanEnv: Env = typeof env.language === 'string' ? { now: env.now, language: env.language } : { now: env.now };
    entries.push({ seq, event: entry.event as unknown as EngineEvent, env: cleanEnv, ...(signature === undefined ? {} : { signature }) });
  }
  const proof: ConversationProof = { entries };
  if (value.checkpoint !== undefined) {
    if (typeof value.checkpoint !== 'string' || !isRecord(value.snapshot)) throw new ProofRefusedError('proof_malformed');
    proof.checkpoint = value.checkpoint;
    proof.snapshot = value.snapshot as unknown as Snapshot;
  }
  if (value.timeZone !== undefined) {
    if (typeof value.timeZone !== 'string' || value.timeZone.length > 64 || !validTimeZone(value.timeZone)) throw new ProofRefusedError('proof_malformed');
    proof.timeZone = value.timeZone;
  }
  return proof;
}

const zones = new Map<string, boolean>();
function validTimeZone(zone: string): boolean {
  let valid = zones.get(zone);
  if (valid === undefined) {
    try {
      new Intl.DateTimeFormat('en', { timeZone: zone });
      valid = true;
    } catch {
      valid = false;
    }
    if (zones.size < 1000) zones.set(zone, valid);
  }
  return valid;
}

/** The session upgrade the widget makes (`chat-runtime` `upgrade`): same state, every return point still there, nothing pending. */
function upgradeFits(snapshot: Snapshot, flow: LoadedFlow): boolean {
  const states = flow.definition.states;
  return (
    snapshot.pending === null &&
    snapshot.queue.length === 0 &&
    Object.hasOwn(states, snapshot.state) &&
    snapshot.stack.every((frame) => Object.hasOwn(states, frame.state))
  );
}

interface Start {
  flow: LoadedFlow;
  snapshot: Snapshot;
  at: number;
  fromCheckpoint: boolean;
}

function startOf(proof: ConversationProof, call: Pick<CallToVerify, 'flowId' | 'sessionId' | 'versions' | 'startVersion'>, signer: Signer): Start {
  if (proof.checkpoint === undefined) {
    const flow = call.versions.get(call.startVersion);
    if (!flow) throw new ProofRefusedError('flow_version_unknown');
    return { flow, snapshot: initialSnapshot(flow), at: Number.NEGATIVE_INFINITY, fromCheckpoint: false };
  }
  const claim: CheckpointClaim | null = readCheckpoint(signer, proof.checkpoint);
  if (!claim) throw new ProofRefusedError('checkpoint_invalid');
  if (claim.sessionId !== call.sessionId || claim.flowId !== call.flowId) throw new ProofRefusedError('checkpoint_other_session');
  const snapshot = proof.snapshot as Snapshot;
  const upgraded = snapshot.flowVersion !== claim.flowVersion;
  let digest: string;
  try {
    digest = snapshotDigest(upgraded ? { ...snapshot, flowVersion: claim.flowVersion } : snapshot);
  } catch {
    throw new ProofRefusedError('checkpoint_snapshot_mismatch');
  }
  if (digest !== claim.digest || snapshot.seq !== claim.seq) throw new ProofRefusedError('checkpoint_snapshot_mismatch');
  const flow = call.versions.get(snapshot.flowVersion);
  if (!flow) throw new ProofRefusedError('flow_version_unknown');
  if (upgraded && !upgradeFits(snapshot, flow)) throw new ProofRefusedError('upgrade_not_allowed');
  return { flow, snapshot, at: claim.at, fromCheckpoint: true };
}

type ClassifyEffect = Extract<Effect, { type: 'classify' }>;

function sameJson(left: unknown, right: unknown): boolean {
  try {
    return canonicalJson(left) === canonicalJson(right);
  } catch {
    return false;
  }
}

/**
 * The widget's local understanding, again (`widget/local-understanding.ts`, and the relay's own
 * `/v1/classify`): the slots its parsers find (either parser set, at either moment it may have run),
 * and the intent read in context, where a message that answers the question asked favours the
 * intents that carry that slot. Every slot claimed must be one found, with the same value.
 */
async function localAnswerMatches(
  flow: LoadedFlow,
  effect: ClassifyEffect,
  event: Extract<EngineEvent, { type: 'nlu.result' }>,
  moments: readonly number[],
  timeZone: string,
  settings: VerifySettings,
): Promise<boolean> {
  const classifier = settings.classifierOf(flow);
  const readings = new Map<boolean, Classification>();
  const classify = (answersQuestion: boolean): Classification => {
    let reading = readings.get(answersQuestion);
    if (reading === undefined) {
      reading = classifyInContext(classifier, effect.text, {
        allowed: effect.allowed,
        threshold: effect.threshold,
        language: effect.language,
        social: SMALL_TALK_INTENTS,
        minor: [YES_INTENT, NO_INTENT],
        ...(answersQuestion && asked !== null ? { answers: intentsCarrying(flow, asked, effect.allowed) } : {}),
      });
      readings.set(answersQuestion, reading);
    }
    return reading;
  };
  const sameReading = (reading: Classification): boolean => reading.intent === event.intent && Math.abs(reading.confidence - event.confidence) <= 1e-9;

  const wanted: Record<string, NonNullable<LoadedFlow['slots'][string]>> = {};
  for (const name of effect.slots) {
    const definition = Object.hasOwn(flow.slots, name) ? flow.slots[name] : undefined;
    if (definition) wanted[name] = definition;
  }
  const asked = effect.context.slot !== null && Object.hasOwn(wanted, effect.context.slot) ? effect.context.slot : null;
  const claimed = event.slots ?? {};
  const names = Object.keys(claimed);
  if (names.some((name) => !Object.hasOwn(wanted, name))) return false;
  const parsed = Object.keys(wanted).length > 0 && effect.text.length <= settings.maxSlotTextLength;
  if (!parsed) return names.length === 0 && sameReading(classify(false));
  // Nothing claimed and no question whose answer changes the reading: the parsers cannot change the verdict.
  if (names.length === 0 && asked === null) return sameReading(classify(false));

  for (const parsers of settings.parserSets) {
    for (const now of moments) {
      const found = await settings.extract({
        text: effect.text,
        specs: wanted,
        now,
        timeZone,
        language: effect.language,
        parsers,
        ...(effect.asking === undefined ? {} : { asking: effect.asking }),
      });
      if (found === null) throw new VerificationUnavailableError();
      if (!sameReading(classify(asked !== null && Object.hasOwn(found, asked)))) continue;
      if (names.every((name) => Object.hasOwn(found, name) && sameJson(found[name], claimed[name]))) return true;
    }
  }
  return false;
}

/**
 * Replays `proof` and returns where it ends, or throws `ProofRefusedError`.
 * With `call`, the replay must end waiting for that call; with `handoffAt`,
 * the step at that journal position must hand off (a live handoff opened for
 * it); with neither (a checkpoint asked for before a flow upgrade), any
 * consistent journal does.
 */
export async function verifyConversation(
  rawProof: unknown,
  target: Pick<CallToVerify, 'flowId' | 'sessionId' | 'versions' | 'startVersion'> & { call?: Pick<CallToVerify, 'tool' | 'args' | 'idempotencyKey'>; handoffAt?: number },
  settings: VerifySettings,
): Promise<VerifiedConversation> {
  const proof = readProof(rawProof, settings.maxEntries);
  const start = startOf(proof, target, settings.signer);
  const { flowId, sessionId } = target;
  let { flow, snapshot } = start;
  let at = start.at;
  const timeZone = flow.definition.meta.timeZone ?? proof.timeZone ?? 'UTC';
  const classifications = new Map<string, { effect: ClassifyEffect; at: number }>();
  let work = 0;
  let handoff: VerifiedConversation['handoff'];
  if (proof.entries.length === 0) {
    if (target.call || !start.fromCheckpoint) throw new ProofRefusedError('call_not_reached');
  }
  for (const [index, entry] of proof.entries.entries()) {
    const { event, env } = entry;
    const where = entry.seq;
    if (entry.seq !== snapshot.seq + 1) throw new ProofRefusedError('journal_out_of_order', where);
    if (index === 0 && !start.fromCheckpoint && (event.type !== 'session.start' || event.sessionId !== sessionId)) {
      throw new ProofRefusedError('journal_not_started', where);
    }
    if (env.now > settings.now + settings.maxClockSkewMs || env.now < at - settings.maxClockRewindMs) {
      throw new ProofRefusedError('clock_implausible', where);
    }
    switch (event.type) {
      case 'session.start':
      case 'session.reset':
        if (event.sessionId !== undefined && event.sessionId !== sessionId) throw new ProofRefusedError('session_mismatch', where);
        break;
      case 'nlu.result': {
        const pending = snapshot.pending;
        // Anything else is a stale answer the engine ignores.
        if (pending?.kind !== 'classify' || pending.requestId !== event.requestId) break;
        const asked = classifications.get(event.requestId);
        if (!asked) throw new ProofRefusedError('classification_unknown', where);
        if (entry.signature !== undefined) {
          const claim = classificationClaim(flowId, sessionId, asked.effect.state, asked.effect.text, { intent: event.intent, confidence: event.confidence, slots: event.slots ?? {} });
          if (!settings.signer.verify('classification', claim, entry.signature)) throw new ProofRefusedError('classification_forged', where);
        } else {
          work += LOCAL_CHECK_WORK;
          if (!(await localAnswerMatches(flow, asked.effect, event, [asked.at, env.now], timeZone, settings))) throw new ProofRefusedError('classification_forged', where);
        }
        break;
      }
      case 'tool.result': {
        const pending = snapshot.pending;
        if (pending?.kind !== 'tool' || pending.callId !== event.callId) break;
        let signed = false;
        try {
          signed = settings.signer.verify('tool-result', toolResultClaim(flowId, sessionId, pending.name, pending.idempotencyKey, event.result), entry.signature);
        } catch {
          signed = false;
        }
        if (!signed) throw new ProofRefusedError('tool_result_forged', where);
        break;
      }
      default:
        // The visitor's own words, choices and page events are theirs to send.
        // A timer fired before its deadline is ignored by the engine, and the
        // clock checks above keep its deadline from being reached early.
        break;
    }
    const result = step(flow, snapshot, event, env);
    snapshot = result.snapshot;
    at = Math.max(at, env.now);
    for (const effect of result.effects) {
      if (effect.type === 'classify') classifications.set(effect.requestId, { effect, at: env.now });
      if (effect.type === 'handoff' && entry.seq === target.handoffAt) handoff = { reason: effect.reason, queue: effect.queue };
    }
    work += 1;
    if (work >= settings.sliceWork) {
      await settings.yieldToLoop();
      work = 0;
    }
  }
  if (snapshot.sessionId !== sessionId) throw new ProofRefusedError('session_mismatch');
  const call = target.call;
  if (call) {
    // The conversation waits for exactly this call: the flow made it, and nothing has answered it yet.
    // (The step that made it need not be the last: the visitor may have typed on while the call was queued.)
    const pending = snapshot.pending;
    const waiting =
      pending?.kind === 'tool' && pending.name === call.tool && pending.idempotencyKey === call.idempotencyKey && sameJson(pending.args, call.args);
    if (!waiting) throw new ProofRefusedError('call_not_reached');
  }
  if (target.handoffAt !== undefined && !handoff) throw new ProofRefusedError('handoff_not_reached');
  return { flow, snapshot, at: Number.isFinite(at) ? at : settings.now, ...(handoff ? { handoff } : {}) };
}
