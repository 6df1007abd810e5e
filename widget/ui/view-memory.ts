/**
 * What the widget remembers about itself in this tab, across reloads
 * (`sessionStorage`, so another tab of the site does not open by itself):
 * whether the panel was open, and the last message the visitor has seen,
 * from which the launcher counts unread messages.
 */
export interface ViewMemory {
  open: boolean;
  /** The id of the last message shown while the panel was open. */
  seen: string | null;
}

function keyOf(namespace: string): string {
  return `statechat:view:${namespace}`;
}

function storage(): Storage | null {
  try {
    return typeof sessionStorage === 'undefined' ? null : sessionStorage;
  } catch {
    // Storage refused (sandboxed frame, privacy settings): the widget simply forgets.
    return null;
  }
}

export function readView(namespace: string): ViewMemory | null {
  try {
    const raw = storage()?.getItem(keyOf(namespace));
    if (!raw) return null;
    const parsed: unknown = JSON.parse(raw);
    if (parsed === null || typeof parsed !== 'object') return null;
    const { open, seen } = parsed as { open?: unknown; seen?: unknown };
    return { open: open === true, seen: typeof seen === 'string' ? seen : null };
  } catch {
    return null;
  }
}

export function writeView(namespace: string, view: ViewMemory): void {
  try {
    storage()?.setItem(keyOf(namespace), JSON.stringify(view));
  } catch {
    // Quota or refusal: remembering is a convenience.
  }
}
