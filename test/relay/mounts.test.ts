import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import Fastify from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';
import { toNodeListener } from '../../relay/node-adapter.ts';
import { restaurantFlow } from './fixtures.ts';
import { testRelay } from './helpers.ts';
import { verifiedCall } from './support/visitor.ts';

const closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  while (closers.length > 0) await closers.pop()?.();
});

function listen(server: Server): Promise<string> {
  return new Promise((resolve) => {
    server.listen(0, '127.0.0.1', () => {
      closers.push(() => new Promise((done) => server.close(() => done())));
      resolve(`http://127.0.0.1:${(server.address() as AddressInfo).port}`);
    });
  });
}

async function exercise(base: string) {
  const health = await fetch(`${base}/v1/health`);
  expect(health.status).toBe(200);
  const { visitor, effect } = verifiedCall(restaurantFlow(), 'mount-session-1', 'CheckAvailability', { date: '2026-12-24', time: '19:30', partySize: 4 });
  const tool = await fetch(`${base}/v1/tools/CheckAvailability`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'idempotency-key': effect.idempotencyKey },
    body: JSON.stringify(visitor.body(effect)),
  });
  expect(tool.status).toBe(200);
  expect(await tool.json()).toMatchObject({ result: { ok: true } });
  const tooBig = await fetch(`${base}/v1/classify`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ text: 'x'.repeat(40_000) }),
  });
  expect(tooBig.status).toBe(413);
}

describe('mounting in a Node backend', () => {
  it('runs on node:http, passing the peer address for rate limits', async () => {
    const { handler } = testRelay({ rateLimits: { perIp: { limit: 3, windowMs: 60_000 }, perSession: false } });
    const base = await listen(createServer(toNodeListener(handler)));
    await exercise(base);
    const limited = await fetch(`${base}/v1/health`);
    expect(limited.status).toBe(429);
  });

  it('mounts under a path in Express', async () => {
    const { handler } = testRelay();
    const app = express();
    app.get('/', (_request, response) => {
      response.send('site');
    });
    app.use('/relay', toNodeListener(handler));
    const base = await listen(createServer(app));
    expect(await (await fetch(base)).text()).toBe('site');
    await exercise(`${base}/relay`);
  });

  it('mounts in Fastify with the body left unparsed', async () => {
    const { handler } = testRelay();
    const listener = toNodeListener(handler);
    const fastify = Fastify();
    await fastify.register(async (scope) => {
      scope.removeAllContentTypeParsers();
      scope.addContentTypeParser('*', (_request, _payload, done) => done(null));
      scope.all('/v1/*', (request, reply) => {
        reply.hijack();
        void listener(request.raw, reply.raw);
      });
    });
    const address = await fastify.listen({ port: 0, host: '127.0.0.1' });
    closers.push(() => fastify.close());
    await exercise(address);
  });
});
