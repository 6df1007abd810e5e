import type { Flow } from '../../../flows/index.ts';

export function benchFlow(): Flow {
  return {
    meta: { name: 'Bench', id: 'bench', version: '1', language: 'en-US', domains: ['bench'], nlu: { threshold: 0.5 } },
    start: 'Start',
    intents: {
      BOOK: { examples: ['I want to book a table', 'reserve a table for dinner', 'can I make a reservation'], slots: { partySize: 'integer' } },
      HOURS: { examples: ['what are your opening hours', 'when are you open', 'what time do you close'] },
      CANCEL: { examples: ['cancel my booking', 'I want to cancel', 'call off the reservation'] },
    },
    tools: { Noop: { domain: 'bench', args: { value: 'string' }, result: {} } },
    states: {
      Start: { onEnter: [{ ask: 'How can I help?' }], transitions: [{ onIntent: ['BOOK', 'HOURS', 'CANCEL'], to: 'Done' }] },
      Done: { onEnter: [{ say: 'Bye.' }], final: true },
    },
  };
}

export const CLASSIFY_ANSWER = { intent: 'HOURS', confidence: 0.93, slots: {}, source: 'local' };

export const LLM_COMPLETION = {
  id: 'chatcmpl-bench',
  object: 'chat.completion',
  created: 1_700_000_000,
  model: 'bench-model',
  choices: [
    {
      index: 0,
      finish_reason: 'stop',
      logprobs: null,
      message: { role: 'assistant', refusal: null, content: JSON.stringify({ intent: 'HOURS', confidence: 0.8, slots: { partySize: null } }) },
    },
  ],
  usage: { prompt_tokens: 1, completion_tokens: 1, total_tokens: 2 },
};
