/**
 * A flow graph in Graphviz's DOT language (`dot -Tsvg flow.dot > flow.svg`).
 *
 * @example
 * ```ts
 * writeFileSync('flow.dot', toDot(flowGraph(flow)));
 * ```
 */
import type { FlowGraph, GraphNode } from './graph.ts';

/** A DOT double-quoted string: backslashes and quotes escaped, line breaks kept as `\n`. */
export function dotString(text: string): string {
  return `"${text.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\r?\n/g, '\\n')}"`;
}

function attributes(node: GraphNode): string {
  const list: [string, string][] = [['label', node.unreachable ? `${node.label}\n⚠ unreachable` : node.label]];
  // Later entries win (the start node's label, say): the list becomes a Map below.
  const styles: string[] = [];
  switch (node.kind) {
    case 'start':
      list.push(['shape', 'circle'], ['label', 'start']);
      break;
    case 'any':
    case 'return':
      list.push(['shape', 'hexagon'], ['color', '#718096']);
      break;
    case 'state':
      list.push(['shape', node.final ? 'doubleoctagon' : 'box']);
      styles.push('rounded');
      break;
  }
  if (node.handoff) {
    styles.push('filled');
    list.push(['fillcolor', '#fdecc8']);
  }
  if (node.unreachable) {
    styles.push('dashed');
    list.push(['color', '#c53030']);
  }
  if (styles.length > 0) list.push(['style', styles.join(',')]);
  const kept = new Map(list);
  return [...kept].map(([key, value]) => `${key}=${dotString(value)}`).join(', ');
}

export function toDot(graph: FlowGraph): string {
  const lines = [`digraph ${dotString(graph.name)} {`, '  rankdir=TB;', '  node [fontname="Helvetica", fontsize=12];', '  edge [fontname="Helvetica", fontsize=10];'];
  for (const node of graph.nodes) lines.push(`  ${dotString(node.id)} [${attributes(node)}];`);
  for (const edge of graph.edges) {
    const style = edge.global ? ', style="dashed"' : '';
    lines.push(`  ${dotString(edge.from)} -> ${dotString(edge.to)} [label=${dotString(edge.label)}${style}];`);
  }
  lines.push('}');
  return `${lines.join('\n')}\n`;
}
