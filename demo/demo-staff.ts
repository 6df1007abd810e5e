/**
 * A scripted member of staff for the demo. The in-page relay has live
 * handoff on, and "Sam" answers through the relay's own agent API — the
 * requests the agent console makes — so a whole handoff (a person joins,
 * messages both ways, the visitor handed back to the booking) runs with no
 * server. With a real relay (`AGENT_TOKEN=… npm run relay`), a person
 * answers in the agent console at `/agent` instead.
 */
import type { HandoffSummary, RelayHandler } from '../relay/index.ts';

/** The demo relay's agent token: the relay runs in the page, so nothing here is secret. */
export const DEMO_AGENT_TOKEN = 'statechat-demo-agent-token-not-a-secret';
export const DEMO_AGENT_NAME = 'Sam';

const JOIN_AFTER_MS = 1500;
const REPLY_AFTER_MS = 1000;
const POLL_MS = 400;
/** As long as the example flow waits for a person (3 minutes). */
const GIVE_UP_MS = 180_000;

interface HandoffView {
  status: string;
  queue: string | null;
  messages: Array<{ role: string; text: string }>;
}

const pause = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

async function agentRequest(handler: RelayHandler, path: string, body?: object): Promise<Response> {
  const headers: Record<string, string> = { authorization: `Bearer ${DEMO_AGENT_TOKEN}` };
  if (body) headers['content-type'] = 'application/json';
  return handler(
    new Request(`${location.origin}/v1/agent/${path}`, { method: body ? 'POST' : 'GET', headers, ...(body ? { body: JSON.stringify(body) } : {}) }),
    { clientAddress: '127.0.0.1' },
  );
}

async function read(handler: RelayHandler, id: string): Promise<HandoffView | null> {
  const response = await agentRequest(handler, `handoffs/${encodeURIComponent(id)}`);
  return response.ok ? ((await response.json()) as HandoffView) : null;
}

/** Joins, waits for the visitor to say something, answers, and hands them back to the booking. */
async function serve(handler: RelayHandler, summary: HandoffSummary): Promise<void> {
  const id = encodeURIComponent(summary.id);
  await pause(JOIN_AFTER_MS);
  const before = await read(handler, summary.id);
  if (!before || before.status === 'closed') return;
  const greeting =
    summary.queue === 'manager'
      ? `Hello, I'm ${DEMO_AGENT_NAME}, the manager. We love hosting large parties — anything I should know?`
      : `Hi, I'm ${DEMO_AGENT_NAME} from Chez Statechat. How can I help?`;
  await agentRequest(handler, `handoffs/${id}/messages`, { text: greeting, agent: DEMO_AGENT_NAME });
  const heard = before.messages.filter((message) => message.role === 'visitor').length;
  for (let waited = 0; waited < GIVE_UP_MS; waited += POLL_MS) {
    await pause(POLL_MS);
    const now = await read(handler, summary.id);
    if (!now || now.status === 'closed') return;
    if (now.messages.filter((message) => message.role === 'visitor').length > heard) break;
  }
  await pause(REPLY_AFTER_MS);
  const answer =
    summary.queue === 'manager'
      ? 'Noted, thank you! I can take your party: let me hand you back to choose the day and time.'
      : "Thanks, I've noted that. I'll hand you back to our booking assistant now.";
  const sent = await agentRequest(handler, `handoffs/${id}/messages`, { text: answer, agent: DEMO_AGENT_NAME });
  if (!sent.ok) return;
  await pause(REPLY_AFTER_MS);
  // The flow's own event: back to the booking where the handoff began.
  await agentRequest(handler, `handoffs/${id}/close`, { event: 'booking.resume' });
}

/** The relay's `onOpened` hook: each new handoff gets the scripted member of staff; a failure goes to `warn`. */
export function demoStaff(handler: () => RelayHandler, warn: (message: string) => void): (summary: HandoffSummary) => void {
  return (summary) => {
    serve(handler(), summary).catch((error: unknown) => warn(`demo staff stopped: ${error instanceof Error ? error.message : String(error)}`));
  };
}
