import { createRelay, type RelayOptions } from '../../relay/index.ts';
import { captureLogs, noDomainFlow, restaurantFlow, shopFlow, testTools, type ToolCounters } from './fixtures.ts';

export const BASE = 'https://relay.test';

export function post(path: string, body: unknown, headers: Record<string, string> = {}): Request {
  return new Request(BASE + path, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
}

export function get(path: string, headers: Record<string, string> = {}): Request {
  return new Request(BASE + path, { headers });
}

/** A relay over the fixture flows and tools, logging into memory, with instant retries. */
export function testRelay(overrides: Partial<RelayOptions> = {}, toolOptions: { slowMs?: number } = {}) {
  const counters: ToolCounters = { checkAvailability: 0, createBooking: 0, throwing: 0 };
  const logs = captureLogs();
  const handler = createRelay({
    flows: [restaurantFlow(), noDomainFlow(), shopFlow()],
    tools: testTools(counters, toolOptions),
    logger: logs.sink,
    toolRetry: { sleep: async () => undefined },
    now: () => Date.parse('2026-11-23T15:00:00Z'),
    ...overrides,
  });
  return { handler, counters, logs };
}

export async function errorOf(response: Response): Promise<{ code: string; message: string }> {
  const body = (await response.json()) as { error: { code: string; message: string } };
  return body.error;
}
