/** @jsxImportSource preact */
import type { ComponentChildren } from 'preact';
import { parseMarkdown, type Inline } from './markdown.ts';

function renderInline(nodes: Inline[]): ComponentChildren {
  return nodes.map((node) => {
    if (typeof node === 'string') return node;
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
