/**
 * An in-memory `Chat` for UI tests: it keeps the contract's state shape and
 * message life (pending → sent → answered / failed), and lets a test play
 * the bot and the network.
 *
 * @example
 * const chat = createFakeChat({ greeting: 'Hello!' });
 * await chat.send('hi');           // pending → sent; busy until the test answers
 * chat.reply('How many people?', ['2', '4']);
 */
import type { Json, JsonObject } from '../../flows/types.ts';
import type { RenderedChoice } from '../../widget/engine/types.ts';
import type { Chat, ChatEventName, ChatMessage, ChatState } from '../../widget/chat-types.ts';

export interface FakeChat extends Chat {
  /** The bot says `text` (with quick replies); the last visitor message becomes `answered`. */
  reply(text: string, choices?: (string | RenderedChoice)[]): void;
  setOnline(online: boolean): void;
  /** The last visitor message fails. */
  fail(error: { code: string; message: string; retryable: boolean }): void;
  handoff(queue: string): void;
  end(): void;
  /** What the UI asked of the controller, in order. */
  readonly calls: { method: string; argument?: unknown }[];
  update(patch: Partial<ChatState>): void;
}

export interface FakeChatOptions {
  greeting?: string;
  choices?: string[];
  online?: boolean;
  storage?: ChatState['storage'];
  /** False: the chat is still loading its conversation when the widget mounts (`update({ ready: true })` ends it). */
  ready?: boolean;
}

function toChoice(choice: string | RenderedChoice): RenderedChoice {
  return typeof choice === 'string' ? { label: choice, value: choice } : choice;
}

export function createFakeChat(options: FakeChatOptions = {}): FakeChat {
  let counter = 0;
  const nextId = () => `m${++counter}`;
  const listeners = new Set<(state: ChatState) => void>();
  const eventListeners = new Map<string, Set<(data: JsonObject) => void>>();
  const calls: FakeChat['calls'] = [];

  const initial = (): ChatState => {
    const choices = (options.choices ?? []).map(toChoice);
    return {
      ready: options.ready ?? true,
      phase: 'active',
      sessionId: 's1',
      flow: { id: 'fake', version: '1', name: 'Fake Bistro' },
      state: 'Start',
      messages: options.greeting ? [{ id: nextId(), role: 'bot', text: options.greeting, at: 0, choices }] : [],
      choices,
      busy: false,
      stalled: null,
      online: options.online ?? true,
      queued: 0,
      handoff: null,
      storage: options.storage ?? 'indexeddb',
      leader: true,
      error: null,
    };
  };
  let state = initial();

  function update(patch: Partial<ChatState>): void {
    state = { ...state, ...patch };
    for (const listener of listeners) listener(state);
  }
  function fire(name: string, data: JsonObject): void {
    for (const callback of eventListeners.get(name) ?? []) callback(data);
  }
  function patchMessage(id: string, patch: Partial<ChatMessage>): ChatMessage[] {
    return state.messages.map((message) => (message.id === id ? { ...message, ...patch } : message));
  }
  function lastUser(): ChatMessage | undefined {
    return state.messages.filter((message) => message.role === 'user').at(-1);
  }
  function deliver(id: string): void {
    update({ messages: patchMessage(id, { status: 'sent', error: undefined }), busy: true, queued: 0 });
  }
  function addUser(text: string): void {
    const id = nextId();
    const message: ChatMessage = { id, role: 'user', text, at: counter, status: 'pending' };
    update({ messages: [...state.messages, message], choices: [], queued: state.online ? 0 : state.queued + 1 });
    if (state.online) deliver(id);
  }

  let resolveReady: () => void = () => {};
  const ready = new Promise<void>((resolve) => {
    resolveReady = resolve;
  });
  resolveReady();

  return {
    ready,
    calls,
    update,
    async send(text: string) {
      calls.push({ method: 'send', argument: text });
      addUser(text);
    },
    async choose(choice: RenderedChoice | string) {
      calls.push({ method: 'choose', argument: choice });
      const picked = typeof choice === 'string' ? state.choices.find((option) => option.value === choice) : choice;
      addUser(picked?.label ?? String(choice));
    },
    async retry(messageId: string) {
      calls.push({ method: 'retry', argument: messageId });
      update({ messages: patchMessage(messageId, { status: 'pending', error: undefined }) });
      if (state.online) deliver(messageId);
    },
    emit(name: string, data?: Json) {
      calls.push({ method: 'emit', argument: { name, data } });
    },
    getState: () => state,
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    on(event: ChatEventName, callback: (data: JsonObject) => void) {
      const set = eventListeners.get(event) ?? new Set();
      set.add(callback);
      eventListeners.set(event, set);
      return () => set.delete(callback);
    },
    async reset() {
      calls.push({ method: 'reset' });
      counter = 0;
      state = initial();
      update({});
      fire('session.started', { sessionId: 's2' });
    },
    async destroy() {
      calls.push({ method: 'destroy' });
      listeners.clear();
    },
    reply(text, choices = []) {
      const rendered = choices.map(toChoice);
      const user = lastUser();
      const messages = user ? patchMessage(user.id, { status: 'answered' }) : state.messages;
      update({ messages: [...messages, { id: nextId(), role: 'bot', text, at: counter, choices: rendered }], choices: rendered, busy: false });
      fire('say', { text });
    },
    setOnline(online) {
      update({ online });
      if (online) for (const message of state.messages) if (message.role === 'user' && message.status === 'pending') deliver(message.id);
    },
    fail(error) {
      const user = lastUser();
      if (user) update({ messages: patchMessage(user.id, { status: 'failed', error }), busy: false });
    },
    handoff(queue) {
      update({
        handoff: { reason: 'asked', queue },
        phase: 'ended',
        messages: [...state.messages, { id: nextId(), role: 'notice', notice: 'handoff', text: 'Connecting you with our staff.', at: counter }],
      });
    },
    end() {
      update({ phase: 'ended', choices: [] });
    },
  };
}
