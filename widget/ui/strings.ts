/**
 * Every piece of text the widget shows or announces. Pass a partial set in
 * `mount({ strings })` to translate or reword it; flow messages are
 * translated in the flow itself.
 *
 * @example
 * mount({ chat, strings: { openChat: 'Ouvrir le chat', send: 'Envoyer' } });
 */
export interface UiStrings {
  /** The launcher button's name. */
  openChat: string;
  /** The panel's close button. */
  closeChat: string;
  /** The panel's heading when no `title` is given. */
  title: string;
  /** The header button that starts a new conversation. */
  restart: string;
  /** The text box's name. */
  message: string;
  placeholder: string;
  send: string;
  /** The transcript's name for assistive technology. */
  transcript: string;
  /** The quick replies' group name. */
  quickReplies: string;
  /** Announced while the bot is working. */
  typing: string;
  /** A visitor message waiting for the network: offline, or the relay cannot be reached yet. */
  queued: string;
  /** A visitor message being understood. */
  sending: string;
  sent: string;
  /** The label before a failed message's reason. */
  failed: string;
  retry: string;
  offline: string;
  /** Shown once a person has been asked to take over. */
  handoff: string;
  ended: string;
  startAgain: string;
  loading: string;
  /** The conversation lives in memory only (private browsing, storage refused). */
  memoryOnly: string;
  /** Who said what, for screen readers. */
  you: string;
  bot: string;
}

export const defaultStrings: UiStrings = {
  openChat: 'Open chat',
  closeChat: 'Close chat',
  title: 'Chat',
  restart: 'Restart conversation',
  message: 'Message',
  placeholder: 'Type a message…',
  send: 'Send',
  transcript: 'Conversation',
  quickReplies: 'Quick replies',
  typing: 'Typing…',
  queued: 'Queued — will send when the connection is back',
  sending: 'Sending…',
  sent: 'Sent',
  failed: 'Not sent',
  retry: 'Retry',
  offline: 'You are offline. Messages will be sent when the connection is back.',
  handoff: 'A member of our staff will take it from here.',
  ended: 'This conversation has ended.',
  startAgain: 'Start a new conversation',
  loading: 'Loading…',
  memoryOnly: 'This conversation will not be kept if you leave the page.',
  you: 'You',
  bot: 'Assistant',
};

const RIGHT_TO_LEFT = new Set(['ar', 'arc', 'ckb', 'dv', 'fa', 'ha', 'he', 'iw', 'ks', 'ps', 'sd', 'ug', 'ur', 'yi']);

/** The writing direction of a BCP 47 language tag (`ar-EG` → `rtl`). */
export function directionOf(language: string | undefined): 'ltr' | 'rtl' {
  if (!language) return 'ltr';
  const tag = language.toLowerCase();
  if (/-(arab|hebr|thaa|syrc|nkoo|adlm|rohg)\b/.test(tag)) return 'rtl';
  return RIGHT_TO_LEFT.has(tag.split(/[-_]/)[0] ?? '') ? 'rtl' : 'ltr';
}
