/**
 * A Server-Sent Events reader over `fetch`, for what `EventSource` cannot
 * do: send an `Authorization` header, and resume from an id kept in
 * storage across reloads (`Last-Event-ID`). Parsing follows the HTML
 * standard's event-stream rules (fields `id`, `event`, `data`, `retry`;
 * comments; CR, LF or CRLF line ends).
 */

export interface ServerSentEvent {
  /** The last `id:` seen (kept across events, as the standard says). */
  id: string;
  /** `message` when the event names none. */
  event: string;
  data: string;
}

/** Feeds text chunks in, calls `onEvent` for each complete event and `onRetry` for a `retry:` field. */
export class EventStreamParser {
  #buffer = '';
  #data: string[] = [];
  #event = '';
  #lastId = '';
  #sawCarriageReturn = false;

  constructor(
    private readonly onEvent: (event: ServerSentEvent) => void,
    private readonly onRetry: (ms: number) => void = () => undefined,
    lastId = '',
  ) {
    this.#lastId = lastId;
  }

  get lastId(): string {
    return this.#lastId;
  }

  push(chunk: string): void {
    let text = chunk;
    // A CRLF split across two chunks: the LF belongs to the line already ended.
    if (this.#sawCarriageReturn && text.startsWith('\n')) text = text.slice(1);
    this.#sawCarriageReturn = text.endsWith('\r');
    this.#buffer += text;
    const lines = this.#buffer.split(/\r\n|\r|\n/);
    this.#buffer = lines.pop() ?? '';
    for (const line of lines) this.#line(line);
  }

  #line(line: string): void {
    if (line === '') {
      this.#dispatch();
      return;
    }
    if (line.startsWith(':')) return;
    const colon = line.indexOf(':');
    const field = colon === -1 ? line : line.slice(0, colon);
    let value = colon === -1 ? '' : line.slice(colon + 1);
    if (value.startsWith(' ')) value = value.slice(1);
    if (field === 'data') this.#data.push(value);
    else if (field === 'event') this.#event = value;
    else if (field === 'id' && !value.includes('\0')) this.#lastId = value;
    else if (field === 'retry' && /^\d+$/.test(value)) this.onRetry(Number(value));
  }

  #dispatch(): void {
    const event = this.#event || 'message';
    this.#event = '';
    if (this.#data.length === 0) return;
    const data = this.#data.join('\n');
    this.#data = [];
    this.onEvent({ id: this.#lastId, event, data });
  }
}

/** Reads a response body to its end, feeding the parser; resolves when the server ends the stream. */
export async function readEventStream(body: ReadableStream<Uint8Array>, parser: EventStreamParser, signal?: AbortSignal): Promise<void> {
  const reader = body.getReader();
  const decoder = new TextDecoder();
  const cancel = (): void => {
    reader.cancel().catch(() => undefined);
  };
  signal?.addEventListener('abort', cancel, { once: true });
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      parser.push(decoder.decode(value, { stream: true }));
    }
    parser.push(decoder.decode());
  } finally {
    signal?.removeEventListener('abort', cancel);
  }
}
