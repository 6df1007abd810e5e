/**
 * The debug panel's live diagram: the flow the chat runs, drawn with the
 * same graph and layout as `statechat graph --format svg`, the current state
 * highlighted and the last transition marked, updated on every
 * `fsm.transition`.
 *
 * The demo loads this module (and dagre with it) on its own, after the page
 * has started: none of it is in the widget's bundle. The SVG is built with
 * `createElementNS` and `textContent`, never parsed from a string.
 */
import type { Chat, ChatState } from '../widget/chat-types.ts';
import type { Flow, JsonObject } from '../flows/types.ts';
import { ANY_STATE, COLOURS, drawSvg, flowGraph, RETURN_NODE, START_NODE, SVG_NAMESPACE, type SvgChild } from '../flows/authoring/index.ts';

function build(node: SvgChild): Node {
  if (typeof node === 'string') return document.createTextNode(node);
  const created = document.createElementNS(SVG_NAMESPACE, node.tag);
  for (const [name, value] of Object.entries(node.attributes)) if (name !== 'xmlns') created.setAttribute(name, value);
  for (const child of node.children) created.append(build(child));
  return created;
}

/** Remembers an attribute's drawn value the first time it is changed, so it can be put back. */
function setMarked(element: Element, name: string, value: string): void {
  const key = `original${name.replace(/(^|-)(\w)/g, (_, __, letter: string) => letter.toUpperCase())}`;
  const data = (element as SVGElement).dataset;
  if (data[key] === undefined) data[key] = element.getAttribute(name) ?? '';
  element.setAttribute(name, value);
}

function restore(element: Element): void {
  const data = (element as SVGElement).dataset;
  for (const key of Object.keys(data)) {
    if (!key.startsWith('original')) continue;
    const name = key
      .slice('original'.length)
      .replace(/[A-Z]/g, (letter, offset: number) => `${offset === 0 ? '' : '-'}${letter.toLowerCase()}`);
    element.setAttribute(name, data[key] as string);
    delete data[key];
  }
}

export interface FlowDiagram {
  /** The drawn SVG, once the flow is known. */
  readonly svg: SVGSVGElement | null;
  detach(): void;
}

/**
 * Draws the chat's flow into a new "Flow" section of the debug panel, placed
 * before `before` (or at the end of `panel`). `relayUrl` is where the flow
 * definition is fetched from (`GET /v1/flows/:id`), as the widget does.
 */
export function attachFlowDiagram(chat: Chat, relayUrl: string, panel: HTMLElement, before: Element | null = null): FlowDiagram {
  const section = document.createElement('section');
  section.id = 'flow-diagram';
  section.setAttribute('aria-labelledby', 'flow-diagram-title');
  const heading = document.createElement('h3');
  heading.id = 'flow-diagram-title';
  heading.textContent = 'Flow';
  const status = document.createElement('p');
  status.className = 'flow-diagram-status';
  status.textContent = 'loading the flow…';
  const zoom = document.createElement('button');
  zoom.type = 'button';
  zoom.textContent = 'Fit to panel';
  zoom.hidden = true;
  const frame = document.createElement('div');
  frame.className = 'flow-diagram-frame';
  // Set through the CSSOM (allowed under a style-src CSP): the drawing scrolls inside the panel at full size.
  frame.style.overflow = 'auto';
  frame.style.maxHeight = '60vh';
  // A scrolling area keyboard users can reach (axe: scrollable-region-focusable).
  frame.tabIndex = 0;
  frame.setAttribute('role', 'group');
  frame.setAttribute('aria-labelledby', 'flow-diagram-title');
  section.append(heading, status, zoom, frame);
  panel.insertBefore(section, before);

  let svg: SVGSVGElement | null = null;
  let loadedVersion: string | null = null;
  let current: string | null = null;
  let lastEdges: Element[] = [];
  let naturalWidth = '';

  const highlightState = (state: string | null): void => {
    if (!svg) return;
    if (current !== null) {
      const previous = svg.querySelector(`g[data-node="${CSS.escape(current)}"]`);
      if (previous) {
        previous.removeAttribute('data-current');
        for (const shape of previous.querySelectorAll('[data-role="shape"]')) restore(shape);
      }
    }
    current = state;
    if (state === null) return;
    const node = svg.querySelector(`g[data-node="${CSS.escape(state)}"]`);
    if (!node) return;
    node.setAttribute('data-current', 'true');
    for (const shape of node.querySelectorAll('[data-role="shape"]')) {
      setMarked(shape, 'fill', COLOURS.currentFill);
      setMarked(shape, 'stroke', COLOURS.current);
      setMarked(shape, 'stroke-width', '3');
    }
    status.textContent = `current state: ${state}`;
    centre(node);
  };

  /** At full size the drawing is wider than the panel: scroll the frame (only the frame, never the page) to the current state. */
  const centre = (node: Element): void => {
    if (!svg || svg.getAttribute('width') === '100%') return;
    const box = (node as SVGGraphicsElement).getBBox();
    frame.scrollTo({ left: box.x + box.width / 2 - frame.clientWidth / 2, top: box.y + box.height / 2 - frame.clientHeight / 2 });
  };

  const markTransition = (from: string | null, to: string, trigger: string): void => {
    if (!svg) return;
    for (const edge of lastEdges) {
      edge.removeAttribute('data-last');
      for (const line of edge.querySelectorAll('[data-role="line"], [data-role="label"]')) restore(line);
    }
    const select = (source: string, target: string): Element[] => [...(svg as SVGSVGElement).querySelectorAll(`g[data-edge][data-from="${CSS.escape(source)}"][data-to="${CSS.escape(target)}"]`)];
    let edges: Element[];
    if (from === null) edges = select(START_NODE, to);
    else if (trigger === 'return') edges = [...select(from, RETURN_NODE), ...select(ANY_STATE, RETURN_NODE)].slice(0, 1);
    else {
      edges = select(from, to);
      // Not a transition of the state itself: a global one (cancel, help, a person) or the flow's fallback.
      if (edges.length === 0) edges = select(ANY_STATE, to);
    }
    for (const edge of edges) {
      edge.setAttribute('data-last', 'true');
      const line = edge.querySelector('[data-role="line"]');
      if (line) {
        setMarked(line, 'stroke', COLOURS.lastEdge);
        setMarked(line, 'stroke-width', '3');
        setMarked(line, 'marker-end', 'url(#statechat-arrow-last)');
      }
      const label = edge.querySelector('[data-role="label"]');
      if (label) setMarked(label, 'fill', COLOURS.lastEdge);
    }
    lastEdges = edges;
  };

  const load = async (state: ChatState): Promise<void> => {
    const flow = state.flow;
    if (!flow || `${flow.id}@${flow.version}` === loadedVersion) return;
    loadedVersion = `${flow.id}@${flow.version}`;
    try {
      const response = await fetch(`${relayUrl.replace(/\/+$/, '')}/v1/flows/${encodeURIComponent(flow.id)}`);
      if (!response.ok) throw new Error(`the relay answered ${response.status}`);
      const definition = (await response.json()) as Flow;
      const drawn = build(drawSvg(flowGraph(definition))) as SVGSVGElement;
      naturalWidth = drawn.getAttribute('width') ?? '';
      // Drawn at full size (readable), scrolled to the current state; "Fit to panel" shows the whole flow.
      drawn.removeAttribute('height');
      frame.replaceChildren(drawn);
      svg = drawn;
      zoom.hidden = false;
      current = null;
      lastEdges = [];
      highlightState(chat.getState().state);
    } catch (error) {
      loadedVersion = null;
      status.textContent = `cannot draw the flow: ${error instanceof Error ? error.message : String(error)}`;
    }
  };

  zoom.addEventListener('click', () => {
    if (!svg) return;
    const fitted = svg.getAttribute('width') === '100%';
    svg.setAttribute('width', fitted ? naturalWidth : '100%');
    zoom.textContent = fitted ? 'Fit to panel' : 'Full size';
    const node = current === null ? null : svg.querySelector(`g[data-node="${CSS.escape(current)}"]`);
    if (node) centre(node);
  });

  const stopTransitions = chat.on('fsm.transition', (data: JsonObject) => {
    const to = typeof data.to === 'string' ? data.to : null;
    if (to === null) return;
    markTransition(typeof data.from === 'string' ? data.from : null, to, typeof data.trigger === 'string' ? data.trigger : '');
    highlightState(to);
  });
  const stopState = chat.subscribe((state) => {
    void load(state);
    if (state.state !== current) highlightState(state.state);
  });
  void load(chat.getState());

  return {
    get svg() {
      return svg;
    },
    detach() {
      stopTransitions();
      stopState();
      section.remove();
    },
  };
}
