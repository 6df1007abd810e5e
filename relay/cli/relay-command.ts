import { parseArgs } from 'node:util';
import { RelayConfigError } from '../flow-registry.ts';
import { closeOnSignals, DEFAULT_PORT, startRelayServer } from '../server.ts';

const USAGE = `usage: statechat-relay --flows <dir> [--tools <module>] [--port <n>] [--host <address>]
       (or statechat relay …, the same command)

  --flows   directory of *.flow.json files (required)
  --tools   module exporting tool implementations (default export or \`tools\`);
            .js/.mjs, or .ts with the tsx package installed
  --port    port to listen on (default: $PORT or ${DEFAULT_PORT})
  --host    address to bind (default 127.0.0.1)

Environment: OPENAI_API_KEY, OPENAI_BASE_URL, OPENAI_MODEL, ALLOWED_ORIGINS, REDIS_URL, PORT,
AGENT_TOKEN, HANDOFF_RETENTION_HOURS, HANDOFF_WEBHOOK_URL and AGENT_CONSOLE_URL (live handoff).
`;

/**
 * `statechat-relay …` (also `statechat relay …`): starts the relay and runs until SIGTERM / SIGINT.
 * Returns the exit code: 0 after a clean shutdown, 1 when it cannot start,
 * 2 on bad usage.
 */
export async function runRelayCommand(argv: string[]): Promise<number> {
  let values: { flows?: string; tools?: string; port?: string; host?: string; help?: boolean };
  try {
    ({ values } = parseArgs({
      args: argv,
      options: {
        flows: { type: 'string' },
        tools: { type: 'string' },
        port: { type: 'string' },
        host: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
      strict: true,
      allowPositionals: false,
    }));
  } catch (error) {
    process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n${USAGE}`);
    return 2;
  }
  if (values.help) {
    process.stdout.write(USAGE);
    return 0;
  }
  if (!values.flows) {
    process.stderr.write(`--flows is required\n${USAGE}`);
    return 2;
  }
  const port = values.port === undefined ? undefined : Number(values.port);
  if (port !== undefined && (!Number.isInteger(port) || port < 0 || port > 65535)) {
    process.stderr.write(`--port must be a port number, not "${values.port}"\n`);
    return 2;
  }
  try {
    const running = await startRelayServer({ flowsDir: values.flows, toolsModule: values.tools, port, hostname: values.host });
    await closeOnSignals(running);
    return 0;
  } catch (error) {
    // Configuration problems are the user's to fix, so they are shown in full;
    // they contain flow paths and messages, never request data.
    const message = error instanceof RelayConfigError || error instanceof Error ? error.message : String(error);
    process.stderr.write(`statechat-relay: ${message}\n`);
    return 1;
  }
}
