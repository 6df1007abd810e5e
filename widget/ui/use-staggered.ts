/**
 * Several bot messages that arrive together are revealed one after another,
 * `delayMs` apart, so the visitor can follow them; the first is never
 * delayed, and nothing already shown when the widget mounts is replayed.
 */
import { useLayoutEffect, useRef, useState } from 'preact/hooks';
import type { ChatMessage } from '../chat-types.ts';

export const STAGGER_MS = 450;

/** How many of `messages` to show now. */
export function useStaggered(messages: readonly ChatMessage[], delayMs = STAGGER_MS): number {
  const [visible, setVisible] = useState(messages.length);
  const lastRevealAt = useRef(0);
  useLayoutEffect(() => {
    if (visible > messages.length) {
      setVisible(messages.length);
      return;
    }
    if (visible === messages.length) return;
    const next = messages[visible] as ChatMessage;
    const previous = messages[visible - 1];
    const reveal = () => {
      lastRevealAt.current = Date.now();
      setVisible((count) => Math.min(count + 1, messages.length));
    };
    const wait = next.role === 'bot' && previous?.role === 'bot' ? lastRevealAt.current + delayMs - Date.now() : 0;
    if (wait <= 0) {
      reveal();
      return;
    }
    const timer = setTimeout(reveal, wait);
    return () => clearTimeout(timer);
  }, [messages, visible, delayMs]);
  return Math.min(visible, messages.length);
}
