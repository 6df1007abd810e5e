/**
 * On small screens the panel covers the page, so it behaves as a modal
 * dialog: `aria-modal`, Tab kept inside, the page behind it not scrolling.
 * The breakpoint is the stylesheet's full-screen one.
 */
import { useEffect, useState } from 'preact/hooks';

export const SMALL_SCREEN = '(max-width: 520px), (max-height: 520px)';

function matches(): boolean {
  return typeof matchMedia === 'function' && matchMedia(SMALL_SCREEN).matches;
}

/** True while the panel fills the screen. */
export function useSmallScreen(): boolean {
  const [small, setSmall] = useState(matches);
  useEffect(() => {
    if (typeof matchMedia !== 'function') return;
    const query = matchMedia(SMALL_SCREEN);
    const changed = () => setSmall(query.matches);
    query.addEventListener('change', changed);
    return () => query.removeEventListener('change', changed);
  }, []);
  return small;
}

/** Stops the page scrolling behind the panel while `active` (CSSOM, allowed under `style-src 'self'`). */
export function useScrollLock(active: boolean): void {
  useEffect(() => {
    if (!active) return;
    const root = document.documentElement;
    const before = root.style.overflow;
    root.style.overflow = 'hidden';
    return () => {
      root.style.overflow = before;
    };
  }, [active]);
}

const FOCUSABLE = 'button:not([disabled]), textarea:not([disabled]), input:not([disabled]), a[href], [tabindex]:not([tabindex="-1"])';

/** Tab from the last control goes to the first, Shift+Tab from the first to the last. */
export function keepFocusInside(event: KeyboardEvent, container: HTMLElement): void {
  if (event.key !== 'Tab') return;
  const controls = [...container.querySelectorAll<HTMLElement>(FOCUSABLE)].filter((control) => !control.closest('[hidden]'));
  const first = controls[0];
  const last = controls[controls.length - 1];
  if (!first || !last) return;
  const active = (container.getRootNode() as Document | ShadowRoot).activeElement;
  if (event.shiftKey && (active === first || active === container)) {
    event.preventDefault();
    last.focus();
  } else if (!event.shiftKey && active === last) {
    event.preventDefault();
    first.focus();
  }
}
