/** @jsxImportSource preact */
import { useEffect, useLayoutEffect, useMemo, useRef, useState } from 'preact/hooks';
import type { RenderedChoice } from '../engine/types.ts';
import type { Chat, ChatMessage, ChatState } from '../chat-types.ts';
import { Composer } from './composer.tsx';
import { ChatIcon, CloseIcon, RestartIcon } from './icons.tsx';
import { keepFocusInside, useScrollLock, useSmallScreen } from './phone-modal.ts';
import { withCount, type UiStrings } from './strings.ts';
import { Transcript } from './transcript.tsx';
import { useStaggered } from './use-staggered.ts';
import type { PreviewBubble } from './preview-bubble.ts';
import { writeView } from './view-memory.ts';

/** Who the bot is: shown in the panel's header and read before its messages. */
export interface BotIdentity {
  /** Default: the panel's title. */
  name?: string;
  /** An image URL (absolute, or relative to the page). */
  avatar?: string;
  /** A line under the title ("Usually replies at once"). */
  subtitle?: string;
}

export interface ChatWidgetProps {
  chat: Chat;
  open: boolean;
  onOpenChange: (open: boolean) => void;
  strings: UiStrings;
  /** The panel's heading; default: the bot's name, the flow's name, then `strings.title`. */
  title?: string | undefined;
  bot?: BotIdentity | undefined;
  /** Show the time under each message. */
  timestamps?: boolean | undefined;
  /** Show the latest unread bot message in a bubble beside the closed launcher. */
  preview?: boolean | undefined;
  /** Where the open state and the last seen message are remembered (per tab, across reloads). */
  namespace: string;
  /** Adopts a stylesheet (the preview bubble's) into the widget's shadow root. */
  adoptSheet: (root: ShadowRoot, name: string, css: string) => void;
  /** The last message seen before this page loaded (remembered under `namespace`). */
  seen: string | null;
  dir: 'ltr' | 'rtl';
  language: string;
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

/** Bot messages after the last one the visitor saw. */
function unreadAfter(messages: readonly ChatMessage[], seen: string | null): ChatMessage[] {
  const index = seen === null ? -1 : messages.findIndex((message) => message.id === seen);
  return messages.slice(index + 1).filter((message) => message.role === 'bot' || message.role === 'agent');
}

/** The launcher and, when open, the panel. Renders `chat`'s state and calls its methods; holds no conversation state. */
export function ChatWidget(props: ChatWidgetProps) {
  const { chat, open, strings, language } = props;
  const state = useChatState(chat);
  const launcherRef = useRef<HTMLButtonElement>(null);
  const inputRef = useRef<HTMLTextAreaElement>(null);
  const logRef = useRef<HTMLDivElement>(null);
  const panelRef = useRef<HTMLElement>(null);
  const cancelRef = useRef<HTMLButtonElement>(null);
  const startAgainRef = useRef<HTMLButtonElement>(null);
  const wasOpen = useRef(open);
  const returnFocus = useRef(false);
  const small = useSmallScreen();
  const [confirming, setConfirming] = useState(false);
  const shown = useStaggered(state.messages, state.ready);
  const messages = shown === state.messages.length ? state.messages : state.messages.slice(0, shown);

  // ---- closed but alive: the last seen message, remembered with the open state --------------
  const [seen, setSeen] = useState(props.seen);
  // The bubble is a separate chunk: pages without a preview never load it.
  const previewSlot = useRef<HTMLDivElement>(null);
  const [preview, setPreview] = useState<PreviewBubble | null>(null);
  useEffect(() => {
    const slot = previewSlot.current;
    if (!props.preview || !slot) return;
    import('./preview-bubble.ts').then((module) => {
      props.adoptSheet(slot.getRootNode() as ShadowRoot, 'preview', module.previewCss);
      setPreview(module.createPreviewBubble(slot, strings.dismiss, () => props.onOpenChange(true)));
    }, props.onError);
  }, [props.preview]);
  const lastId = state.messages.at(-1)?.id ?? null;
  const known = seen !== null && state.messages.some((message) => message.id === seen);
  useEffect(() => {
    if (!state.ready) return;
    // Open, a first visit, or a new conversation: everything there is counts as seen.
    if ((open || !known) && seen !== lastId) setSeen(lastId);
  }, [open, state.ready, lastId, known]);
  useEffect(() => writeView(props.namespace, { open, seen }), [open, seen, props.namespace]);
  const unread = open || !known ? [] : unreadAfter(state.messages, seen);
  const latestUnread = unread.at(-1);
  useEffect(() => preview?.show(latestUnread?.id ?? null, latestUnread?.text ?? ''), [preview, latestUnread?.id]);
  const launcherName =
    unread.length === 0 ? strings.openChat : `${strings.openChat}, ${unread.length === 1 ? strings.unreadOne : withCount(strings.unreadMany, unread.length, language)}`;

  // A layout effect: focus moves in the same frame the launcher is hidden, so it is never lost to the page.
  // On phones the panel itself takes focus: focusing the message box would pop the keyboard over the conversation.
  useLayoutEffect(() => {
    if (open && !wasOpen.current) {
      const input = inputRef.current;
      (input && !input.disabled && !small ? input : panelRef.current)?.focus();
    }
    if (!open && wasOpen.current && returnFocus.current) launcherRef.current?.focus();
    if (!open) setConfirming(false);
    returnFocus.current = false;
    wasOpen.current = open;
  }, [open]);

  useLayoutEffect(() => {
    const log = logRef.current;
    if (log) log.scrollTop = log.scrollHeight;
  }, [open, shown, state.busy, state.messages[state.messages.length - 1]?.status]);

  useScrollLock(open && small);

  // After the end the visitor may still write: small talk is answered, anything else offers a new start.
  const canType = state.ready && (state.phase === 'active' || state.phase === 'ended');
  const title = props.title ?? props.bot?.name ?? state.flow?.name ?? strings.title;
  const lastUser = state.messages.filter((message) => message.role === 'user').at(-1);
  // Honest: dots only while an answer is really coming (not offline, not failed, not waiting on a stalled tool).
  const typing = (state.busy && state.online && state.stalled === null && lastUser?.status !== 'failed') || shown < state.messages.length;
  const choices = canType && !typing ? state.choices : [];
  // An image URL from the page's own configuration (an image cannot run script, whatever its URL).
  const avatar = props.bot?.avatar;
  const formatTime = useMemo(() => {
    if (!props.timestamps) return null;
    const format = new Intl.DateTimeFormat(language, { hour: 'numeric', minute: '2-digit' });
    return (at: number) => format.format(at);
  }, [props.timestamps, language]);

  // When the conversation ends, the message box is disabled and would drop focus to the page:
  // keep it in the panel, on "Start a new conversation" when there is one.
  // And when the panel opened before the chat was ready, the message box takes focus once it is.
  useLayoutEffect(() => {
    const panel = panelRef.current;
    if (!open || !panel) return;
    const active = (panel.getRootNode() as Document | ShadowRoot).activeElement;
    if (canType) {
      if (active === panel && !small) inputRef.current?.focus();
    } else if (!active || active === inputRef.current || !panel.contains(active)) {
      (startAgainRef.current ?? panel).focus();
    }
  }, [open, canType, state.phase]);

  useLayoutEffect(() => {
    if (confirming) cancelRef.current?.focus();
  }, [confirming]);

  const run = (work: Promise<void>) => {
    work.catch(props.onError);
  };
  const close = () => {
    returnFocus.current = true;
    props.onOpenChange(false);
  };
  const focusInput = () => {
    if (!small) inputRef.current?.focus();
  };
  const choose = (choice: RenderedChoice) => {
    run(chat.choose(choice));
    focusInput();
  };
  const restart = () => {
    setConfirming(false);
    run(chat.reset());
    focusInput();
  };

  return (
    <div class="root" dir={props.dir} lang={language} data-position={props.position}>
      {props.preview && <div ref={previewSlot} />}
      <button
        ref={launcherRef}
        type="button"
        class="launcher"
        aria-label={launcherName}
        aria-haspopup="dialog"
        aria-expanded={open}
        hidden={open}
        onClick={() => props.onOpenChange(true)}
      >
        <ChatIcon />
        {unread.length > 0 && (
          <span class="badge" aria-hidden="true">
            {unread.length > 9 ? '9+' : unread.length}
          </span>
        )}
      </button>
      {open && (
        <section
          ref={panelRef}
          class="panel"
          role="dialog"
          aria-modal={small ? 'true' : undefined}
          tabIndex={-1}
          aria-labelledby="statechat-title"
          onKeyDown={(event) => {
            if (small) keepFocusInside(event, event.currentTarget);
            if (event.key !== 'Escape') return;
            event.stopPropagation();
            if (confirming) setConfirming(false);
            else close();
          }}
        >
          <div class="header">
            <button type="button" class="icon-button" aria-label={strings.restart} title={strings.restart} aria-expanded={confirming} onClick={() => setConfirming(true)}>
              <RestartIcon />
            </button>
            {avatar && <img class="avatar" src={avatar} alt="" />}
            <div class="heading">
              <h2 class="title" id="statechat-title">
                {title}
              </h2>
              {props.bot?.subtitle && <span class="subtitle">{props.bot.subtitle}</span>}
            </div>
            <button type="button" class="icon-button" aria-label={strings.closeChat} title={strings.closeChat} onClick={close}>
              <CloseIcon />
            </button>
          </div>
          {confirming && (
            <div class="confirm" role="group" aria-labelledby="statechat-confirm">
              <p id="statechat-confirm">{strings.restartQuestion}</p>
              <button type="button" class="pill" onClick={restart}>
                {strings.restartConfirm}
              </button>
              <button ref={cancelRef} type="button" class="pill" onClick={() => setConfirming(false)}>
                {strings.cancel}
              </button>
            </div>
          )}
          {!state.online && (
            <p class="banner" role="status">
              {strings.offline}
            </p>
          )}
          {state.online && state.stalled && (
            <p class="banner" role="status">
              {strings.stalled}
            </p>
          )}
          {state.storage === 'memory' && state.ready && <p class="banner">{strings.memoryOnly}</p>}
          <Transcript
            state={state}
            messages={messages}
            strings={strings}
            botName={props.bot?.name ?? title}
            formatTime={formatTime}
            typing={typing}
            choices={choices}
            logRef={logRef}
            onChoose={choose}
            onRetry={(id) => run(chat.retry(id))}
          />
          {state.phase === 'ended' && (
            <div class="ended">
              <button ref={startAgainRef} type="button" class="pill" onClick={restart}>
                {strings.startAgain}
              </button>
            </div>
          )}
          <Composer strings={strings} language={language} disabled={!canType} inputRef={inputRef} onSend={(text) => run(chat.send(text))} />
        </section>
      )}
    </div>
  );
}
