/**
 * A flow graph drawn as SVG, laid out by dagre (`@dagrejs/dagre`, plain
 * JavaScript: no browser, no DOM). The drawing is a small element tree, so
 * the CLI writes it as text (`svgToString`) and a page builds real nodes from
 * it with `createElementNS` and `textContent` — flow text never goes through
 * an HTML parser.
 *
 * Each state is a `<g data-node="Name">`, each transition a
 * `<g data-edge="/states/A/transitions/0" data-from="A" data-to="B">`, so a
 * page can highlight the current state and the last transition without
 * laying the graph out again.
 *
 * @example
 * ```ts
 * writeFileSync('flow.svg', svgToString(drawSvg(flowGraph(flow))));
 * ```
 */
import dagre from '@dagrejs/dagre';
import type { FlowGraph, GraphEdge, GraphNode } from './graph.ts';

export interface SvgElement {
  tag: string;
  attributes: { [name: string]: string };
  children: SvgChild[];
}
export type SvgChild = SvgElement | string;

export const SVG_NAMESPACE = 'http://www.w3.org/2000/svg';

const NODE_FONT = 13;
const EDGE_FONT = 11;
/** Average glyph width of the sans-serif fonts at these sizes; there is no text measuring without a browser. */
const NODE_CHAR_WIDTH = 7.6;
const EDGE_CHAR_WIDTH = 6.4;
const EDGE_LINE_CHARS = 30;
const LINE_HEIGHT = 1.25;

export const COLOURS = {
  ink: '#1a202c',
  line: '#4a5568',
  global: '#718096',
  state: '#ffffff',
  meta: '#edf2f7',
  handoff: '#fdecc8',
  unreachable: '#c53030',
  current: '#2b6cb0',
  currentFill: '#bee3f8',
  lastEdge: '#dd6b20',
} as const;

/** Each key becomes a `data-` attribute (edge → data-edge). */
function dataAttributes(values: { [name: string]: string }): SvgElement['attributes'] {
  return Object.fromEntries(Object.entries(values).map(([name, value]) => [`data-${name}`, value]));
}

function element(tag: string, attributes: SvgElement['attributes'], children: SvgChild[] = []): SvgElement {
  return { tag, attributes, children };
}

/** Splits an edge label into lines of about `EDGE_LINE_CHARS` characters, at spaces. */
function wrap(text: string): string[] {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(' ')) {
    if (line !== '' && line.length + 1 + word.length > EDGE_LINE_CHARS) {
      lines.push(line);
      line = word;
    } else line = line === '' ? word : `${line} ${word}`;
  }
  if (line !== '') lines.push(line);
  return lines;
}

function nodeLines(node: GraphNode): string[] {
  const marks = [node.final ? 'final' : '', node.handoff ? 'handoff' : '', node.unreachable ? '⚠ unreachable' : ''].filter((mark) => mark !== '');
  return marks.length > 0 ? [node.label, marks.join(' · ')] : [node.label];
}

function textBlock(lines: string[], x: number, y: number, size: number, attributes: SvgElement['attributes']): SvgElement {
  const first = y - ((lines.length - 1) * size * LINE_HEIGHT) / 2;
  return element(
    'text',
    { x: x.toFixed(1), y: first.toFixed(1), 'font-size': String(size), 'text-anchor': 'middle', 'dominant-baseline': 'central', ...attributes },
    lines.map((line, index) => element('tspan', { x: x.toFixed(1), y: (first + index * size * LINE_HEIGHT).toFixed(1) }, [line])),
  );
}

function pathThrough(points: { x: number; y: number }[]): string {
  const [first, ...rest] = points;
  if (!first) return '';
  let d = `M${first.x.toFixed(1)},${first.y.toFixed(1)}`;
  // Quadratic curves through the midpoints: smooth bends on dagre's control points.
  for (let index = 0; index < rest.length - 1; index += 1) {
    const control = rest[index] as { x: number; y: number };
    const next = rest[index + 1] as { x: number; y: number };
    d += ` Q${control.x.toFixed(1)},${control.y.toFixed(1)} ${((control.x + next.x) / 2).toFixed(1)},${((control.y + next.y) / 2).toFixed(1)}`;
  }
  const last = rest.at(-1);
  if (last) d += ` L${last.x.toFixed(1)},${last.y.toFixed(1)}`;
  return d;
}

/** A route that stays in its state: a loop off the node's right side, around the label dagre placed there. */
function selfLoop(node: { x?: number; y?: number; width: number; height: number }, label: { x?: number; y?: number; width?: number }): string {
  const right = (node.x ?? 0) + node.width / 2;
  const y = node.y ?? 0;
  const reach = Math.max(right + 24, (label.x ?? right) - (label.width ?? 0) / 2);
  const rise = node.height / 2 + 6;
  return `M${right.toFixed(1)},${(y - node.height / 4).toFixed(1)} C${reach.toFixed(1)},${(y - rise).toFixed(1)} ${reach.toFixed(1)},${(y + rise).toFixed(1)} ${right.toFixed(1)},${(y + node.height / 4).toFixed(1)}`;
}

function nodeShape(node: GraphNode, x: number, y: number, width: number, height: number): SvgElement[] {
  const left = x - width / 2;
  const top = y - height / 2;
  const stroke = node.unreachable ? COLOURS.unreachable : node.kind === 'state' ? COLOURS.line : COLOURS.global;
  const fill = node.handoff ? COLOURS.handoff : node.kind === 'state' ? COLOURS.state : COLOURS.meta;
  const common = { fill, stroke, 'stroke-width': '1.5', ...(node.unreachable ? { 'stroke-dasharray': '5 4' } : {}), 'data-role': 'shape' };
  if (node.kind === 'start') return [element('circle', { cx: x.toFixed(1), cy: y.toFixed(1), r: (height / 2).toFixed(1), ...common, fill: COLOURS.line })];
  const radius = node.kind === 'state' ? '8' : String(height / 2);
  const shapes = [element('rect', { x: left.toFixed(1), y: top.toFixed(1), width: width.toFixed(1), height: height.toFixed(1), rx: radius, ...common })];
  if (node.final) {
    // A final state has a double border, as in UML state charts.
    shapes.push(element('rect', { x: (left + 4).toFixed(1), y: (top + 4).toFixed(1), width: (width - 8).toFixed(1), height: (height - 8).toFixed(1), rx: '5', fill: 'none', stroke, 'stroke-width': '1' }));
  }
  return shapes;
}

/** Lays the graph out with dagre and draws it. */
export function drawSvg(graph: FlowGraph): SvgElement {
  const layout = new dagre.graphlib.Graph({ multigraph: true });
  layout.setGraph({ rankdir: 'TB', nodesep: 40, ranksep: 60, edgesep: 16, marginx: 16, marginy: 16 });
  for (const node of graph.nodes) {
    const lines = nodeLines(node);
    const size = node.kind === 'start' ? { width: 18, height: 18 } : { width: Math.max(...lines.map((line) => line.length)) * NODE_CHAR_WIDTH + 28, height: lines.length * NODE_FONT * LINE_HEIGHT + 18 };
    layout.setNode(node.id, size);
  }
  const labels = new Map<string, string[]>();
  for (const edge of graph.edges) {
    const lines = wrap(edge.label);
    labels.set(edge.id, lines);
    layout.setEdge(edge.from, edge.to, { width: Math.max(...lines.map((line) => line.length)) * EDGE_CHAR_WIDTH + 8, height: lines.length * EDGE_FONT * LINE_HEIGHT + 4, labelpos: 'c' }, edge.id);
  }
  dagre.layout(layout);
  const size = layout.graph();
  const width = Math.ceil(size.width ?? 0);
  const height = Math.ceil(size.height ?? 0);

  const marker = (id: string, colour: string): SvgElement =>
    element('marker', { id, viewBox: '0 0 10 10', refX: '9', refY: '5', markerUnits: 'userSpaceOnUse', markerWidth: '9', markerHeight: '9', orient: 'auto-start-reverse' }, [element('path', { d: 'M0,0 L10,5 L0,10 z', fill: colour })]);

  const edgeGroups = graph.edges.map((edge: GraphEdge) => {
    const placed = layout.edge(edge.from, edge.to, edge.id);
    const lines = labels.get(edge.id) ?? [edge.label];
    const d = edge.from === edge.to ? selfLoop(layout.node(edge.from), placed) : pathThrough(placed.points ?? []);
    const colour = edge.global ? COLOURS.global : COLOURS.line;
    return element('g', dataAttributes({ edge: edge.id, from: edge.from, to: edge.to, kind: edge.kind }), [
      element('title', {}, [`${edge.from} → ${edge.to}: ${edge.label}`]),
      element('path', {
        d,
        fill: 'none',
        stroke: colour,
        'stroke-width': '1.3',
        ...(edge.global ? { 'stroke-dasharray': '6 4' } : {}),
        'marker-end': edge.global ? 'url(#statechat-arrow-global)' : 'url(#statechat-arrow)',
        'data-role': 'line',
      }),
      textBlock(lines, placed.x ?? 0, placed.y ?? 0, EDGE_FONT, { fill: COLOURS.ink, 'data-role': 'label', 'paint-order': 'stroke', stroke: '#ffffff', 'stroke-width': '3' }),
    ]);
  });
  const nodeGroups = graph.nodes.map((node) => {
    const placed = layout.node(node.id);
    const x = placed.x ?? 0;
    const y = placed.y ?? 0;
    const children: SvgChild[] = [element('title', {}, [nodeLines(node).join(' — ')]), ...nodeShape(node, x, y, placed.width, placed.height)];
    if (node.kind !== 'start') {
      children.push(textBlock(nodeLines(node), x, y, NODE_FONT, { fill: node.unreachable ? COLOURS.unreachable : COLOURS.ink, 'font-weight': node.kind === 'state' ? '600' : '400' }));
    }
    return element(
      'g',
      {
        'data-node': node.id,
        'data-kind': node.kind,
        ...(node.final ? { 'data-final': 'true' } : {}),
        ...(node.handoff ? { 'data-handoff': 'true' } : {}),
        ...(node.unreachable ? { 'data-unreachable': 'true' } : {}),
      },
      children,
    );
  });

  return element(
    'svg',
    {
      xmlns: SVG_NAMESPACE,
      viewBox: `0 0 ${width} ${height}`,
      width: String(width),
      height: String(height),
      role: 'img',
      'aria-label': `States and transitions of the flow "${graph.name}"`,
      'font-family': 'system-ui, -apple-system, "Segoe UI", Helvetica, Arial, sans-serif',
    },
    [
      element('title', {}, [graph.name]),
      element('defs', {}, [marker('statechat-arrow', COLOURS.line), marker('statechat-arrow-global', COLOURS.global), marker('statechat-arrow-last', COLOURS.lastEdge)]),
      element('g', { 'data-layer': 'edges' }, edgeGroups),
      element('g', { 'data-layer': 'nodes' }, nodeGroups),
    ],
  );
}

function escapeXml(text: string): string {
  return text.replace(/[&<>"']/g, (character) => `&#${character.charCodeAt(0)};`);
}

/** The drawing as an SVG document (UTF-8 text). */
export function svgToString(root: SvgElement): string {
  const write = (node: SvgChild, depth: number): string => {
    if (typeof node === 'string') return escapeXml(node);
    const attributes = Object.entries(node.attributes)
      .map(([name, value]) => ` ${name}="${escapeXml(value)}"`)
      .join('');
    if (node.children.length === 0) return `<${node.tag}${attributes}/>`;
    const inline = node.children.every((child) => typeof child === 'string') || node.tag === 'text';
    if (inline) return `<${node.tag}${attributes}>${node.children.map((child) => write(child, depth + 1)).join('')}</${node.tag}>`;
    const indent = '  '.repeat(depth + 1);
    return `<${node.tag}${attributes}>\n${node.children.map((child) => `${indent}${write(child, depth + 1)}`).join('\n')}\n${'  '.repeat(depth)}</${node.tag}>`;
  };
  return `<?xml version="1.0" encoding="UTF-8"?>\n${write(root, 0)}\n`;
}
