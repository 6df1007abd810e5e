/**
 * Several bot messages that arrive together are revealed one after another,
 * `delayMs` apart, so the visitor can follow them; the first is never
 * delayed, and history is never replayed: what is there when the widget
 * mounts, and what arrives with the conversation while it loads (a reload
 * restoring it, a tab joining it), is shown at once.
 */
import { useLayoutEffect, useRef, useState } from 'preact/hooks';
import type { ChatMessage } from '../chat-types.ts';

export const STAGGER_MS = 450;

/** How many of `messages` to show now; `ready` is false while the conversation loads. */
export function useStaggered(messages: readonly ChatMessage[], ready = true, delayMs = STAGGER_MS): number {
  const [visible, setVisible] = useState(messages.length);
  const lastRevealAt = useRef(0);
  const wasReady = useRef(ready);
  // Loading, or loaded by this very render: history (found by the chaos run in Chromium, issue #16).
  const loading = !wasReady.current;
  useLayoutEffect(() => {
    if (!wasReady.current) {
      wasReady.current = ready;
      setVisible(messages.length);
      return;
    }
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
  }, [messages, visible, delayMs, ready]);
  return loading ? messages.length : Math.min(visible, messages.length);
}
