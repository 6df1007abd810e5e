/**
 * The flow graph and its three drawings. The Mermaid and SVG outputs are
 * parsed back and compared with the flow itself (no snapshots): every state
 * is there once, every `to` of the flow is an edge, global transitions are
 * drawn once, final/handoff/unreachable are marked.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Window } from 'happy-dom';
import { describe, expect, it } from 'vitest';
import { ANY_STATE, drawSvg, flowGraph, RETURN_NODE, START_NODE, svgToString, toDot, toMermaid, type FlowGraph } from '../../flows/authoring/index.ts';
import { loadFlow, loadFlowOrThrow } from '../../flows/index.ts';
import { starterFlow } from '../../flows/cli/init-command.ts';
import type { Flow } from '../../flows/types.ts';

const root = fileURLToPath(new URL('../../', import.meta.url));
const read = (path: string): Flow => JSON.parse(readFileSync(`${root}${path}`, 'utf8')) as Flow;
const flows: [string, Flow][] = [
  ['reservations', read('flows/reservations.flow.json')],
  ['order-tracking', read('flows/order-tracking.flow.json')],
  ['origin document', read('test/fixtures/origin.flow.json')],
  ['init starter', starterFlow('starter', './flow.schema.json')],
];

/** Every (state, target) the flow declares, found by walking its JSON for `to` (the same sweep the coverage report uses). */
function declaredEdges(flow: Flow): Set<string> {
  const edges = new Set<string>();
  const walk = (node: unknown, from: string): void => {
    if (Array.isArray(node)) for (const item of node) walk(item, from);
    else if (node !== null && typeof node === 'object') {
      for (const [key, value] of Object.entries(node)) {
        if (key === 'to' && typeof value === 'string') edges.add(`${from} -> ${value}`);
        else walk(value, from);
      }
    }
  };
  for (const [name, state] of Object.entries(flow.states)) walk(state, name);
  walk(flow.global, ANY_STATE);
  walk(flow.fallback, ANY_STATE);
  return edges;
}

interface ParsedMermaid {
  nodes: Map<string, { label: string; shape: string }>;
  edges: { from: string; to: string; label: string; dashed: boolean }[];
  classes: Map<string, Set<string>>;
}

const unescape = (text: string): string => text.replace(/#(\d+);/g, (_, code: string) => String.fromCharCode(Number(code)));

/** A reader for the flowchart subset `toMermaid` writes; any other line fails the test. */
function parseMermaid(text: string): ParsedMermaid {
  const lines = text.split('\n').filter((line) => line.trim() !== '');
  expect(lines[0]).toBe('flowchart TD');
  const parsed: ParsedMermaid = { nodes: new Map(), edges: [], classes: new Map() };
  for (const line of lines.slice(1).map((raw) => raw.trim())) {
    let match: RegExpExecArray | null;
    if (line.startsWith('%%') || line.startsWith('classDef ')) continue;
    if ((match = /^(\w+) (-->|-\.->)\|"([^"]*)"\| (\w+)$/.exec(line))) {
      parsed.edges.push({ from: match[1] as string, to: match[4] as string, label: unescape(match[3] as string), dashed: match[2] === '-.->' });
    } else if ((match = /^class (\w+) (\w+)$/.exec(line))) {
      const set = parsed.classes.get(match[1] as string) ?? new Set<string>();
      set.add(match[2] as string);
      parsed.classes.set(match[1] as string, set);
    } else if ((match = /^(\w+)(\(\(\(|\(\(|\[|\{\{)"([^"]*)"(\)\)\)|\)\)|\]|\}\})$/.exec(line))) {
      expect(parsed.nodes.has(match[1] as string), `node ${match[1]} declared twice`).toBe(false);
      parsed.nodes.set(match[1] as string, { label: unescape(match[3] as string), shape: match[2] as string });
    } else {
      throw new Error(`unexpected Mermaid line: ${line}`);
    }
  }
  return parsed;
}

function svgDocument(svg: string): Document {
  const window = new Window();
  return new window.DOMParser().parseFromString(svg, 'image/svg+xml') as unknown as Document;
}

describe.each(flows)('the graph of %s', (_, definition) => {
  const flow = loadFlowOrThrow(definition).definition;
  const graph: FlowGraph = flowGraph(flow);
  const stateNames = Object.keys(flow.states);

  it('has every state once, and an edge for every target the flow names', () => {
    expect(graph.nodes.filter((node) => node.kind === 'state').map((node) => node.id)).toEqual(stateNames);
    const drawn = new Set(graph.edges.map((edge) => `${edge.from} -> ${edge.to === RETURN_NODE ? '$return' : edge.to}`));
    for (const edge of declaredEdges(flow)) expect(drawn, edge).toContain(edge);
    expect(graph.edges.filter((edge) => edge.kind === 'start')).toEqual([expect.objectContaining({ from: START_NODE, to: flow.start })]);
  });

  it('draws global transitions once, from the any-state node', () => {
    const globals = flow.global ?? [];
    const fromAny = graph.edges.filter((edge) => edge.from === ANY_STATE);
    expect(fromAny.length).toBeGreaterThanOrEqual(globals.length);
    expect(graph.edges.filter((edge) => edge.global && edge.from !== ANY_STATE)).toEqual([]);
    for (const [index, transition] of globals.entries()) {
      const drawn = fromAny.filter((edge) => edge.id === `/global/${index}` || edge.id.startsWith(`/global/${index}/`));
      expect(drawn.length).toBeGreaterThanOrEqual(1);
      for (const edge of drawn) {
        for (const intent of transition.onIntent ?? []) expect(edge.label).toContain(intent);
        expect(edge.digression).toBe(transition.digress === true);
      }
    }
  });

  it('round-trips through Mermaid: the same states, marks and labelled edges', () => {
    const parsed = parseMermaid(toMermaid(graph));
    const byLabel = new Map([...parsed.nodes].map(([id, node]) => [node.label.replace(' ⚠ unreachable', ''), { id, ...node }]));
    for (const node of graph.nodes.filter((candidate) => candidate.kind === 'state')) {
      const found = byLabel.get(node.id);
      expect(found, node.id).toBeDefined();
      const classes = parsed.classes.get(found?.id ?? '') ?? new Set();
      expect(classes.has('final')).toBe(node.final);
      expect(found?.shape === '(((').toBe(node.final);
      expect(classes.has('handoff')).toBe(node.handoff);
      expect(classes.has('unreachable')).toBe(node.unreachable);
    }
    const nameOf = new Map([...parsed.nodes].map(([id, node]) => [id, node.label]));
    const mermaidEdges = parsed.edges.map((edge) => `${nameOf.get(edge.from)} -> ${nameOf.get(edge.to)} : ${edge.label}`).sort();
    const label = (id: string): string => graph.nodes.find((node) => node.id === id)?.label ?? id;
    expect(mermaidEdges).toEqual(graph.edges.map((edge) => `${label(edge.from)} -> ${label(edge.to)} : ${edge.label}`).sort());
    expect(parsed.edges.filter((edge) => edge.dashed).length).toBe(graph.edges.filter((edge) => edge.global).length);
  });

  it('draws an SVG with every state and every transition, laid out inside the picture', () => {
    const document = svgDocument(svgToString(drawSvg(graph)));
    const svg = document.documentElement;
    expect(svg.tagName.toLowerCase()).toBe('svg');
    const [, , width, height] = (svg.getAttribute('viewBox') ?? '').split(' ').map(Number);
    const states = [...document.querySelectorAll('g[data-kind="state"]')];
    expect(states.map((node) => node.getAttribute('data-node')).sort()).toEqual([...stateNames].sort());
    for (const state of states) {
      const name = state.getAttribute('data-node') as string;
      expect(state.querySelector('text')?.textContent).toContain(name);
      const rect = state.querySelector('rect') as Element;
      const x = Number(rect.getAttribute('x'));
      const y = Number(rect.getAttribute('y'));
      expect(x).toBeGreaterThanOrEqual(0);
      expect(y).toBeGreaterThanOrEqual(0);
      expect(x + Number(rect.getAttribute('width'))).toBeLessThanOrEqual(width as number);
      expect(y + Number(rect.getAttribute('height'))).toBeLessThanOrEqual(height as number);
      expect(state.hasAttribute('data-final')).toBe(flow.states[name]?.final === true);
    }
    const edges = [...document.querySelectorAll('g[data-edge]')];
    expect(edges.length).toBe(graph.edges.length);
    for (const edge of edges) {
      expect(edge.querySelector('path')?.getAttribute('d')).toMatch(/^M[\d.-]+,[\d.-]+ /);
      expect(edge.querySelector('text')?.textContent?.replace(/\s+/g, ' ')).not.toBe('');
    }
  });

  it('writes DOT with every state and edge', () => {
    const dot = toDot(graph);
    expect(dot.startsWith('digraph ')).toBe(true);
    for (const name of stateNames) expect(dot).toContain(`"${name}" [label=`);
    expect(dot.match(/ -> /g)?.length).toBe(graph.edges.length);
  });
});

describe('flowGraph', () => {
  const flow: Flow = {
    meta: { name: 'Marks "and" <labels>', domains: ['d'] },
    start: 'A',
    intents: { GO: { examples: ['go'] }, HELP: { examples: ['help'] } },
    tools: { T: { domain: 'd', args: {} } },
    global: [{ onIntent: ['HELP'], digress: true, to: 'Explain' }],
    states: {
      A: {
        onEnter: [{ call: 'T', onResult: { branch: [{ when: '{{result.ok}} == true', to: 'B' }, { when: 'else', to: 'A' }] }, onError: { to: 'Person' } }],
        transitions: [{ onIntent: ['GO'], when: '{{ctx.n}} > 1', to: 'B' }],
        after: [{ ms: 90000, repeat: true, max: 2, do: [{ say: 'hello?' }] }],
      },
      B: { final: true },
      Explain: { onEnter: [{ say: 'This is A.' }], transitions: [{ to: '$return' }] },
      Person: { onEnter: [{ handoff: true }], final: true },
      Orphan: { final: true },
    },
  };
  const graph = flowGraph(flow);
  const edge = (id: string) => graph.edges.find((candidate) => candidate.id === id);

  it('labels each trigger: tool result with its guard, tool error, guarded intent, timer, digression, return', () => {
    expect(edge('/states/A/onEnter/0/onResult/branch/0')).toMatchObject({ from: 'A', to: 'B', kind: 'tool-result', label: 'T result [result.ok == true]' });
    expect(edge('/states/A/onEnter/0/onResult/branch/1')).toMatchObject({ to: 'A', label: 'T result [else]' });
    expect(edge('/states/A/onEnter/0/onError')).toMatchObject({ to: 'Person', kind: 'tool-error', label: 'T error' });
    expect(edge('/states/A/transitions/0')).toMatchObject({ kind: 'intent', label: 'intent GO [ctx.n > 1]' });
    expect(edge('/states/A/after/0')).toMatchObject({ from: 'A', to: 'A', kind: 'timer', label: 'after 90 s idle, repeating ×2' });
    expect(edge('/global/0')).toMatchObject({ from: ANY_STATE, to: 'Explain', digression: true, label: 'intent HELP · digression' });
    expect(edge('/states/Explain/transitions/0')).toMatchObject({ from: 'Explain', to: RETURN_NODE, kind: 'ready', label: 'at once' });
  });

  it('still draws a target found under a key it does not know, labelled with that key', () => {
    // The language grows (other routes may be added); no way out of a state may go missing from the picture.
    const grown = { ...flow, states: { ...flow.states, B: { final: true, onSomethingNew: { when: '{{ctx.x}} == 1', to: 'Orphan' } } } } as unknown as Flow;
    const drawn = flowGraph(grown).edges.find((candidate) => candidate.from === 'B');
    expect(drawn).toMatchObject({ id: '/states/B/onSomethingNew', to: 'Orphan', kind: 'other', label: 'onSomethingNew [ctx.x == 1]' });
    expect(flowGraph(grown).nodes.find((node) => node.id === 'Orphan')?.unreachable).toBe(false);
  });

  it('marks final, handoff and unreachable states', () => {
    const node = (id: string) => graph.nodes.find((candidate) => candidate.id === id);
    expect(node('B')).toMatchObject({ final: true, handoff: false, unreachable: false });
    expect(node('Person')).toMatchObject({ final: true, handoff: true, unreachable: false });
    expect(node('Orphan')).toMatchObject({ unreachable: true });
    expect(node('Explain')).toMatchObject({ unreachable: false });
    // The lint agrees on what is unreachable.
    const result = loadFlow(flow);
    expect(result.ok).toBe(true);
    const lint = result.warnings.filter((warning) => warning.code === 'unreachable').map((warning) => warning.path);
    expect(lint).toEqual(graph.nodes.filter((candidate) => candidate.unreachable).map((candidate) => `/states/${candidate.id}`));
  });

  it('escapes what would break Mermaid, DOT and SVG', () => {
    expect(toMermaid(graph)).toContain('%% Marks "and" <labels>');
    expect(toDot(graph)).toContain('digraph "Marks \\"and\\" <labels>"');
    const svg = svgToString(drawSvg(graph));
    expect(svg).toContain('Marks &#34;and&#34; &#60;labels&#62;');
    expect(svgDocument(svg).querySelector('parsererror')).toBeNull();
    expect(toMermaid(graph)).toContain('"T result [result.ok == true]"');
    expect(toMermaid(flowGraph({ ...flow, states: { ...flow.states, A: { transitions: [{ onIntent: ['GO'], when: '{{ctx.n}} > 1 && "x" != "y"', to: 'B' }] } } }))).toContain(
      'intent GO [ctx.n #62; 1 #38;#38; #34;x#34; != #34;y#34;]',
    );
  });
});

describe('the statechat package', () => {
  it('exports the graph and its drawings as statechat/authoring (the built library, npm run build:lib)', async () => {
    const built = (await import('statechat/authoring')) as typeof import('../../flows/authoring/index.ts');
    const flow = read('flows/reservations.flow.json');
    expect(built.toMermaid(built.flowGraph(flow))).toBe(toMermaid(flowGraph(flow)));
    expect(built.svgToString(built.drawSvg(built.flowGraph(flow)))).toBe(svgToString(drawSvg(flowGraph(flow))));
  });
});
