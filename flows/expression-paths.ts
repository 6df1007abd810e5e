/**
 * `pathsOf`: what an expression reads, for the flow loader's lint. Apart
 * from `expression.ts`, whose parser and evaluator the widget runs, so that
 * the widget's bundle leaves it out.
 */
import type { Expression, ExpressionRoot } from './expression.ts';

/** Every `root.name` an expression reads, for the lint (unknown slots and so on). */
export function pathsOf(expression: Expression): { root: ExpressionRoot; keys: (string | number)[] }[] {
  switch (expression.kind) {
    case 'literal':
      return [];
    case 'path':
      return [{ root: expression.root, keys: expression.keys }];
    case 'not':
    case 'negate':
      return pathsOf(expression.operand);
    case 'and':
    case 'or':
    case 'binary':
      return [...pathsOf(expression.left), ...pathsOf(expression.right)];
    case 'call':
      return expression.args.flatMap(pathsOf);
  }
}
