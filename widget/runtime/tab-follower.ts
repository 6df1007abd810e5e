/**
 * A follower tab's side of a conversation shared between tabs: the
 * leader's latest view, which it renders, and the visitor's actions it
 * forwards to the leader until they are acknowledged (sent again on an
 * interval, when the network comes back and when a new leader says hello).
 */
import type { JsonObject } from '../../flows/types.ts';
import type { ChatMessage } from '../chat-types.ts';
import type { StoredConversation } from '../store/records.ts';
import { sharedViewOf } from './shared-view.ts';
import type { ForwardedInput, SharedView, TabMessage } from './tabs.ts';

/** What the follower needs from its runtime. */
export interface FollowerLink {
  /** Posts to the other tabs. */
  post(message: TabMessage): void;
  /** What the follower shows changed (a view, an acknowledgement, a forwarded message). */
  changed(): void;
  /** A public event the leader routed to this tab (the visitor acted here). */
  fire(name: string, data: JsonObject): void;
}

/** The view a follower shows from storage until the leader's first broadcast. */
export function storedView(stored: StoredConversation): SharedView {
  return sharedViewOf({
    session: stored.session,
    messages: stored.messages,
    outbox: new Map(stored.outbox.map((record) => [record.id, record])),
    ready: true,
    phase: stored.session.snapshot.status === 'ended' ? 'ended' : 'active',
    error: null,
    stalled: null,
  });
}

// ES private fields (not TypeScript's `private`): the minifier shortens their names, which the widget's download budget notices.
export class TabFollower {
  #shown: SharedView | null = null;
  readonly #forwards = new Map<string, ForwardedInput>();
  #timer: ReturnType<typeof setInterval> | null = null;
  #firstView: () => void = () => undefined;
  readonly #tabId: string;
  readonly #link: FollowerLink;
  readonly #resendMs: number;

  /** `resendMs`: how often what the leader has not acknowledged is sent again. */
  constructor(tabId: string, link: FollowerLink, resendMs: number) {
    this.#tabId = tabId;
    this.#link = link;
    this.#resendMs = resendMs;
  }

  /** The leader's latest view (or the stored one until it speaks). */
  get view(): SharedView | null {
    return this.#shown;
  }

  /**
   * Asks the leader for its view and waits for it, at most `waitMs`; `stored`
   * is shown meanwhile (and instead, if the leader does not answer in time).
   */
  async start(stored: SharedView | null, waitMs: number): Promise<void> {
    const seen = new Promise<void>((resolve) => {
      this.#firstView = resolve;
    });
    if (stored && !this.#shown) this.#shown = stored;
    this.#link.post({ type: 'sync' });
    if (this.#shown) return;
    let timer: ReturnType<typeof setTimeout> | undefined;
    await Promise.race([seen, new Promise<void>((resolve) => (timer = setTimeout(resolve, waitMs)))]);
    clearTimeout(timer);
  }

  /** Sends a visitor action to the leader, and again until it is acknowledged. */
  forward(input: ForwardedInput): void {
    input.tab = this.#tabId;
    this.#forwards.set(input.id, input);
    this.#link.post({ type: 'input', input });
    this.#timer ??= setInterval(() => this.resend(), this.#resendMs);
    this.#link.changed();
  }

  resend(): void {
    for (const input of this.#forwards.values()) this.#link.post({ type: 'input', input });
  }

  receive(message: TabMessage): void {
    if (message.type === 'state') {
      this.#shown = message.view;
      for (const shown of message.view.messages) this.#forwards.delete(shown.id);
      this.#stopWhenDone();
      this.#firstView();
      this.#link.changed();
    } else if (message.type === 'ack') {
      this.#forwards.delete(message.id);
      this.#stopWhenDone();
      this.#link.changed();
    } else if (message.type === 'hello') {
      this.resend();
    } else if (message.type === 'events' && message.tab === this.#tabId) {
      for (const event of message.events) this.#link.fire(event.name, event.data);
    }
  }

  /** The visitor's own messages the leader has not shown yet, at the end of the transcript. */
  pendingMessages(): ChatMessage[] {
    const pending: ChatMessage[] = [];
    for (const input of this.#forwards.values()) {
      if (input.kind === 'text' || input.kind === 'choice') {
        pending.push({ id: input.id, role: 'user', text: input.kind === 'text' ? input.text : input.label, at: input.at, status: 'pending' });
      }
    }
    return pending;
  }

  /** This tab becomes the leader: what it had forwarded and not seen acknowledged, to apply itself. */
  takeOver(): ForwardedInput[] {
    const own = [...this.#forwards.values()];
    this.#forwards.clear();
    this.#shown = null;
    this.stop();
    return own;
  }

  /** Stops sending again and releases whoever waits for a first view. */
  stop(): void {
    if (this.#timer !== null) clearInterval(this.#timer);
    this.#timer = null;
    this.#firstView();
  }

  #stopWhenDone(): void {
    if (this.#forwards.size > 0 || this.#timer === null) return;
    clearInterval(this.#timer);
    this.#timer = null;
  }
}
