/**
 * Realistic transcripts run with the local NLU only, turn by turn: was the
 * turn understood without an LLM, did the bot do what the transcript expects
 * after it, and did it hand over or end when it should not have.
 */
import type { LoadedFlow } from '../../../flows/compile.ts';
import { runConversation, type TranscriptConversation } from '../../../widget/engine/conversation-test.ts';
import { replayWithEffects } from '../../../widget/engine/replay.ts';
import type { LocalUnderstanding } from '../../../widget/local-understanding.ts';

export interface TurnOutcome {
  conversation: string;
  text: string;
  /** The local NLU gave an intent or a slot value. */
  answeredLocally: boolean;
  /** Every expectation between this turn and the next held. */
  right: boolean;
  wrongHandoff: boolean;
  wrongEnd: boolean;
}

export function runTurns(flow: LoadedFlow, conversation: TranscriptConversation, defaults: { now?: string; tools?: Record<string, never> | object }, understand: LocalUnderstanding): TurnOutcome[] {
  const result = runConversation(flow, conversation, defaults as { now?: string }, { understand });
  const failedSteps = new Set(result.failures.map((failure) => failure.step));
  const { effects } = replayWithEffects(flow, result.journal);
  const steps = conversation.steps;
  const userSteps = steps.flatMap((item, index) => (item.user !== undefined || item.choose !== undefined ? [index] : []));
  // The journal entries that begin each visitor turn, in order.
  const turnStarts = result.journal.flatMap((entry, index) => (entry.event.type === 'user.text' || entry.event.type === 'user.choice' ? [index] : []));
  return userSteps.map((stepIndex, turn) => {
    const nextStep = userSteps[turn + 1] ?? steps.length;
    const expectations = steps.slice(stepIndex, nextStep);
    const right = expectations.every((_, offset) => !failedSteps.has(stepIndex + offset + 1));
    const from = turnStarts[turn] ?? result.journal.length;
    const to = turnStarts[turn + 1] ?? result.journal.length;
    const turnEffects = effects.slice(from, to).flat();
    const answer = result.journal.slice(from, to).find((entry) => entry.event.type === 'nlu.result')?.event;
    const answeredLocally =
      steps[stepIndex]?.choose !== undefined ||
      (answer?.type === 'nlu.result' && (answer.intent !== null || Object.keys(answer.slots ?? {}).length > 0));
    const handedOver = turnEffects.some((effect) => effect.type === 'handoff');
    const ended = turnEffects.some((effect) => effect.type === 'emit' && effect.name === 'session.ended');
    const expectsHandoff = expectations.some((item) => item.handoff !== undefined && item.handoff !== false);
    const expectsEnd = expectsHandoff || expectations.some((item) => item.ended === true);
    return {
      conversation: conversation.name,
      text: String(steps[stepIndex]?.user ?? steps[stepIndex]?.choose ?? ''),
      answeredLocally,
      right,
      wrongHandoff: handedOver && !expectsHandoff,
      wrongEnd: ended && !expectsEnd,
    };
  });
}
