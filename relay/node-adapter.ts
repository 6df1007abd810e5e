/**
 * Mounting the relay in a Node backend (node:http, Express, Fastify). Node only.
 *
 * @example
 * // node:http
 * http.createServer(toNodeListener(handler)).listen(8787);
 * // Express: mount before any body parser touches the request
 * app.use('/relay', toNodeListener(handler));
 * // Fastify: leave the body unparsed and hand the raw request over
 * fastify.register(async (scope) => {
 *   scope.removeAllContentTypeParsers();
 *   scope.addContentTypeParser('*', (_request, _payload, done) => done(null));
 *   scope.all('/v1/*', (request, reply) => { reply.hijack(); void listener(request.raw, reply.raw); });
 * });
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { getRequestListener } from '@hono/node-server';
import type { RelayHandler } from './create-relay.ts';

// The keep-alive node:http client for the LLM, for a relay mounted in a Node backend:
// createRelay({ …, llm: { apiKey, model, transport: createNodeLlmTransport() } }).
export { createNodeLlmTransport } from './node-llm-transport.ts';
export type { NodeLlmTransportOptions } from './node-llm-transport.ts';

export interface NodeListenerOptions {
  /**
   * Read the client address from `X-Forwarded-For` (its last hop) instead of
   * the socket. Only behind a proxy you run; otherwise clients can forge it.
   */
  trustProxy?: boolean;
}

export type NodeListener = (incoming: IncomingMessage, outgoing: ServerResponse) => Promise<void>;

function clientAddressOf(incoming: IncomingMessage, trustProxy: boolean): string | undefined {
  if (trustProxy) {
    const forwarded = incoming.headers['x-forwarded-for'];
    const list = (Array.isArray(forwarded) ? forwarded.join(',') : (forwarded ?? '')).split(',');
    const last = list[list.length - 1]?.trim();
    if (last) return last;
  }
  return incoming.socket.remoteAddress;
}

/** Turns the relay's fetch handler into a `(req, res)` listener. */
export function toNodeListener(handler: RelayHandler, options: NodeListenerOptions = {}): NodeListener {
  const trustProxy = options.trustProxy ?? false;
  const listener = getRequestListener(
    (request, bindings) => handler(request, { clientAddress: clientAddressOf(bindings.incoming as IncomingMessage, trustProxy) }),
  );
  return (incoming, outgoing) => listener(incoming, outgoing);
}
