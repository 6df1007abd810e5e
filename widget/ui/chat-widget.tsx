/** @jsxImportSource preact */
import { useEffect, useLayoutEffect, useRef, useState } from 'preact/hooks';
import type { RenderedChoice } from '../engine/types.ts';
import type { Chat, ChatMessage, ChatState } from '../chat-types.ts';
import { ChatIcon, CloseIcon, RestartIcon, SendIcon } from './icons.tsx';
import { RichText } from './rich-text.tsx';
import type { UiStrings } from './strings.ts';

export interface ChatWidgetProps {
  chat: Chat;
  open: boolean;
  onOpenChange: (open: boolean) => void;
  strings: UiStrings;
  /** The panel's heading; default: the flow's name, then `strings.title`. */
  title?: string | undefined;
  dir: 'ltr' | 'rtl';
  language?: string | undefined;
  position: 'left' | 'right';
  /** Where rejected promises from the controller go (a bug, not network trouble: the chat reports that in its state). */
  onError: (error: unknown) => void;
}

function useChatState(chat: Chat): ChatState {
  const [state, setState] = useState(() => chat.getState());
  useEffect(() => {
    setState(chat.getState());
    return chat.subscribe(setState);
  }, [chat]);
  return state;
}

/** The launcher and, when open, the panel. Renders `chat`'s state and calls its methods; holds no conversation state. */
export function ChatWidget(props: ChatWidgetProps) {
  const { chat, open, strings } = props;
  const state = useChatState(chat);
  const [draft, setDraft] = useState('');
  const launcherRef = useRef<HTMLButtonElement>(null);
  const inputRef = useRef<HTMLInputElement>(null);
  const logRef = useRef<HTMLDivElement>(null);
  const wasOpen = useRef(open);
  const returnFocus = useRef(false);

  const panelRef = useRef<HTMLElement>(null);

  // A layout effect: focus moves in the same frame the launcher is hidden, so it is never lost to the page.
  useLayoutEffect(() => {
    if (open && !wasOpen.current) {
      const input = inputRef.current;
      (input && !input.disabled ? input : panelRef.current)?.focus();
    }
    if (!open && wasOpen.current && returnFocus.current) launcherRef.current?.focus();
    returnFocus.current = false;
    wasOpen.current = open;
  }, [open]);

  useLayoutEffect(() => {
    const log = logRef.current;
    if (log) log.scrollTop = log.scrollHeight;
  }, [open, state.messages.length, state.busy, state.messages[state.messages.length - 1]?.status]);

  // After the end the visitor may still write: small talk is answered, anything else offers a new start.
  const canType = state.ready && (state.phase === 'active' || state.phase === 'ended');
  const title = props.title ?? state.flow?.name ?? strings.title;
  const showChoices = canType && !state.busy && state.choices.length > 0;

  const startAgainRef = useRef<HTMLButtonElement>(null);
  // When the message box is disabled (the chat is not ready, or failed) it would drop focus to the
  // page: keep it in the panel, on "Start a new conversation" when there is one.
  // And when the panel opened before the chat was ready, the message box takes focus once it is.
  useLayoutEffect(() => {
    const panel = panelRef.current;
    if (!open || !panel) return;
    const active = (panel.getRootNode() as Document | ShadowRoot).activeElement;
    if (canType) {
      if (active === panel) inputRef.current?.focus();
    } else if (!active || active === inputRef.current || !panel.contains(active)) {
      (startAgainRef.current ?? panel).focus();
    }
  }, [open, canType, state.phase]);

  const run = (work: Promise<void>) => {
    work.catch(props.onError);
  };
  const close = () => {
    returnFocus.current = true;
    props.onOpenChange(false);
  };
  const focusInput = () => inputRef.current?.focus();

  const submit = (event: Event) => {
    event.preventDefault();
    const text = draft.trim();
    if (!text || !canType) return;
    setDraft('');
    run(chat.send(text));
  };
  const choose = (choice: RenderedChoice) => {
    run(chat.choose(choice));
    focusInput();
  };
  const restart = () => {
    run(chat.reset());
    focusInput();
  };

  return (
    <div class="root" dir={props.dir} lang={props.language} data-position={props.position}>
      <button
        ref={launcherRef}
        type="button"
        class="launcher"
        aria-label={strings.openChat}
        aria-haspopup="dialog"
        aria-expanded={open}
        hidden={open}
        onClick={() => props.onOpenChange(true)}
      >
        <ChatIcon />
      </button>
      {open && (
        <section
          ref={panelRef}
          class="panel"
          role="dialog"
          tabIndex={-1}
          aria-labelledby="statechat-title"
          onKeyDown={(event) => {
            if (event.key === 'Escape') {
              event.stopPropagation();
              close();
            }
          }}
        >
          <div class="header">
            <h2 class="title" id="statechat-title">
              {title}
            </h2>
            <button type="button" class="icon-button" aria-label={strings.restart} title={strings.restart} onClick={restart}>
              <RestartIcon />
            </button>
            <button type="button" class="icon-button" aria-label={strings.closeChat} title={strings.closeChat} onClick={close}>
              <CloseIcon />
            </button>
          </div>
          {!state.online && (
            <p class="banner" role="status">
              {strings.offline}
            </p>
          )}
          {state.storage === 'memory' && state.ready && <p class="banner">{strings.memoryOnly}</p>}
          {state.handoff && (
            <p class="banner" role="status">
              {strings.handoff}
            </p>
          )}
          <div ref={logRef} class="log" role="log" aria-live="polite" aria-label={strings.transcript} tabIndex={0}>
            {!state.ready && state.phase !== 'error' && <p class="message notice">{strings.loading}</p>}
            {state.messages.map((message) => (
              <Message key={message.id} message={message} online={state.online} strings={strings} onRetry={(id) => run(chat.retry(id))} />
            ))}
            {state.busy && (
              <div class="typing" role="status">
                <span aria-hidden="true" />
                <span aria-hidden="true" />
                <span aria-hidden="true" />
                <span class="sr-only">{strings.typing}</span>
              </div>
            )}
            {state.error && (
              <p class="message notice" role="alert">
                {state.error.message}
              </p>
            )}
          </div>
          {showChoices && (
            <div class="choices" role="group" aria-label={strings.quickReplies}>
              {state.choices.map((choice) => (
                <button type="button" class="chip" key={choice.value} onClick={() => choose(choice)}>
                  {choice.label}
                </button>
              ))}
            </div>
          )}
          {state.phase === 'ended' && (
            <div class="ended">
              <span>{strings.ended}</span>
              <button ref={startAgainRef} type="button" onClick={restart}>
                {strings.startAgain}
              </button>
            </div>
          )}
          <form class="composer" onSubmit={submit}>
            <input
              ref={inputRef}
              type="text"
              aria-label={strings.message}
              placeholder={strings.placeholder}
              autocomplete="off"
              enterkeyhint="send"
              maxLength={2000}
              disabled={!canType}
              value={draft}
              onInput={(event) => setDraft(event.currentTarget.value)}
            />
            <button type="submit" class="send" aria-label={strings.send} title={strings.send} disabled={!canType}>
              <SendIcon />
            </button>
          </form>
        </section>
      )}
    </div>
  );
}

interface MessageProps {
  message: ChatMessage;
  online: boolean;
  strings: UiStrings;
  onRetry: (id: string) => void;
}

function Message({ message, online, strings, onRetry }: MessageProps) {
  if (message.role === 'notice') {
    return (
      <p class="message notice" data-notice={message.notice}>
        {message.text}
      </p>
    );
  }
  if (message.role === 'bot') {
    return (
      <div class="message bot">
        <span class="sr-only">{strings.bot}: </span>
        <div class="bubble">
          <RichText text={message.text} />
        </div>
      </div>
    );
  }
  const status = message.status ?? 'sent';
  return (
    <div class="message user" data-status={status} data-id={message.id}>
      <span class="sr-only">{strings.you}: </span>
      <div class="bubble">{message.text}</div>
      <UserStatus message={message} status={status} online={online} strings={strings} onRetry={onRetry} />
    </div>
  );
}

function UserStatus({ message, status, online, strings, onRetry }: MessageProps & { status: string }) {
  if (status === 'failed') {
    return (
      <div class="status failed">
        <span>
          {strings.failed}
          {message.error ? `: ${message.error.message}` : ''}
        </span>
        {message.error?.retryable !== false && (
          <button type="button" class="link-button" onClick={() => onRetry(message.id)}>
            {strings.retry}
          </button>
        )}
      </div>
    );
  }
  if (status === 'queued' || (status === 'pending' && !online)) return <div class="status">{strings.queued}</div>;
  if (status === 'pending') return <div class="status">{strings.sending}</div>;
  if (status === 'sent') return <div class="status">{strings.sent}</div>;
  return null;
}
