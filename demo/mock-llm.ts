/**
 * A stand-in for an OpenAI-compatible `POST /chat/completions` with
 * structured output, so the demo shows the relay's LLM fallback with no key
 * and no network. It reads the intents and their examples from the relay's
 * system prompt and picks the one sharing the most words with the message.
 *
 * Adding "(HANG ON)" to a message makes it answer `HELP` (or no intent when
 * that is not allowed) on purpose, so the flow's recovery can be seen.
 */
export const MISCLASSIFY_MARKER = '(HANG ON)';

interface CompletionRequest {
  model?: string;
  messages?: { role: string; content: string }[];
  response_format?: { json_schema?: { schema?: { properties?: { intent?: { enum?: string[] }; slots?: { properties?: Record<string, unknown> } } } } };
}

function words(text: string): Set<string> {
  return new Set(text.toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? []);
}

/** `- NAME — description. Examples: "a", "b"` lines of the relay's system prompt. */
function intentExamples(system: string): Map<string, Set<string>> {
  const intents = new Map<string, Set<string>>();
  for (const line of system.split('\n')) {
    const match = /^- ([A-Za-z0-9_]+)(.*)$/.exec(line);
    if (match) intents.set(match[1] as string, words(match[2] ?? ''));
  }
  return intents;
}

function choose(text: string, allowed: string[], system: string): { intent: string; confidence: number } {
  if (text.toUpperCase().includes(MISCLASSIFY_MARKER)) {
    return { intent: allowed.includes('HELP') ? 'HELP' : 'none', confidence: 0.9 };
  }
  const examples = intentExamples(system);
  const said = words(text);
  let best = { intent: 'none', confidence: 0 };
  for (const intent of allowed) {
    const known = examples.get(intent);
    if (!known || intent === 'none') continue;
    let shared = 0;
    for (const word of said) if (known.has(word)) shared += 1;
    const confidence = said.size === 0 ? 0 : Math.min(0.95, 0.5 + shared / said.size / 2);
    if (shared > 0 && confidence > best.confidence) best = { intent, confidence };
  }
  return best;
}

/** Answers one chat completions request the way a model with structured output would. */
export async function mockChatCompletion(request: Request): Promise<Response> {
  const body = (await request.json()) as CompletionRequest;
  const schema = body.response_format?.json_schema?.schema?.properties;
  const allowed = schema?.intent?.enum ?? ['none'];
  const slots = Object.fromEntries(Object.keys(schema?.slots?.properties ?? {}).map((name) => [name, null]));
  const system = body.messages?.find((message) => message.role === 'system')?.content ?? '';
  const user = body.messages?.findLast((message) => message.role === 'user')?.content ?? '';
  const answer = { ...choose(user, allowed, system), slots };
  return Response.json({
    id: `chatcmpl-demo-${Date.now()}`,
    object: 'chat.completion',
    created: Math.floor(Date.now() / 1000),
    model: body.model ?? 'demo-model',
    choices: [{ index: 0, message: { role: 'assistant', content: JSON.stringify(answer), refusal: null }, finish_reason: 'stop' }],
    usage: { prompt_tokens: 0, completion_tokens: 0, total_tokens: 0 },
  });
}
