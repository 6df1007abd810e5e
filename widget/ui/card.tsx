/** @jsxImportSource preact */
import { useEffect, useRef, useState } from 'preact/hooks';
import { isCardUrl, type RenderedCard } from '../../flows/card.ts';
import { NoBreakTokens, RichText } from './rich-text.tsx';
import type { UiStrings } from './strings.ts';

/** How long "Copied" stays on the button. */
const COPIED_MS = 2000;

/**
 * A card from the flow (the booking confirmation): its title, a line of
 * text, the fields as a description list, and link buttons. A field marked
 * `copy` never wraps and has a copy button.
 */
export function Card({ card, strings }: { card: RenderedCard; strings: UiStrings }) {
  // The engine keeps only safe links; a stored card is checked again before it becomes a link.
  const buttons = card.buttons.filter((button) => isCardUrl(button.url));
  return (
    <div class="bubble card">
      <p class="card-title">{card.title}</p>
      {card.text && (
        <p>
          <RichText text={card.text} />
        </p>
      )}
      {card.fields.length > 0 && (
        <dl class="card-fields">
          {card.fields.map((field, index) => (
            <div key={index}>
              <dt>{field.label}</dt>
              <dd>{field.copy ? <CopyableValue label={field.label} value={field.value} strings={strings} /> : <NoBreakTokens text={field.value} />}</dd>
            </div>
          ))}
        </dl>
      )}
      {buttons.length > 0 && (
        <div class="card-actions">
          {buttons.map((button, index) => (
            <a class="chip" key={index} href={button.url} target="_blank" rel="noopener noreferrer">
              {button.label}
              <span class="sr-only"> {strings.newTab}</span>
            </a>
          ))}
        </div>
      )}
    </div>
  );
}

type CopyState = 'idle' | 'copied' | 'failed';

/** The value on one line, and a button that copies it, says so for a moment, and announces it. */
function CopyableValue({ label, value, strings }: { label: string; value: string; strings: UiStrings }) {
  const [state, setState] = useState<CopyState>('idle');
  const valueRef = useRef<HTMLElement>(null);
  const timer = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);
  useEffect(() => () => clearTimeout(timer.current), []);

  const copy = (): void => {
    const show = (next: CopyState): void => {
      setState(next);
      clearTimeout(timer.current);
      if (next === 'copied') timer.current = setTimeout(() => setState('idle'), COPIED_MS);
    };
    // No clipboard (a page on plain http, a refused permission): the value is selected, for Ctrl+C or the menu.
    const selectValue = (): void => {
      const node = valueRef.current;
      const selection = node?.ownerDocument.getSelection();
      if (node && selection) selection.selectAllChildren(node);
      show('failed');
    };
    const clipboard = typeof navigator === 'undefined' ? undefined : navigator.clipboard;
    if (!clipboard) {
      selectValue();
      return;
    }
    clipboard.writeText(value).then(() => show('copied'), selectValue);
  };

  return (
    <>
      <strong class="nobreak" ref={valueRef}>
        {value}
      </strong>
      {/* Named "Copy Reference", then "Copied Reference": the visible word leads the name. */}
      <button type="button" class="pill" data-state={state} onClick={copy}>
        {state === 'copied' ? strings.copied : strings.copy}
        <span class="sr-only"> {label}</span>
      </button>
      <span class={state === 'failed' ? 'copy-note' : 'sr-only'} role="status">
        {state === 'copied' ? strings.copied : state === 'failed' ? strings.copyFailed : ''}
      </span>
    </>
  );
}
