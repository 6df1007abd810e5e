/**
 * Templates: text with `{{expression}}` holes (`"Table for {{ctx.partySize}}"`),
 * and assign values, where a string that is exactly one hole keeps the
 * expression's value and type (`"{{slot.partySize}}"` stores the number 4).
 */
import { evaluate, ExpressionError, parseExpression, toText, type Expression, type Scope } from './expression.ts';
import type { Json } from './types.ts';

export type TemplatePart = string | Expression;

export interface Template {
  parts: TemplatePart[];
  /** True when the template is exactly one `{{expression}}` and nothing else. */
  whole: boolean;
}

/** Parses `{{…}}` holes; an error's offset is relative to the whole string. */
export function parseTemplate(source: string): Template {
  const parts: TemplatePart[] = [];
  let position = 0;
  while (position < source.length) {
    const open = source.indexOf('{{', position);
    if (open === -1) {
      parts.push(source.slice(position));
      break;
    }
    if (open > position) parts.push(source.slice(position, open));
    const close = source.indexOf('}}', open + 2);
    if (close === -1) throw new ExpressionError('"{{" is never closed', open, 'close the expression with "}}"');
    try {
      parts.push(parseExpression(source.slice(open + 2, close)));
    } catch (error) {
      if (error instanceof ExpressionError) {
        throw new ExpressionError(error.message, open + 2 + error.offset, error.hint);
      }
      throw error;
    }
    position = close + 2;
  }
  return { parts, whole: parts.length === 1 && typeof parts[0] !== 'string' };
}

export function hasHoles(source: string): boolean {
  return source.includes('{{');
}

export function renderTemplate(template: Template, scope: Scope): string {
  let text = '';
  for (const part of template.parts) text += typeof part === 'string' ? part : toText(evaluate(part, scope));
  return text;
}

/** The value a template gives to an `assign` or a tool argument. */
export function templateValue(template: Template, scope: Scope): Json {
  if (template.whole) {
    const value = evaluate(template.parts[0] as Expression, scope);
    return value === undefined ? null : value;
  }
  return renderTemplate(template, scope);
}
