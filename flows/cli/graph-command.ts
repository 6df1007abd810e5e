/**
 * `statechat graph <flow> [--format mermaid|svg|dot] [--out file]`: the flow
 * drawn as a diagram. Mermaid by default (GitHub renders it in Markdown),
 * SVG laid out here with no browser, DOT for Graphviz.
 */
import { writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { drawSvg, flowGraph, svgToString, toDot, toMermaid } from '../authoring/index.ts';
import type { Output } from './output.ts';
import { displayPath, readFlowFile } from './read-flow.ts';

export const GRAPH_FORMATS = ['mermaid', 'svg', 'dot'] as const;
export type GraphFormat = (typeof GRAPH_FORMATS)[number];

export const GRAPH_USAGE = `usage: statechat graph <flow.json> [--format mermaid|svg|dot] [--out <file>]

  --format  mermaid (default), svg (laid out, no browser needed) or dot (Graphviz)
  --out     write to this file instead of standard output`;

export async function graphCommand(argv: string[], output: Output): Promise<number> {
  let values: { format?: string; out?: string; help?: boolean };
  let positionals: string[];
  try {
    ({ values, positionals } = parseArgs({
      args: argv,
      options: { format: { type: 'string', short: 'f' }, out: { type: 'string', short: 'o' }, help: { type: 'boolean', short: 'h' } },
      allowPositionals: true,
      strict: true,
    }));
  } catch (error) {
    output.err(`statechat graph: ${error instanceof Error ? error.message : String(error)}\n${GRAPH_USAGE}`);
    return 2;
  }
  if (values.help) {
    output.out(GRAPH_USAGE);
    return 0;
  }
  const format = values.format ?? 'mermaid';
  if (!(GRAPH_FORMATS as readonly string[]).includes(format)) {
    output.err(`statechat graph: unknown format "${format}" (use ${GRAPH_FORMATS.join(', ')})`);
    return 2;
  }
  if (positionals.length !== 1) {
    output.err(`statechat graph: name one flow file\n${GRAPH_USAGE}`);
    return 2;
  }
  const flow = await readFlowFile(resolve(positionals[0] as string), output);
  if (!flow) return 1;
  const graph = flowGraph(flow.definition);
  const text = format === 'svg' ? svgToString(drawSvg(graph)) : format === 'dot' ? toDot(graph) : toMermaid(graph);
  for (const node of graph.nodes) if (node.unreachable) output.err(`${displayPath(resolve(positionals[0] as string))}: state "${node.id}" is unreachable`);
  if (values.out === undefined) {
    output.out(text.replace(/\n$/, ''));
    return 0;
  }
  try {
    await writeFile(resolve(values.out), text);
  } catch (error) {
    output.err(`statechat graph: cannot write ${values.out}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`);
    return 1;
  }
  output.err(`${displayPath(resolve(values.out))}: ${graph.nodes.filter((node) => node.kind === 'state').length} states, ${graph.edges.length} transitions (${format})`);
  return 0;
}
