/**
 * How the Node server sends the relay's LLM requests: node:http / node:https
 * with keep-alive agents. Node only; the handler core sends with `fetch`.
 *
 * The global `fetch` (undici) reuses connections too, but on Node 20 its web
 * Request / Response / stream objects cost about 0.2 ms per call on loopback,
 * most of what the relay may add to an LLM round trip. This sends one
 * buffered POST and hands back the status and the text.
 *
 * @example
 * createRelay({ flows, llm: { apiKey, model, transport: createNodeLlmTransport() } });
 */
import { Agent as HttpAgent, request as httpRequest, type ClientRequest } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import type { LlmTransport, LlmTransportRequest, LlmTransportResponse } from './classify/llm.ts';

export interface NodeLlmTransportOptions {
  /** Open connections per LLM host. Default 64. */
  maxSockets?: number;
}

function abortError(): DOMException {
  return new DOMException('The operation was aborted.', 'AbortError');
}

/** A keep-alive node:http / node:https `LlmTransport`; see the module comment. */
export function createNodeLlmTransport(options: NodeLlmTransportOptions = {}): LlmTransport {
  const maxSockets = options.maxSockets ?? 64;
  const httpAgent = new HttpAgent({ keepAlive: true, maxSockets });
  const httpsAgent = new HttpsAgent({ keepAlive: true, maxSockets });

  function send(url: URL, request: LlmTransportRequest, retried: boolean): Promise<LlmTransportResponse> {
    const { signal } = request;
    const secure = url.protocol === 'https:';
    return new Promise<LlmTransportResponse>((resolve, reject) => {
      let settled = false;
      let outgoing: ClientRequest | undefined;
      const settle = (outcome: () => void) => {
        if (settled) return;
        settled = true;
        signal.removeEventListener('abort', onAbort);
        outcome();
      };
      const onAbort = () => {
        outgoing?.destroy();
        settle(() => reject(abortError()));
      };
      outgoing = (secure ? httpsRequest : httpRequest)(
        url,
        { method: 'POST', headers: request.headers, agent: secure ? httpsAgent : httpAgent },
        (incoming) => {
          const chunks: Buffer[] = [];
          let received = 0;
          let tooLarge = false;
          incoming.on('data', (chunk: Buffer) => {
            if (tooLarge) return;
            received += chunk.byteLength;
            if (received > request.maxResponseBytes) {
              tooLarge = true;
              chunks.length = 0;
              // The connection is not worth draining; it is not reused.
              outgoing?.destroy();
              settle(() => resolve({ status: incoming.statusCode ?? 0, text: undefined }));
              return;
            }
            chunks.push(chunk);
          });
          incoming.on('end', () => {
            settle(() => resolve({ status: incoming.statusCode ?? 0, text: Buffer.concat(chunks, received).toString('utf8') }));
          });
          incoming.on('error', (error) => settle(() => reject(signal.aborted ? abortError() : error)));
        },
      );
      signal.addEventListener('abort', onAbort, { once: true });
      outgoing.on('error', (error: NodeJS.ErrnoException) => {
        if (settled) return;
        // A kept-alive connection the server closed while it sat idle: send once
        // more on a new one. A classification has no side effect to repeat.
        if (!retried && outgoing?.reusedSocket && error.code === 'ECONNRESET' && !signal.aborted) {
          settled = true;
          signal.removeEventListener('abort', onAbort);
          send(url, request, true).then(resolve, reject);
          return;
        }
        settle(() => reject(signal.aborted ? abortError() : error));
      });
      outgoing.end(request.body);
    });
  }

  // The relay sends to one endpoint: its URL is parsed once.
  let lastUrl: { text: string; parsed: URL } | undefined;
  return (request) => {
    if (request.signal.aborted) return Promise.reject(abortError());
    let url: URL;
    if (lastUrl?.text === request.url) {
      url = lastUrl.parsed;
    } else {
      try {
        url = new URL(request.url);
      } catch (error) {
        return Promise.reject(error);
      }
      if (url.protocol !== 'http:' && url.protocol !== 'https:') return Promise.reject(new TypeError(`Cannot send to ${url.protocol} URLs.`));
      lastUrl = { text: request.url, parsed: url };
    }
    return send(url, request, false);
  };
}
