/**
 * The demo's "under the hood" panel: the chat's live public events, its
 * current state, the relay's tool runs and masked log lines. Everything is
 * written with `textContent`.
 */
import type { Chat, ChatState } from '../widget/chat-types.ts';
import type { JsonObject } from '../flows/types.ts';
import type { InPageRelay } from './in-page-relay.ts';

const MAX_LINES = 150;

function element<K extends keyof HTMLElementTagNameMap>(tag: K, text: string, className?: string): HTMLElementTagNameMap[K] {
  const created = document.createElement(tag);
  created.textContent = text;
  if (className) created.className = className;
  return created;
}

function prepend(list: HTMLElement, line: string): void {
  list.prepend(element('li', line));
  while (list.childElementCount > MAX_LINES) list.lastElementChild?.remove();
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

export function attachDebugPanel(chat: Chat, relay: InPageRelay | null, relayLabel: string): void {
  const events = document.getElementById('events') as HTMLOListElement;
  const stateList = document.getElementById('state') as HTMLDListElement;
  const toolRuns = document.getElementById('tool-runs') as HTMLUListElement;
  (document.getElementById('relay-mode') as HTMLElement).textContent = relayLabel;

  chat.on('*', (event: JsonObject) => prepend(events, `${new Date().toISOString().slice(11, 23)} ${String(event.name)} ${JSON.stringify(event.data)}`));

  const renderState = (state: ChatState) => {
    const rows = summary(state).flatMap(([term, value]) => {
      const definition = element('dd', value);
      definition.dataset.key = term;
      return [element('dt', term), definition];
    });
    stateList.replaceChildren(...rows);
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
  relay.onLog = (level, fields, message) => prepend(log, `${level} ${message} ${JSON.stringify(fields)}`);
}
