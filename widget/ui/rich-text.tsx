/** @jsxImportSource preact */
import type { ComponentChildren } from 'preact';
import { parseMarkdown, type Inline } from './markdown.ts';

/**
 * References (`AB-123456`, `R-20261201-1900-001`), phone numbers (`+44 20 7946 0958`,
 * `555-1234`) and dates written with hyphens: a line must never break inside
 * them, at a hyphen or a space. Bounded, so a long run cannot stretch a bubble.
 */
const UNBREAKABLE = /\b[\p{Lu}\d]+(?:-[\p{Lu}\d]+)+\b|\+?\(?\d[\d ().-]{4,22}\d/gu;

/** Text with its unbreakable tokens wrapped in `nobreak` spans. */
export function NoBreakTokens({ text }: { text: string }) {
  const parts: ComponentChildren[] = [];
  let last = 0;
  for (const match of text.matchAll(UNBREAKABLE)) {
    const index = match.index ?? 0;
    if (index > last) parts.push(text.slice(last, index));
    parts.push(<span class="nobreak">{match[0]}</span>);
    last = index + match[0].length;
  }
  if (last < text.length) parts.push(text.slice(last));
  return <>{parts}</>;
}

function renderInline(nodes: Inline[]): ComponentChildren {
  return nodes.map((node) => {
    if (typeof node === 'string') return <NoBreakTokens text={node} />;
    if (node.type === 'strong') return <strong>{renderInline(node.children)}</strong>;
    if (node.type === 'em') return <em>{renderInline(node.children)}</em>;
    return (
      <a href={node.href} target="_blank" rel="noopener noreferrer">
        {renderInline(node.children)}
      </a>
    );
  });
}

/** Bot text with the small markdown subset, as Preact nodes (never HTML). */
export function RichText({ text }: { text: string }) {
  return <>{renderInline(parseMarkdown(text))}</>;
}
