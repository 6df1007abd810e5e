/**
 * The demo's "under the hood" panel: where the conversation is (state and
 * filled slots, at the top), the chat's public events and the relay's
 * masked log lines, oldest first, each event's data folded as JSON, all in
 * the panel's one scroll area. Everything is written with `textContent`.
 *
 * More views (the flow diagram) go in `#debug-sections`, under the summary.
 */
import type { Chat, ChatState } from '../widget/chat-types.ts';
import type { JsonObject } from '../flows/types.ts';
import type { InPageRelay } from './in-page-relay.ts';

const MAX_LINES = 200;

function element<K extends keyof HTMLElementTagNameMap>(tag: K, text: string, className?: string): HTMLElementTagNameMap[K] {
  const created = document.createElement(tag);
  created.textContent = text;
  if (className) created.className = className;
  return created;
}

function time(): string {
  return new Date().toISOString().slice(11, 23);
}

/** One line, oldest first: the time, a name, and the data folded away as indented JSON. */
function append(list: HTMLElement, name: string, data: unknown): void {
  const item = document.createElement('li');
  const hasData = data !== undefined && !(typeof data === 'object' && data !== null && Object.keys(data).length === 0);
  if (hasData) {
    const details = document.createElement('details');
    const summary = element('summary', '');
    summary.append(element('time', time()), ' ', element('strong', name));
    details.append(summary, element('pre', JSON.stringify(data, null, 2)));
    item.append(details);
  } else {
    item.append(element('time', time()), ' ', element('strong', name));
  }
  list.append(item);
  while (list.childElementCount > MAX_LINES) list.firstElementChild?.remove();
  const scroller = list.closest('.debug');
  // Follow new lines only when the reader is already at the bottom.
  if (scroller && scroller.scrollHeight - scroller.scrollTop - scroller.clientHeight < 80) scroller.scrollTop = scroller.scrollHeight;
}

function summary(state: ChatState): [string, string][] {
  const lastUser = state.messages.filter((message) => message.role === 'user').at(-1);
  return [
    ['phase', state.phase],
    ['flow', state.flow ? `${state.flow.id}@${state.flow.version}` : '—'],
    ['state', state.state ?? '—'],
    ['busy', String(state.busy)],
    ['online', String(state.online)],
    ['queued', String(state.queued)],
    ['stalled', state.stalled ? state.stalled.name : '—'],
    ['leader', String(state.leader)],
    ['storage', state.storage],
    ['handoff', state.handoff ? `${state.handoff.queue ?? ''} ${state.handoff.reason ?? ''}`.trim() : '—'],
    ['messages', String(state.messages.length)],
    ['last message', lastUser ? `${lastUser.status ?? ''}: ${lastUser.text}` : '—'],
    ['choices', state.choices.map((choice) => choice.label).join(' | ') || '—'],
    ['session', state.sessionId ?? '—'],
    ['error', state.error ? `${state.error.code}: ${state.error.message}` : '—'],
  ];
}

function definitions(target: HTMLDListElement, rows: [string, string][]): void {
  target.replaceChildren(
    ...rows.flatMap(([term, value]) => {
      const definition = element('dd', value);
      definition.dataset.key = term;
      return [element('dt', term), definition];
    }),
  );
}

export function attachDebugPanel(chat: Chat, relay: InPageRelay | null, relayLabel: string): void {
  const events = document.getElementById('events') as HTMLOListElement;
  const stateList = document.getElementById('state') as HTMLDListElement;
  const slotList = document.getElementById('slots') as HTMLDListElement;
  const toolRuns = document.getElementById('tool-runs') as HTMLUListElement;
  (document.getElementById('relay-mode') as HTMLElement).textContent = relayLabel;

  chat.on('*', (event: JsonObject) => {
    append(events, String(event.name), event.data);
    const data = event.data as JsonObject | undefined;
    if (event.name === 'state.updated' && data && typeof data.slots === 'object' && data.slots !== null && !Array.isArray(data.slots)) {
      const slots = Object.entries(data.slots).map(([name, value]): [string, string] => [name, typeof value === 'string' ? value : JSON.stringify(value)]);
      definitions(slotList, slots.length > 0 ? slots : [['—', 'none yet']]);
    }
  });

  const renderState = (state: ChatState) => {
    definitions(stateList, summary(state));
    document.body.dataset.chatState = state.state ?? '';
    document.body.dataset.chatPhase = state.phase;
  };
  renderState(chat.getState());
  chat.subscribe(renderState);

  if (!relay) return;
  const reachableLabel = document.getElementById('reachable-label') as HTMLLabelElement;
  const reachable = document.getElementById('reachable') as HTMLInputElement;
  reachableLabel.hidden = false;
  reachable.addEventListener('change', () => {
    relay.reachable = reachable.checked;
  });
  relay.onToolRun = () => {
    toolRuns.replaceChildren(
      ...[...relay.toolRuns].map(([name, count]) => {
        const item = element('li', `${name} × ${count}`);
        item.dataset.tool = name;
        item.dataset.runs = String(count);
        return item;
      }),
    );
  };
  const log = document.getElementById('relay-log') as HTMLOListElement;
  relay.onLog = (level, fields, message) => append(log, `${level} ${message}`, fields);
}
