/**
 * The conversation as every tab shows it (`SharedView`): built by the
 * leader from what it holds, by a follower from what is stored until the
 * leader's first broadcast, and completed per tab into a `ChatState`.
 */
import type { ChatMessage, ChatState } from '../chat-types.ts';
import type { MessageRecord, OutboxRecord, SessionRecord } from '../store/records.ts';
import type { StalledTool } from './tool-outages.ts';
import type { SharedView } from './tabs.ts';
import { publicHandoff } from '../handoff/session-handoff.ts';
import { publicMessage } from './transcript.ts';
import { isBusy, queuedWork } from './work-status.ts';

export interface ViewSource {
  session: SessionRecord | null;
  messages: readonly MessageRecord[];
  outbox: ReadonlyMap<string, OutboxRecord>;
  ready: boolean;
  phase: ChatState['phase'];
  error: ChatState['error'];
  stalled: StalledTool | null;
}

export function sharedViewOf(source: ViewSource): SharedView {
  const session = source.session;
  const snapshot = session?.snapshot;
  const stalled = source.stalled;
  return {
    ready: source.ready,
    phase: source.phase,
    sessionId: session?.sessionId ?? null,
    flow: session?.flow ?? null,
    state: snapshot?.state ?? null,
    messages: source.messages.map(publicMessage),
    choices: snapshot?.status === 'active' ? (snapshot.prompt?.choices ?? []).map((choice) => ({ ...choice })) : [],
    busy: isBusy(snapshot, source.outbox, source.messages),
    stalled: stalled ? { kind: 'tool', name: stalled.name, since: stalled.since } : null,
    queued: queuedWork(source.outbox.values()),
    handoff: publicHandoff(session?.handoff ?? null),
    error: source.error,
  };
}

/** A follower's state: the leader's view, with the visitor's own messages not yet acknowledged at the end. */
export function followerState(view: SharedView | null, forwarded: ChatMessage[], local: Pick<ChatState, 'ready' | 'phase' | 'online' | 'storage' | 'error'>): ChatState {
  return {
    sessionId: null,
    flow: null,
    state: null,
    choices: [],
    busy: false,
    stalled: null,
    queued: 0,
    handoff: null,
    ...view,
    ready: local.ready,
    phase: view?.phase ?? local.phase,
    messages: [...(view?.messages ?? []), ...forwarded],
    online: local.online,
    storage: local.storage,
    leader: false,
    error: view?.error ?? local.error,
  };
}
