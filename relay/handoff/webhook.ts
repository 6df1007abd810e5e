/**
 * Tells people that a visitor waits: one JSON notice per new handoff, posted
 * to a webhook (`HANDOFF_WEBHOOK_URL`), with a Slack-compatible `text` that
 * links to the agent console. It never holds up the visitor: the relay fires
 * it after answering, retries with exponential backoff (and `Retry-After`),
 * and logs the outcome. The notice carries no transcript, and its reason is
 * PII-masked like a log line.
 *
 * @example
 * createRelay({ ..., handoff: { agentToken, webhook: { url: process.env.HANDOFF_WEBHOOK_URL!, consoleUrl: 'https://relay.example/agent' } } });
 */
import { maskText } from '../pii/mask.ts';
import type { HandoffSummary } from './routes.ts';

export interface HandoffWebhookOptions {
  /** Where to POST the notice (a Slack incoming webhook, or any JSON endpoint). */
  url: string;
  /** The agent console's public address, linked in the notice. */
  consoleUrl?: string;
  /** Attempts in all, the first included. Default 6. */
  attempts?: number;
  /** The first wait; doubled after each failure, up to `maxDelayMs`. Defaults 1 s and 60 s. */
  baseDelayMs?: number;
  maxDelayMs?: number;
  /** One attempt's time limit. Default 5 s. */
  timeoutMs?: number;
  /** Default: the global `fetch`. */
  fetch?: typeof fetch;
  /** Tests pass a fake. */
  sleep?: (ms: number) => Promise<void>;
}

/** What the notice's outcome log line says. */
export interface WebhookOutcome {
  handoffId: string;
  delivered: boolean;
  attempts: number;
  /** The last HTTP status, or the failure's kind (`network`, `timeout`). */
  last: number | string;
}

export interface HandoffNotice {
  text: string;
  handoff: { id: string; flowId: string; queue: string | null; reason: string | null; createdAt: string; console: string | null };
}

export function handoffNotice(handoff: HandoffSummary, consoleUrl?: string): HandoffNotice {
  const reason = handoff.reason === null ? null : maskText(handoff.reason);
  const queue = handoff.queue ? ` (${handoff.queue})` : '';
  const link = consoleUrl ? ` Answer in the agent console: <${consoleUrl}|open the console>` : '';
  return {
    text: `A visitor is waiting for a person${queue}: ${reason ?? 'no reason given'}.${link}`,
    handoff: { id: handoff.id, flowId: handoff.flowId, queue: handoff.queue, reason, createdAt: new Date(handoff.createdAt).toISOString(), console: consoleUrl ?? null },
  };
}

const defaultSleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

function retryAfterMs(response: Response): number | null {
  const header = response.headers.get('retry-after');
  if (header === null) return null;
  const seconds = Number(header);
  return Number.isFinite(seconds) && seconds >= 0 ? seconds * 1000 : null;
}

/**
 * Posts the notice for `handoff`, retrying what may pass (network errors,
 * timeouts, 5xx, 429) and giving up on anything else. Resolves with the
 * outcome; never rejects.
 */
export async function sendHandoffNotice(handoff: HandoffSummary, options: HandoffWebhookOptions): Promise<WebhookOutcome> {
  const attempts = Math.max(1, options.attempts ?? 6);
  const base = options.baseDelayMs ?? 1000;
  const cap = options.maxDelayMs ?? 60_000;
  const sleep = options.sleep ?? defaultSleep;
  const send = options.fetch ?? ((input: RequestInfo | URL, init?: RequestInit) => globalThis.fetch(input, init));
  const body = JSON.stringify(handoffNotice(handoff, options.consoleUrl));
  let last: number | string = 'none';
  for (let attempt = 1; attempt <= attempts; attempt += 1) {
    let wait = Math.min(base * 2 ** (attempt - 1), cap);
    try {
      const response = await send(options.url, { method: 'POST', headers: { 'content-type': 'application/json' }, body, signal: AbortSignal.timeout(options.timeoutMs ?? 5000) });
      last = response.status;
      // The body is not needed; reading it frees the connection.
      await response.arrayBuffer().catch(() => undefined);
      if (response.ok) return { handoffId: handoff.id, delivered: true, attempts: attempt, last };
      if (response.status !== 429 && response.status < 500) return { handoffId: handoff.id, delivered: false, attempts: attempt, last };
      const asked = retryAfterMs(response);
      if (asked !== null) wait = Math.min(Math.max(asked, wait), cap);
    } catch (error) {
      last = error instanceof Error && (error.name === 'TimeoutError' || error.name === 'AbortError') ? 'timeout' : 'network';
    }
    if (attempt < attempts) await sleep(wait);
  }
  return { handoffId: handoff.id, delivered: false, attempts, last };
}
