import { QueryClient } from '@tanstack/query-core';
import { afterEach, describe, expect, it } from 'vitest';
import { FlowLoadError, type Flow } from '../../flows/index.ts';
import { RelayClient } from '../../widget/client/index.ts';
import { ChatSetupError, FlowSource } from '../../widget/runtime/flow-source.ts';
import { MemoryStore } from '../../widget/store/index.ts';
import { relayFlowKey, type FlowRecord } from '../../widget/store/records.ts';

const BASE = 'https://relay.test/statechat';

function flow(version: string): Flow {
  return {
    meta: { name: 'Hello', id: 'hello', version },
    start: 'A',
    intents: {},
    states: { A: { onEnter: [{ say: `Hello from ${version}` }], final: true } },
  };
}

/** A relay that serves `served` with an ETag per version, answers 304 to a matching If-None-Match, or fails when `down`. */
function relayServing(served: () => Flow, down: () => boolean = () => false) {
  const requests: (string | null)[] = [];
  const fetchFunction = (async (_input: RequestInfo | URL, init?: RequestInit) => {
    const condition = new Headers(init?.headers).get('if-none-match');
    requests.push(condition);
    if (down()) throw new TypeError('Failed to fetch');
    const current = served();
    const etag = `"${current.meta.version}"`;
    if (condition === etag) return new Response(null, { status: 304 });
    return new Response(JSON.stringify(current), { headers: { 'content-type': 'application/json', etag } });
  }) as typeof fetch;
  const queryClient = new QueryClient();
  clients.push(queryClient);
  return { relay: new RelayClient({ baseUrl: BASE, fetch: fetchFunction, queryClient }), requests };
}

const clients: QueryClient[] = [];
afterEach(() => {
  for (const client of clients.splice(0)) client.clear();
});

function source(flowOption: string | Flow, relay: RelayClient | null, online = true): FlowSource {
  return new FlowSource({ flow: flowOption, relay, now: () => 1000, isOnline: () => online });
}

describe('where the chat’s flow comes from', () => {
  it('validates an inline flow in full and refuses a broken one with the loader’s error', async () => {
    const saved: FlowRecord[] = [];
    const loaded = await source(flow('1'), null).obtain(new MemoryStore(), async (record) => void saved.push(record));
    expect(loaded).toMatchObject({ id: 'hello', version: '1' });
    expect(saved).toEqual([]);
    const broken = { ...flow('1'), start: 'Nowhere' };
    await expect(source(broken, null).obtain(new MemoryStore(), async () => undefined)).rejects.toBeInstanceOf(FlowLoadError);
  });

  it('needs a relay for a flow id', async () => {
    const error = await source('hello', null)
      .obtain(new MemoryStore(), async () => undefined)
      .catch((reason: unknown) => reason);
    expect(error).toBeInstanceOf(ChatSetupError);
    expect(error).toMatchObject({ code: 'no_relay' });
  });

  it('fetches a flow from the relay and keeps a copy with its ETag; revalidates it after', async () => {
    const { relay, requests } = relayServing(() => flow('1'));
    const store = new MemoryStore();
    const save = async (record: FlowRecord) => store.commit('n', { flows: [record] });
    const loaded = await source('hello', relay).obtain(store, save);
    expect(loaded.version).toBe('1');
    expect(await store.readFlow(relayFlowKey(BASE, 'hello'))).toEqual({ key: relayFlowKey(BASE, 'hello'), definition: flow('1'), etag: '"1"', savedAt: 1000 });
    const again = await source('hello', relay).latest(store, 'hello');
    expect(again).toMatchObject({ flow: { version: '1' }, record: null });
    expect(requests).toEqual([null, '"1"']);
  });

  it('reports a newer version from the relay with the record to store', async () => {
    let version = '1';
    const { relay } = relayServing(() => flow(version));
    const store = new MemoryStore();
    await source('hello', relay).obtain(store, async (record) => store.commit('n', { flows: [record] }));
    version = '2';
    const latest = await source('hello', relay).latest(store, 'hello');
    expect(latest?.flow.version).toBe('2');
    expect(latest?.record).toMatchObject({ definition: flow('2'), etag: '"2"' });
    expect(await source('hello', relay, false).latest(store, 'hello')).toBeNull();
  });

  it('starts from the cached copy offline, or when the relay cannot be reached; without one it says so', async () => {
    let down = false;
    const { relay, requests } = relayServing(
      () => flow('1'),
      () => down,
    );
    const store = new MemoryStore();
    await source('hello', relay).obtain(store, async (record) => store.commit('n', { flows: [record] }));
    down = true;
    expect((await source('hello', relay, false).obtain(store, async () => undefined)).version).toBe('1');
    expect(requests).toHaveLength(1);
    expect((await source('hello', relay, true).obtain(store, async () => undefined)).version).toBe('1');
    // Online, the relay was tried (with the flow query's own retries) before the cache answered.
    expect(requests.length).toBeGreaterThan(1);
    const empty = new MemoryStore();
    await expect(source('hello', relay, false).obtain(empty, async () => undefined)).rejects.toMatchObject({ code: 'network' });
  });
});
