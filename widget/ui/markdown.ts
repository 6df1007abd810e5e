/**
 * The markdown the widget understands in bot messages, and nothing more:
 * `**bold**`, `*italic*` / `_italic_`, and `[label](url)` links whose URL is
 * absolute http(s), mailto or tel. Everything else stays literal text. The
 * result is data that the UI turns into Preact nodes, so no string is ever
 * parsed as HTML.
 *
 * @example
 * parseMarkdown('See **our menu** at [the site](https://example.com)')
 * // ['See ', { type: 'strong', children: ['our menu'] }, ' at ', { type: 'link', href: 'https://example.com/', children: ['the site'] }]
 */
export type Inline =
  | string
  | { type: 'strong'; children: Inline[] }
  | { type: 'em'; children: Inline[] }
  | { type: 'link'; href: string; children: Inline[] };

const SAFE_PROTOCOLS = new Set(['http:', 'https:', 'mailto:', 'tel:']);

/** The normalised URL when it is absolute and of a safe scheme; otherwise null. */
export function safeHref(raw: string): string | null {
  let url: URL;
  try {
    url = new URL(raw.trim());
  } catch {
    return null;
  }
  return SAFE_PROTOCOLS.has(url.protocol) ? url.href : null;
}

// Bold before italic so `**` is never read as two empty emphases. A link's URL
// may not contain spaces or parentheses, which keeps `[a](b) (c)` unambiguous.
const TOKEN = /\*\*(?=\S)([\s\S]*?\S)\*\*|\*(?=[^\s*])([\s\S]*?[^\s*])\*|(?<![\p{L}\p{N}_])_(?=\S)([\s\S]*?\S)_(?![\p{L}\p{N}_])|\[([^\]\n]+)\]\(([^()\s]+)\)/u;

function parse(text: string, allowLinks: boolean, depth: number): Inline[] {
  const out: Inline[] = [];
  let rest = text;
  while (rest.length > 0) {
    const match = depth < 4 ? TOKEN.exec(rest) : null;
    if (!match) {
      push(out, rest);
      break;
    }
    push(out, rest.slice(0, match.index));
    const [whole, bold, star, underscore, label, href] = match;
    if (bold !== undefined) {
      out.push({ type: 'strong', children: parse(bold, allowLinks, depth + 1) });
    } else if (star !== undefined || underscore !== undefined) {
      out.push({ type: 'em', children: parse((star ?? underscore) as string, allowLinks, depth + 1) });
    } else {
      const safe = allowLinks && href !== undefined ? safeHref(href) : null;
      if (safe && label !== undefined) out.push({ type: 'link', href: safe, children: parse(label, false, depth + 1) });
      else push(out, whole);
    }
    rest = rest.slice(match.index + whole.length);
  }
  return out;
}

function push(out: Inline[], text: string): void {
  if (text.length === 0) return;
  const last = out.length - 1;
  if (typeof out[last] === 'string') out[last] = (out[last] as string) + text;
  else out.push(text);
}

export function parseMarkdown(text: string): Inline[] {
  return parse(text, true, 0);
}
