/**
 * A flow graph as a Mermaid flowchart, which GitHub and most documentation
 * tools render. Node ids are generated (`s0`, `s1`, …) because state names may
 * hold `.` and `-` or be a Mermaid keyword (`end`); the label is the name.
 *
 * @example
 * ```ts
 * writeFileSync('flow.md', '```mermaid\n' + toMermaid(flowGraph(flow)) + '```\n');
 * ```
 */
import type { FlowGraph, GraphNode } from './graph.ts';

/** Mermaid's entity codes: the characters that would end or confuse a quoted label. */
export function mermaidText(text: string): string {
  return text.replace(/[#"<>&]/g, (character) => `#${character.charCodeAt(0)};`);
}

function shape(node: GraphNode, id: string): string {
  const label = `"${mermaidText(node.label)}${node.unreachable ? ' ⚠ unreachable' : ''}"`;
  switch (node.kind) {
    case 'start':
      return `${id}(("start"))`;
    case 'any':
    case 'return':
      return `${id}{{${label}}}`;
    case 'state':
      return node.final ? `${id}(((${label})))` : `${id}[${label}]`;
  }
}

export function toMermaid(graph: FlowGraph): string {
  const ids = new Map<string, string>();
  const idOf = (node: string): string => {
    let id = ids.get(node);
    if (id === undefined) {
      id = `s${ids.size}`;
      ids.set(node, id);
    }
    return id;
  };
  const lines = ['flowchart TD', `  %% ${graph.name.replace(/[\r\n]+/g, ' ')}`];
  for (const node of graph.nodes) lines.push(`  ${shape(node, idOf(node.id))}`);
  for (const edge of graph.edges) {
    const arrow = edge.global ? '-.->' : '-->';
    lines.push(`  ${idOf(edge.from)} ${arrow}|"${mermaidText(edge.label)}"| ${idOf(edge.to)}`);
  }
  lines.push(
    '  classDef final stroke-width:3px',
    '  classDef handoff fill:#fdecc8,stroke:#b7791f',
    '  classDef unreachable stroke:#c53030,stroke-dasharray:5 5,color:#c53030',
    '  classDef meta fill:#edf2f7,stroke:#718096',
  );
  for (const node of graph.nodes) {
    const id = idOf(node.id);
    if (node.final) lines.push(`  class ${id} final`);
    if (node.handoff) lines.push(`  class ${id} handoff`);
    if (node.unreachable) lines.push(`  class ${id} unreachable`);
    if (node.kind !== 'state') lines.push(`  class ${id} meta`);
  }
  return `${lines.join('\n')}\n`;
}
