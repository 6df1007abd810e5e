/**
 * Replays the example transcripts the way the widget would meet the relay:
 * each conversation's journal is walked with the engine, and every tool call
 * it makes goes to a real relay with the journal since the last checkpoint.
 * Classifications the transcript scripts (what the relay's LLM would have
 * said) carry the relay's signature; those the local classifier answers are
 * sent unsigned, for the relay to recompute. Tool results carry the relay's
 * signature as they would.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { loadFlowOrThrow, type LoadedFlow } from '../../../flows/index.ts';
import type { Json } from '../../../flows/types.ts';
import { classificationClaim, toolResultClaim } from '../../../relay/proof/verify-conversation.ts';
import type { Signer } from '../../../relay/proof/signer.ts';
import type { ConversationProof, ProofEntry } from '../../../widget/client/relay-client.ts';
import { runConversation, type Transcript } from '../../../widget/engine/conversation-test.ts';
import { initialSnapshot, step, type Effect, type Snapshot } from '../../../widget/engine/index.ts';
import { createLocalUnderstanding, type LocalUnderstanding } from '../../../widget/local-understanding.ts';
import type { SlotParsers } from '../../../widget/nlu/index.ts';

export interface TranscriptCall {
  file: string;
  conversation: string;
  flow: LoadedFlow;
  sessionId: string;
  effect: Extract<Effect, { type: 'callTool' }>;
  proof: ConversationProof;
  /** Takes the relay's answer: its checkpoint is kept for the next call of this conversation. */
  accept(checkpoint: string | undefined): void;
}

export interface LoadedTranscript {
  file: string;
  flow: LoadedFlow;
  flowJson: unknown;
  transcript: Transcript;
}

const directory = new URL('../../conversations/', import.meta.url).pathname;

export function loadTranscripts(): LoadedTranscript[] {
  return readdirSync(directory)
    .filter((name) => name.endsWith('.yaml'))
    .sort()
    .map((file) => {
      const path = join(directory, file);
      const transcript = parseYaml(readFileSync(path, 'utf8')) as Transcript;
      const flowJson = JSON.parse(readFileSync(resolve(dirname(path), transcript.flow), 'utf8')) as unknown;
      return { file, flow: loadFlowOrThrow(flowJson), flowJson, transcript };
    });
}

/** Every tool call of every conversation of `loaded`, in order, each built once the previous one was accepted. */
export function* transcriptCalls(loaded: LoadedTranscript, signer: Signer, parsers: SlotParsers): Generator<TranscriptCall> {
  const { flow, transcript, file } = loaded;
  const understand: LocalUnderstanding = createLocalUnderstanding(flow, { parsers });
  for (const [index, conversation] of transcript.conversations.entries()) {
    const run = runConversation(flow, conversation, { ...(transcript.now ? { now: transcript.now } : {}), ...(transcript.tools ? { tools: transcript.tools } : {}) }, { understand });
    let snapshot: Snapshot = initialSnapshot(flow);
    // The runner names sessions after the conversation (spaces and all); a widget's ids are plain.
    const sessionId = `${file.replace(/\W/g, '-')}-${index}`;
    let checkpoint: { token: string; snapshot: Snapshot } | undefined;
    let entries: ProofEntry[] = [];
    const asked = new Map<string, Extract<Effect, { type: 'classify' }>>();
    for (const original of run.journal) {
      const { env } = original;
      const event = original.event.type === 'session.start' ? { ...original.event, sessionId } : original.event;
      let signature: string | undefined;
      if (event.type === 'nlu.result') {
        const effect = asked.get(event.requestId);
        const answer = { intent: event.intent, confidence: event.confidence, slots: event.slots ?? {} };
        const local = effect ? understand(effect, env.now) : undefined;
        const same = local !== undefined && JSON.stringify(local) === JSON.stringify(answer);
        if (effect && !same) signature = signer.sign('classification', classificationClaim(flow.id, sessionId, effect.state, effect.text, answer));
      }
      if (event.type === 'tool.result' && snapshot.pending?.kind === 'tool') {
        signature = signer.sign('tool-result', toolResultClaim(flow.id, sessionId, snapshot.pending.name, snapshot.pending.idempotencyKey, event.result as Json));
      }
      const result = step(flow, snapshot, event, env);
      snapshot = result.snapshot;
      entries.push({ seq: snapshot.seq, event, env, ...(signature === undefined ? {} : { signature }) });
      for (const effect of result.effects) if (effect.type === 'classify') asked.set(effect.requestId, effect);
      const call = result.effects.find((effect): effect is Extract<Effect, { type: 'callTool' }> => effect.type === 'callTool');
      if (!call) continue;
      const at = snapshot;
      const proof: ConversationProof = checkpoint ? { checkpoint: checkpoint.token, snapshot: checkpoint.snapshot, entries } : { entries };
      let accepted: string | undefined;
      yield {
        file,
        conversation: conversation.name,
        flow,
        sessionId,
        effect: call,
        proof,
        accept: (token) => {
          accepted = token;
        },
      };
      if (accepted !== undefined) {
        checkpoint = { token: accepted, snapshot: at };
        entries = [];
      }
    }
  }
}
