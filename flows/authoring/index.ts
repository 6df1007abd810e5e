/**
 * Tools for flow authors that need no I/O: the flow as a graph, and that
 * graph as Mermaid, DOT or SVG. The command line (`statechat graph`) and the
 * demo's live diagram draw with these.
 */
export { ANY_STATE, flowGraph, readableExpression, RETURN_NODE, START_NODE } from './graph.ts';
export type { FlowGraph, GraphEdge, GraphNode, NodeKind, TriggerKind } from './graph.ts';
export { mermaidText, toMermaid } from './mermaid.ts';
export { dotString, toDot } from './dot.ts';
export { COLOURS, drawSvg, SVG_NAMESPACE, svgToString } from './svg.ts';
export type { SvgChild, SvgElement } from './svg.ts';
