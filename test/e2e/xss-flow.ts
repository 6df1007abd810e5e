/**
 * A flow and a tool that carry XSS payloads everywhere text can come from:
 * the flow's name (the panel title), `say` and `ask` messages, quick reply
 * labels, and a tool's result said back through a template.
 */
import type { ToolImplementations } from '../../relay/index.ts';
import { XSS_PAYLOADS } from '../ui/xss-payloads.ts';

export const TOOL_PAYLOAD = '<img src=x onerror="window.__xss = 2"> [tool link](javascript:window.__xss=3) **bold**';

export const xssFlow = {
  meta: { name: '<img src=x onerror="window.__xss = 4"> Bistro', id: 'xss', version: '1.0.0', language: 'en', domains: ['xss'] },
  start: 'Start',
  intents: { ECHO: { examples: ['echo', 'call the tool', 'show me'], slots: {} } },
  tools: { Echo: { domain: 'xss', args: {}, result: { text: 'string' } } },
  states: {
    Start: {
      onEnter: [
        ...XSS_PAYLOADS.map((payload) => ({ say: payload })),
        { ask: 'Pick one: <svg onload="window.__xss = 5">', choices: XSS_PAYLOADS.slice(0, 3).map((payload) => ({ label: payload, intent: 'ECHO' })) },
      ],
      transitions: [{ onIntent: ['ECHO'], to: 'Tool' }],
    },
    Tool: {
      onEnter: [{ call: 'Echo', args: {}, onResult: { assign: { echoed: '{{result.text}}' }, to: 'Said' } }],
    },
    Said: { onEnter: [{ say: 'The tool said: {{ctx.echoed}}' }], final: true },
  },
};

export const xssTools: ToolImplementations = {
  Echo: { domain: 'xss', handler: () => ({ text: TOOL_PAYLOAD }) },
};
