/** @jsxImportSource preact */
import type { RefObject } from 'preact';
import { useLayoutEffect, useState } from 'preact/hooks';
import { SendIcon } from './icons.tsx';
import { withCount, type UiStrings } from './strings.ts';

/** The longest message the widget sends; the counter appears in the last `COUNTER_FROM` characters. */
export const MAX_MESSAGE_LENGTH = 2000;
const COUNTER_FROM = 200;

export interface ComposerProps {
  strings: UiStrings;
  language: string;
  /** The chat cannot take a message now (loading, ended). */
  disabled: boolean;
  inputRef: RefObject<HTMLTextAreaElement | null>;
  onSend: (text: string) => void;
}

/** Browsers without `field-sizing: content` grow the box from its scroll height. */
function sizesItself(): boolean {
  return typeof CSS !== 'undefined' && typeof CSS.supports === 'function' && CSS.supports('field-sizing', 'content');
}

/**
 * The message box: grows with its text (up to a few lines), Enter sends and
 * Shift+Enter starts a new line, Send is enabled only when there is
 * something to send, and a counter warns near the length limit instead of
 * cutting the text.
 */
export function Composer({ strings, language, disabled, inputRef, onSend }: ComposerProps) {
  const [draft, setDraft] = useState('');
  const text = draft.trim();
  const left = MAX_MESSAGE_LENGTH - draft.length;
  const canSend = !disabled && text !== '' && left >= 0;

  useLayoutEffect(() => {
    const box = inputRef.current;
    if (!box || sizesItself()) return;
    box.style.height = 'auto';
    box.style.height = `${box.scrollHeight + 3}px`;
  }, [draft]);

  const send = () => {
    if (!canSend) return;
    setDraft('');
    onSend(text);
  };

  return (
    <form
      class="composer"
      onSubmit={(event) => {
        event.preventDefault();
        send();
      }}
    >
      <div class="field">
        <textarea
          ref={inputRef}
          rows={1}
          aria-label={strings.message}
          aria-describedby={left <= COUNTER_FROM ? 'statechat-counter' : undefined}
          placeholder={strings.placeholder}
          autocomplete="off"
          enterkeyhint="send"
          disabled={disabled}
          value={draft}
          onInput={(event) => setDraft(event.currentTarget.value)}
          onKeyDown={(event) => {
            if (event.key === 'Enter' && !event.shiftKey && !event.isComposing) {
              event.preventDefault();
              send();
            }
          }}
        />
        {left <= COUNTER_FROM && (
          <span class="counter" id="statechat-counter" data-over={left < 0 ? '' : undefined}>
            {left < 0 ? withCount(strings.charactersOver, -left, language) : withCount(strings.charactersLeft, left, language)}
          </span>
        )}
      </div>
      <button type="submit" class="send" aria-label={strings.send} title={strings.send} disabled={!canSend}>
        <SendIcon />
      </button>
    </form>
  );
}
