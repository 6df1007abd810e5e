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
  /** Added to the launcher's name while bot messages wait unread: `{count}` is replaced (`Open chat, 2 new messages`). */
  unreadOne: string;
  unreadMany: string;
  /** The preview bubble's dismiss button. */
  dismiss: string;
  /** The panel's close button. */
  closeChat: string;
  /** The panel's heading when no `title` is given. */
  title: string;
  /** The header button that starts a new conversation (asks first). */
  restart: string;
  /** The question asked before the conversation is cleared, and its two answers. */
  restartQuestion: string;
  restartConfirm: string;
  cancel: string;
  /** The text box's name. */
  message: string;
  placeholder: string;
  send: string;
  /** Shown near the length limit: `{count}` characters left, or too many. */
  charactersLeft: string;
  charactersOver: string;
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
  /** A visitor message that could not be sent, and what to do about it. */
  failed: string;
  failedHelp: string;
  retry: string;
  offline: string;
  /** A tool the conversation waits for cannot be reached; it is retried. */
  stalled: string;
  /** Shown once a person has been asked to take over. */
  handoff: string;
  ended: string;
  startAgain: string;
  loading: string;
  /** The chat could not start (the flow could not be loaded). */
  unavailable: string;
  /** The conversation lives in memory only (private browsing, storage refused). */
  memoryOnly: string;
  /** The assistant changed: the conversation continued, or had to start over. */
  flowUpdated: string;
  flowRestarted: string;
  /** A card's copy button (named `{copy} {field label}`, then `{copied} {field label}`), and what it says when the clipboard refuses. */
  copy: string;
  copied: string;
  copyFailed: string;
  /** Read after a card's link buttons. */
  newTab: string;
  /** Who said what, for screen readers. */
  you: string;
  bot: string;
}

export const defaultStrings: UiStrings = {
  openChat: 'Open chat',
  unreadOne: '1 new message',
  unreadMany: '{count} new messages',
  dismiss: 'Dismiss',
  closeChat: 'Close chat',
  title: 'Chat',
  restart: 'Start over',
  restartQuestion: 'Start over? This conversation will be cleared.',
  restartConfirm: 'Yes, start over',
  cancel: 'Cancel',
  message: 'Message',
  placeholder: 'Type a message…',
  send: 'Send',
  charactersLeft: '{count} characters left',
  charactersOver: '{count} characters too many',
  transcript: 'Conversation',
  quickReplies: 'Quick replies',
  typing: 'Typing…',
  queued: 'Queued — will send when the connection is back',
  sending: 'Sending…',
  sent: 'Sent',
  failed: 'Not sent.',
  failedHelp: 'Check your connection and try again.',
  retry: 'Retry',
  offline: 'You are offline. Your messages will be sent when the connection is back.',
  stalled: 'Our system is not answering yet. We keep trying, and your conversation is saved.',
  handoff: 'A member of our staff will take it from here.',
  ended: 'This conversation has ended.',
  startAgain: 'Start a new conversation',
  loading: 'Loading…',
  unavailable: 'The chat is unavailable right now. Please try again later.',
  memoryOnly: 'This conversation will not be kept if you leave the page.',
  flowUpdated: 'The assistant was updated; your conversation continues.',
  flowRestarted: 'The assistant was updated and this conversation had to start over.',
  copy: 'Copy',
  copied: 'Copied',
  copyFailed: 'Could not copy: the text is selected, copy it with your keyboard.',
  newTab: '(opens in a new tab)',
  you: 'You',
  bot: 'Assistant',
};

/** `template` with `{count}` replaced by the number, written the language's way. */
export function withCount(template: string, count: number, language?: string): string {
  return template.replace('{count}', count.toLocaleString(language));
}

/**
 * The UI language: the first of the widget's option, the page's `lang`
 * and the browser's languages that is given (BCP 47, kept whole so `fr-CA`
 * and `ar-EG` reach `lang` and the direction).
 */
export function chooseLanguage(option: string | undefined, pageLanguage: string | undefined, browserLanguages: readonly string[]): string {
  return [option, pageLanguage, ...browserLanguages].find((tag): tag is string => typeof tag === 'string' && tag.trim() !== '')?.trim() ?? 'en';
}

const RIGHT_TO_LEFT = new Set(['ar', 'arc', 'ckb', 'dv', 'fa', 'ha', 'he', 'iw', 'ks', 'ps', 'sd', 'ug', 'ur', 'yi']);

/** The writing direction of a BCP 47 language tag (`ar-EG` → `rtl`). */
export function directionOf(language: string | undefined): 'ltr' | 'rtl' {
  if (!language) return 'ltr';
  const tag = language.toLowerCase();
  if (/-(arab|hebr|thaa|syrc|nkoo|adlm|rohg)\b/.test(tag)) return 'rtl';
  return RIGHT_TO_LEFT.has(tag.split(/[-_]/)[0] ?? '') ? 'rtl' : 'ltr';
}
