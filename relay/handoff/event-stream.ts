/**
 * Server-Sent Events over a handoff store: what is stored after the client's
 * `Last-Event-ID` first, then each new event as the store announces it. The
 * stream reads the store again on every notice and every heartbeat, so a
 * lost notice (a Redis reconnect) delays an event by one heartbeat at most,
 * and an event is never sent twice or out of order on one stream.
 */
import type { HandoffEvent, HandoffStore } from './types.ts';
import { MAX_EVENTS_PER_READ } from './types.ts';

const encoder = new TextEncoder();

export const SSE_HEADERS = {
  'content-type': 'text/event-stream; charset=utf-8',
  'cache-control': 'no-store',
  // Proxies (nginx) must pass events through as they come.
  'x-accel-buffering': 'no',
};

export interface StreamSettings {
  /** Comment lines this often keep the connection open through proxies (and re-read the store). */
  heartbeatMs: number;
  /** The client's reconnection delay (the `retry:` field). */
  retryMs: number;
  /** Ends the stream: the client went away, or the relay is shutting down. */
  signals: readonly AbortSignal[];
  /** Streams open on this relay (the benchmark counts them). */
  registry?: Set<unknown>;
}

interface StreamControl {
  send(text: string): void;
  stop(): void;
  readonly closed: boolean;
}

/** The SSE plumbing: a `retry:` line, heartbeats, and one `stop` for every way a stream ends. */
function sseResponse(settings: StreamSettings, begin: (control: StreamControl) => { onHeartbeat?: () => void; cleanup: () => void }): Response {
  let closed = false;
  let controller: ReadableStreamDefaultController<Uint8Array> | undefined;
  let heartbeat: ReturnType<typeof setInterval> | undefined;
  let cleanup: () => void = () => undefined;
  const handle = {};
  const control: StreamControl = {
    send(text) {
      if (closed || !controller) return;
      try {
        controller.enqueue(encoder.encode(text));
      } catch {
        control.stop();
      }
    },
    stop() {
      if (closed) return;
      closed = true;
      cleanup();
      if (heartbeat !== undefined) clearInterval(heartbeat);
      settings.registry?.delete(handle);
      for (const signal of settings.signals) signal.removeEventListener('abort', control.stop);
      try {
        controller?.close();
      } catch {
        // Already closed or cancelled by the client.
      }
    },
    get closed() {
      return closed;
    },
  };
  const body = new ReadableStream<Uint8Array>({
    start(streamController) {
      controller = streamController;
      if (settings.signals.some((signal) => signal.aborted)) {
        control.stop();
        return;
      }
      for (const signal of settings.signals) signal.addEventListener('abort', control.stop, { once: true });
      settings.registry?.add(handle);
      control.send(`retry: ${settings.retryMs}\n\n`);
      const started = begin(control);
      cleanup = started.cleanup;
      heartbeat = setInterval(() => {
        control.send(': ping\n\n');
        started.onHeartbeat?.();
      }, settings.heartbeatMs);
    },
    cancel() {
      control.stop();
    },
  });
  return new Response(body, { status: 200, headers: SSE_HEADERS });
}

function frame(event: HandoffEvent): string {
  const { seq, ...rest } = event;
  return `id: ${seq}\nevent: ${event.type}\ndata: ${JSON.stringify(rest)}\n\n`;
}

/** The `Last-Event-ID` header (or `lastEventId` query), as a sequence number; 0 when absent, null when malformed. */
export function lastEventIdOf(request: Request): number | null {
  const value = request.headers.get('last-event-id') ?? new URL(request.url).searchParams.get('lastEventId');
  if (value === null || value === '') return 0;
  if (!/^\d{1,12}$/.test(value)) return null;
  return Number(value);
}

/** One handoff's events after `afterSeq`, then live; the stream ends after the `closed` event. */
export function handoffEventStream(
  settings: StreamSettings & { store: HandoffStore; id: string; afterSeq: number; include?: (event: HandoffEvent) => boolean },
): Response {
  const { store, id } = settings;
  let last = settings.afterSeq;
  let pumping = false;
  let again = false;
  return sseResponse(settings, (control) => {
    const pump = async (): Promise<void> => {
      if (pumping) {
        again = true;
        return;
      }
      pumping = true;
      try {
        do {
          again = false;
          for (;;) {
            const events = await store.eventsAfter(id, last, MAX_EVENTS_PER_READ);
            for (const event of events) {
              if (control.closed) return;
              last = event.seq;
              if (!settings.include || settings.include(event)) control.send(frame(event));
              if (event.type === 'closed') {
                control.stop();
                return;
              }
            }
            if (events.length < MAX_EVENTS_PER_READ) break;
          }
        } while (again && !control.closed);
      } catch {
        // The store failed (Redis away): the client reconnects and resumes from its last id.
        control.stop();
      } finally {
        pumping = false;
      }
    };
    // Subscribed before the first read, so nothing appended in between is missed.
    const unsubscribe = store.subscribe(id, () => void pump());
    void pump();
    return { cleanup: unsubscribe, onHeartbeat: () => void pump() };
  });
}

/** A `handoff` event with a summary (from `describe`) whenever any handoff changes: the agent console's live list. */
export function handoffListStream(settings: StreamSettings & { store: HandoffStore; describe: (id: string) => Promise<unknown> }): Response {
  return sseResponse(settings, (control) => {
    const unsubscribe = settings.store.subscribe('*', (id) => {
      settings.describe(id).then(
        (summary) => {
          if (summary !== null) control.send(`event: handoff\ndata: ${JSON.stringify(summary)}\n\n`);
        },
        () => undefined,
      );
    });
    return { cleanup: unsubscribe };
  });
}
