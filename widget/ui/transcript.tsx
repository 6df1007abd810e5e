/** @jsxImportSource preact */
import { Fragment, type RefObject } from 'preact';
import type { ChatMessage, ChatState } from '../chat-types.ts';
import type { RenderedChoice } from '../engine/types.ts';
import { Card } from './card.tsx';
import { NoBreakTokens, RichText } from './rich-text.tsx';
import type { UiStrings } from './strings.ts';

export interface TranscriptProps {
  state: ChatState;
  /** The messages shown so far (a burst of bot messages is revealed one by one). */
  messages: ChatMessage[];
  strings: UiStrings;
  /** Who the bot is, for screen readers ("Chez Statechat: …"). */
  botName: string;
  /** Formats a message's time, or null when timestamps are off. */
  formatTime: ((at: number) => string) | null;
  /** The typing indicator: only while an answer is really on its way. */
  typing: boolean;
  /** The current question's quick replies, shown under it (empty when the visitor cannot answer now). */
  choices: RenderedChoice[];
  logRef: RefObject<HTMLDivElement | null>;
  onChoose: (choice: RenderedChoice) => void;
  onRetry: (id: string) => void;
}

/** The last bot message that asked the current question: its quick replies are drawn under it. */
function questionIndex(messages: ChatMessage[]): number {
  for (let index = messages.length - 1; index >= 0; index -= 1) {
    const message = messages[index] as ChatMessage;
    if (message.role === 'user') return -1;
    if (message.role === 'bot' && message.choices && message.choices.length > 0) return index;
  }
  return -1;
}

const NOTICE_STRINGS: Record<string, keyof UiStrings> = {
  handoff: 'handoff',
  storage: 'memoryOnly',
  restarted: 'flowRestarted',
  'flow-updated': 'flowUpdated',
};

/** The conversation log: messages, each visitor message's status, the quick replies under their question, typing, the end. */
export function Transcript(props: TranscriptProps) {
  const { state, messages, strings, choices } = props;
  const question = choices.length > 0 ? questionIndex(messages) : -1;
  return (
    <div ref={props.logRef} class="log" role="log" aria-live="polite" aria-label={strings.transcript} tabIndex={0}>
      {!state.ready && state.phase !== 'error' && <p class="message notice">{strings.loading}</p>}
      {messages.map((message, index) => (
        <Fragment key={message.id}>
          <Message message={message} {...props} />
          {index === question && (
            <div class="choices" role="group" aria-label={strings.quickReplies}>
              {choices.map((choice) => (
                <button type="button" class="chip" key={choice.value} onClick={() => props.onChoose(choice)}>
                  {choice.label}
                </button>
              ))}
            </div>
          )}
        </Fragment>
      ))}
      {props.typing && (
        <div class="typing" role="status">
          <span aria-hidden="true" />
          <span aria-hidden="true" />
          <span aria-hidden="true" />
          <span class="sr-only">{strings.typing}</span>
        </div>
      )}
      {state.error && (
        <p class="message notice" role="alert">
          {strings.unavailable}
        </p>
      )}
      {state.phase === 'ended' && <p class="message notice" data-ended="">{strings.ended}</p>}
    </div>
  );
}

function Message(props: TranscriptProps & { message: ChatMessage }) {
  const { message, strings, formatTime } = props;
  const time = formatTime ? (
    <time class="meta" dateTime={new Date(message.at).toISOString()}>
      {formatTime(message.at)}
    </time>
  ) : null;
  if (message.role === 'notice') {
    const key = message.notice ? NOTICE_STRINGS[message.notice] : undefined;
    // Notices without a string of the UI's (a person joining or leaving a live handoff) come worded in the visitor's language.
    return (
      <p class="message notice" data-notice={message.notice}>
        {key ? strings[key] : message.text}
      </p>
    );
  }
  if (message.role !== 'user') {
    // A person's messages read like the bot's, under their name.
    const agent = message.role === 'agent';
    return (
      <div class={`message bot${agent ? ' agent' : ''}${message.card ? ' wide' : ''}`}>
        {agent ? (
          <span class="author">
            {message.author}
            <span class="sr-only">: </span>
          </span>
        ) : (
          <span class="sr-only">{props.botName}: </span>
        )}
        {message.card ? (
          <Card card={message.card} strings={strings} />
        ) : (
          <div class="bubble">
            <RichText text={message.text} />
          </div>
        )}
        {time}
      </div>
    );
  }
  const status = message.status ?? 'sent';
  return (
    <div class="message user" data-status={status} data-id={message.id}>
      <span class="sr-only">{strings.you}: </span>
      <div class="bubble">
        <NoBreakTokens text={message.text} />
      </div>
      <UserStatus {...props} status={status} />
      {time}
    </div>
  );
}

/** A visitor message's status in plain words, as its own phrase for screen readers, with what the visitor can do. */
function UserStatus({ message, status, state, strings, onRetry }: TranscriptProps & { message: ChatMessage; status: string }) {
  const failed = status === 'failed';
  const retryable = failed && message.error?.retryable !== false;
  const text = failed
    ? `${strings.failed}${retryable ? ` ${strings.failedHelp}` : ''}`
    : status === 'queued' || (status === 'pending' && !state.online)
      ? strings.queued
      : status === 'pending'
        ? strings.sending
      : status === 'sent'
        ? strings.sent
        : null;
  if (text === null) return null;
  return (
    <>
      {/* The full stop ends the message's own phrase, so "You: hello. Sent." is read as two. */}
      <span class="sr-only">. </span>
      <p class={failed ? 'status failed' : 'status'}>
        <span>{text}</span>
        {retryable && (
          <button type="button" class="link-button" onClick={() => onRetry(message.id)}>
            {strings.retry}
          </button>
        )}
      </p>
    </>
  );
}
