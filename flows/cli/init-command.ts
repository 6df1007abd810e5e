/**
 * `statechat init <name> [--dir <folder>]`: a new flow to start from — a
 * small flow that shows the language by example (intents, slots collected
 * with a re-prompt, quick replies, a tool call with its result and error,
 * help as a digression, cancel and a person from anywhere, an idle reminder),
 * its transcript test, and a README snippet with its diagram. `statechat
 * test` passes on it at once.
 */
import { mkdir, writeFile, access } from 'node:fs/promises';
import { join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { flowGraph, toMermaid } from '../authoring/index.ts';
import type { Flow } from '../types.ts';
import type { Output } from './output.ts';
import { displayPath } from './read-flow.ts';

export const INIT_USAGE = `usage: statechat init <name> [--dir <folder>] [--force]

  <name>   the flow's id: lower-case letters, digits and dashes (pizza-orders)
  --dir    where to write (default: ./<name>)
  --force  overwrite files that exist`;

const NAME = /^[a-z0-9][a-z0-9-]{0,63}$/;
const SCHEMA_PATH = fileURLToPath(new URL('../flow.schema.json', import.meta.url));

function title(name: string): string {
  return name
    .split('-')
    .filter((word) => word !== '')
    .map((word) => word[0]?.toUpperCase() + word.slice(1))
    .join(' ');
}

/** The starter flow: a callback request. Descriptions say what each part shows. */
export function starterFlow(name: string, schema: string): Flow {
  return {
    $schema: schema,
    meta: { name: title(name), id: name, version: '0.1.0', language: 'en-GB', timeZone: 'Europe/London', domains: [name] },
    start: 'Welcome',
    slots: {
      name: { type: 'name', pii: true, description: 'Who to call back (personal: masked in relay logs)' },
      phone: { type: 'phone', pii: true, description: 'Where to call' },
    },
    intents: {
      CALLBACK: {
        description: 'The visitor wants a call back. The local classifier learns from the examples: add the ways your visitors say it.',
        examples: ['call me back', 'can someone call me', "I'd like a callback", 'please phone me', 'request a call', 'ring me later'],
      },
      PROVIDE_CONTACT: {
        description: 'An answer that carries a name and/or a phone number; both slots can be filled from one message.',
        examples: ['my name is Ana Lima', "I'm Ana, 0161 496 0000", 'call me on 07700 900123', 'it is Sam', 'my number is 020 7946 0958'],
        slots: { name: 'name', phone: 'phone' },
      },
      AFFIRM: { examples: ['yes', 'yes please', 'correct', 'go ahead', "that's right"] },
      DENY: { examples: ['no', 'not quite', 'change it', "that's wrong"] },
      HELP: { examples: ['help', 'what can you do', 'how does this work'] },
      CANCEL: { examples: ['cancel', 'stop', 'never mind', 'forget it'] },
      HUMAN: { examples: ['talk to a person', 'real person please', 'can I speak to someone'] },
    },
    tools: {
      RequestCallback: {
        domain: name,
        description: 'Runs on the relay (statechat relay --tools your-tools.ts); in tests its result is scripted.',
        args: { name: 'string', phone: 'string' },
        result: { ticket: 'string' },
        timeout_ms: 5000,
        retries: 1,
        pii: ['name', 'phone'],
      },
    },
    global: [
      { onIntent: ['HELP'], digress: true, do: [{ say: 'I can arrange for us to call you back: I need a name and a phone number. Say "cancel" to stop.' }] },
      { onIntent: ['CANCEL'], to: 'Cancelled' },
      { onIntent: ['HUMAN'], to: 'Handoff' },
    ],
    fallback: { say: 'Sorry, I did not catch that. Say "call me back" or "help".', maxAttempts: 3, onExhausted: { to: 'Handoff' } },
    states: {
      Welcome: {
        description: 'The first state: a greeting, then wait for an intent.',
        onEnter: [{ say: { en: 'Hello! Would you like us to call you back?', fr: 'Bonjour ! Voulez-vous que nous vous rappelions ?' } }],
        transitions: [{ onIntent: ['CALLBACK', 'AFFIRM'], to: 'CollectContact' }],
      },
      CollectContact: {
        description: 'Asks for each slot still missing, skipping those already given; a refused phone number is asked again.',
        collect: [
          { slot: 'name', ask: 'What name should we ask for?' },
          { slot: 'phone', ask: 'And which number should we call?', invalid: 'That does not look like a phone number. Could you type it again?', maxAttempts: 3, onFail: { to: 'Handoff' } },
        ],
        transitions: [{ to: 'Confirm' }],
        after: [{ ms: 120000, do: [{ say: 'Still there? Just tell me your name and number when you are ready.' }] }],
      },
      Confirm: {
        description: 'A question with quick replies; a reply with an intent skips classification.',
        onEnter: [
          {
            ask: 'We will call {{slot.name}} on {{slot.phone}}. Is that right?',
            choices: [
              { label: 'Yes', intent: 'AFFIRM' },
              { label: 'No, change it', intent: 'DENY' },
            ],
          },
        ],
        transitions: [
          { onIntent: ['AFFIRM'], to: 'Requesting' },
          { onIntent: ['DENY'], do: [{ clear: ['name', 'phone'] }], to: 'CollectContact' },
        ],
      },
      Requesting: {
        description: 'Calls a tool through the relay; onResult and onError route on its answer.',
        onEnter: [
          {
            call: 'RequestCallback',
            args: { name: '{{slot.name}}', phone: '{{slot.phone}}' },
            onResult: { assign: { ticket: '{{result.ticket}}' }, to: 'Done' },
            onError: { do: [{ say: 'Sorry, I could not book the call.' }], to: 'Handoff' },
          },
        ],
      },
      Done: {
        onEnter: [
          { say: 'Done! Your reference is {{ctx.ticket}}. We will call you soon.' },
          { emit: 'callback.requested', data: { ticket: '{{ctx.ticket}}' } },
        ],
        final: true,
      },
      Cancelled: { onEnter: [{ say: 'OK, nothing booked. Bye!' }], final: true },
      Handoff: {
        description: 'A person takes over the conversation.',
        onEnter: [{ handoff: { reason: 'callback request', queue: 'support', message: 'I am passing you to a colleague.' } }],
        final: true,
      },
    },
  };
}

export function starterTranscript(name: string): string {
  return `# Conversation tests for ${name}.flow.json: statechat test ${name}.test.yaml
# User turns without "intent" go through the flow's own local classifier, as in the widget.
flow: ./${name}.flow.json
now: "2026-01-05T10:00:00Z"
tools:
  RequestCallback: { ticket: "CB-1001" }
conversations:
  - name: a visitor asks to be called back
    steps:
      - bot: "Would you like us to call you back?"
      - user: "can someone call me"
      - state: CollectContact
      - bot: "What name"
      - user: "my name is Ana Lima"
        intent: PROVIDE_CONTACT
        slots: { name: "Ana Lima" }
      - bot: "which number"
      - user: "07700 900123"
        intent: PROVIDE_CONTACT
        slots: { phone: "+447700900123" }
      - state: Confirm
      - choose: "Yes"
      - tool: RequestCallback
        args: { name: "Ana Lima" }
      - bot: "CB-1001"
      - ended: true

  - name: help is answered in place, then the question again
    steps:
      - user: "request a call"
      - user: "help"
        intent: HELP
      - bot: "I can arrange"
      - bot: "What name"
      - state: CollectContact
      - user: "cancel"
      - state: Cancelled

  - name: a wrong number is changed before the call is booked
    steps:
      - user: "request a call"
      - user: "I'm Sam, 0161 496 0000"
        intent: PROVIDE_CONTACT
        slots: { name: "Sam", phone: "+441614960000" }
      - choose: "No, change it"
      - state: CollectContact
      - bot: "What name"

  - name: the tool fails and a person takes over
    tools:
      RequestCallback: { $error: "phone system down" }
    steps:
      - user: "request a call"
      - user: "I'm Sam"
        intent: PROVIDE_CONTACT
        slots: { name: "Sam", phone: "+441614960000" }
      - choose: "Yes"
      - bot: "could not book"
      - handoff: support
`;
}

export function starterReadme(name: string, flow: Flow): string {
  return `## ${title(name)}

\`${name}.flow.json\` asks for a name and a phone number, confirms them with quick
replies and calls the \`RequestCallback\` tool. Help, cancel and "talk to a
person" work from any state.

\`\`\`sh
npx statechat validate ${name}.flow.json        # schema, lint and expressions
npx statechat test ${name}.test.yaml            # the conversation tests, with coverage
npx statechat chat ${name}.flow.json            # talk to it in the terminal
npx statechat graph ${name}.flow.json --format svg --out ${name}.svg
\`\`\`

\`\`\`mermaid
${toMermaid(flowGraph(flow)).trimEnd()}
\`\`\`
`;
}

async function exists(path: string): Promise<boolean> {
  try {
    await access(path);
    return true;
  } catch {
    return false;
  }
}

export async function initCommand(argv: string[], output: Output): Promise<number> {
  let values: { dir?: string; force?: boolean; help?: boolean };
  let positionals: string[];
  try {
    ({ values, positionals } = parseArgs({ args: argv, options: { dir: { type: 'string' }, force: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } }, allowPositionals: true, strict: true }));
  } catch (error) {
    output.err(`statechat init: ${error instanceof Error ? error.message : String(error)}\n${INIT_USAGE}`);
    return 2;
  }
  if (values.help) {
    output.out(INIT_USAGE);
    return 0;
  }
  const name = positionals[0];
  if (positionals.length !== 1 || name === undefined) {
    output.err(`statechat init: name the new flow\n${INIT_USAGE}`);
    return 2;
  }
  if (!NAME.test(name)) {
    const suggestion = name.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-+|-+$/g, '').slice(0, 64);
    output.err(`statechat init: "${name}" is not a flow id: use lower-case letters, digits and dashes${suggestion ? ` (did you mean "${suggestion}"?)` : ''}`);
    return 2;
  }
  const folder = resolve(values.dir ?? name);
  const schema = relative(folder, SCHEMA_PATH).split('\\').join('/');
  const flow = starterFlow(name, schema.startsWith('.') ? schema : `./${schema}`);
  const files: [string, string][] = [
    [join(folder, `${name}.flow.json`), `${JSON.stringify(flow, null, 2)}\n`],
    [join(folder, `${name}.test.yaml`), starterTranscript(name)],
    [join(folder, 'README.md'), starterReadme(name, flow)],
  ];
  if (!values.force) {
    for (const [path] of files) {
      if (await exists(path)) {
        output.err(`statechat init: ${displayPath(path)} exists; choose another name or --dir, or add --force`);
        return 1;
      }
    }
  }
  try {
    await mkdir(folder, { recursive: true });
    for (const [path, text] of files) await writeFile(path, text);
  } catch (error) {
    output.err(`statechat init: cannot write into ${displayPath(folder)}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`);
    return 1;
  }
  for (const [path] of files) output.out(`wrote ${displayPath(path)}`);
  output.out(`next: npx statechat test ${displayPath(join(folder, `${name}.test.yaml`))}`);
  return 0;
}
