import { describe, expect, it } from 'vitest';
import { parseMarkdown, safeHref, type Inline } from '../../widget/ui/markdown.ts';
import { directionOf } from '../../widget/ui/strings.ts';

describe('parseMarkdown', () => {
  it('reads bold, italic and links', () => {
    expect(parseMarkdown('a **b** *c* _d_ [e](https://example.com/x)')).toEqual([
      'a ',
      { type: 'strong', children: ['b'] },
      ' ',
      { type: 'em', children: ['c'] },
      ' ',
      { type: 'em', children: ['d'] },
      ' ',
      { type: 'link', href: 'https://example.com/x', children: ['e'] },
    ]);
  });

  it('nests emphasis inside bold and link labels, but not links in links', () => {
    expect(parseMarkdown('**a _b_**')).toEqual([{ type: 'strong', children: ['a ', { type: 'em', children: ['b'] }] }]);
    expect(parseMarkdown('[**x**](https://a.example)')).toEqual([{ type: 'link', href: 'https://a.example/', children: [{ type: 'strong', children: ['x'] }] }]);
    const linkInLink = (nodes: Inline[], inLink: boolean): boolean =>
      nodes.some((node) => typeof node !== 'string' && ((inLink && node.type === 'link') || linkInLink(node.children, inLink || node.type === 'link')));
    expect(linkInLink(parseMarkdown('[a [b](https://b.example)](https://a.example)'), false)).toBe(false);
  });

  it('accepts mailto and tel links and keeps every other scheme as text', () => {
    expect(parseMarkdown('[mail](mailto:hi@example.com)')).toEqual([{ type: 'link', href: 'mailto:hi@example.com', children: ['mail'] }]);
    expect(parseMarkdown('[call](tel:+15551234)')).toEqual([{ type: 'link', href: 'tel:+15551234', children: ['call'] }]);
    for (const href of ['javascript:alert(1)', 'JaVaScRiPt:alert(1)', 'data:text/html,<script>alert(1)</script>', 'vbscript:x', '/relative', '//evil.example', 'java\tscript:alert(1)']) {
      const parsed = parseMarkdown(`[x](${href})`);
      expect(parsed.some((node) => typeof node !== 'string' && node.type === 'link')).toBe(false);
    }
  });

  it('leaves ordinary text, snake_case and arithmetic alone', () => {
    expect(parseMarkdown('2 * 3 * 4')).toEqual(['2 * 3 * 4']);
    expect(parseMarkdown('party_size_max')).toEqual(['party_size_max']);
    expect(parseMarkdown('<b>not html</b>')).toEqual(['<b>not html</b>']);
    expect(parseMarkdown('')).toEqual([]);
  });

  it('normalises safe URLs', () => {
    expect(safeHref(' https://example.com ')).toBe('https://example.com/');
    expect(safeHref('javascript:alert(1)')).toBeNull();
  });
});

describe('directionOf', () => {
  it('knows right-to-left languages and scripts', () => {
    expect(directionOf('ar')).toBe('rtl');
    expect(directionOf('he-IL')).toBe('rtl');
    expect(directionOf('fa_IR')).toBe('rtl');
    expect(directionOf('az-Arab')).toBe('rtl');
    expect(directionOf('en-US')).toBe('ltr');
    expect(directionOf(undefined)).toBe('ltr');
  });
});
