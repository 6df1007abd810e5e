/**
 * Finds the built agent console for the Node server: beside the installed
 * package (`statechat-relay/console/`), or in the repository after
 * `npm run build:lib` (`packages/statechat-relay/console/`). Node only.
 */
import { readFile } from 'node:fs/promises';
import type { AgentConsoleAssets } from './serve.ts';

const CANDIDATES = [
  // lib/agent-console/load.js → the package's console/
  '../../console/agent-console.js',
  // relay/agent-console/load.ts → the repository's built package
  '../../packages/statechat-relay/console/agent-console.js',
];

/** The console's assets, or null when it was not built (the relay then serves no `/agent`). */
export async function loadAgentConsole(): Promise<AgentConsoleAssets | null> {
  for (const candidate of CANDIDATES) {
    try {
      return { script: await readFile(new URL(candidate, import.meta.url), 'utf8') };
    } catch {
      // Try the next place.
    }
  }
  return null;
}
