/**
 * The demo tools for the browser slice's relay processes, each side effect
 * appended to `CHAOS_TOOL_LOG` (one JSON line: tool, session, idempotency
 * key, process) before the answer goes back, so a test can count how often a
 * key really ran across relay restarts and processes.
 */
import { appendFileSync } from 'node:fs';
import { createDemoTools } from '../../../relay/demo-tools.ts';
import type { ToolImplementations } from '../../../relay/index.ts';

const log = process.env.CHAOS_TOOL_LOG ?? '';
const demo = createDemoTools();

const tools: ToolImplementations = Object.fromEntries(
  Object.entries(demo).map(([name, tool]) => [
    name,
    {
      domain: tool.domain,
      handler: async (args: Record<string, unknown>, context: Parameters<typeof tool.handler>[1]) => {
        await new Promise((resolve) => setTimeout(resolve, 20 + Math.floor(Math.random() * 300)));
        if (context.signal.aborted) throw new Error('aborted before its side effect');
        const result: unknown = await tool.handler(args, context);
        if (log) appendFileSync(log, `${JSON.stringify({ tool: name, sessionId: context.sessionId, key: context.idempotencyKey, pid: process.pid })}\n`);
        return result;
      },
    },
  ]),
);
export default tools;
