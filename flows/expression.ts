/**
 * The expression language of `when`, `validate`, `assign` and `{{templates}}`.
 *
 * Expressions are parsed into a small tree and interpreted; nothing is ever
 * handed to `eval` or `new Function`, so flows run under a strict
 * Content-Security-Policy. Only the roots `ctx`, `slot`, `result`, `event`
 * and `error` can be read, only through own properties of plain data, and the
 * names `__proto__`, `constructor` and `prototype` are refused when parsing.
 *
 * @example
 * ```ts
 * const expression = parseExpression('{{ctx.partySize}} > 8');
 * evaluate(expression, { ctx: { partySize: 10 } }); // true
 * ```
 */
import type { Json } from './types.ts';

export const EXPRESSION_ROOTS = ['ctx', 'slot', 'result', 'event', 'error'] as const;
export type ExpressionRoot = (typeof EXPRESSION_ROOTS)[number];

export type Scope = { readonly [root in ExpressionRoot]?: Json | undefined } & {
  /** The visitor's language (BCP 47), for `dateText` and `timeText`; not readable by expressions. */
  readonly language?: string;
  /** The engine's clock (epoch milliseconds), for `today()` and `timeNow()`; without it they are null. */
  readonly now?: number;
  /** The IANA time zone `today()` and `timeNow()` read the clock in (default UTC). */
  readonly timeZone?: string;
};

export type BinaryOperator = '==' | '!=' | '<' | '<=' | '>' | '>=' | '+' | '-' | '*' | '/' | '%';

export type Expression =
  | { kind: 'literal'; value: Json }
  | { kind: 'path'; root: ExpressionRoot; keys: (string | number)[] }
  | { kind: 'not'; operand: Expression }
  | { kind: 'negate'; operand: Expression }
  | { kind: 'and'; left: Expression; right: Expression }
  | { kind: 'or'; left: Expression; right: Expression }
  | { kind: 'binary'; operator: BinaryOperator; left: Expression; right: Expression }
  | { kind: 'call'; name: FunctionName; args: Expression[] };

/** Raised by `parseExpression`; `offset` is the position in the source. */
export class ExpressionError extends Error {
  override readonly name = 'ExpressionError';
  constructor(
    message: string,
    readonly offset: number,
    readonly hint?: string,
  ) {
    super(message);
  }
}

const FORBIDDEN_KEYS = new Set(['__proto__', 'constructor', 'prototype']);

type FunctionName = keyof typeof FUNCTIONS;

const DATE_VALUE = /^(\d{4})-(\d{2})-(\d{2})/;
const TIME_VALUE = /^(?:\d{4}-\d{2}-\d{2}T)?(\d{2}):(\d{2})/;
const MAX_FORMATS = 32;
const formats = new Map<string, Intl.DateTimeFormat>();

/** One formatter per language and style, built once (a formatter is costly to make, cheap to use). */
function formatter(language: string | undefined, kind: 'date' | 'time'): Intl.DateTimeFormat {
  const key = `${kind} ${language ?? ''}`;
  let format = formats.get(key);
  if (!format) {
    const options: Intl.DateTimeFormatOptions =
      kind === 'date' ? { weekday: 'long', day: 'numeric', month: 'long', timeZone: 'UTC' } : { hour: 'numeric', minute: '2-digit', timeZone: 'UTC' };
    try {
      format = new Intl.DateTimeFormat(language ?? 'en', options);
    } catch {
      format = new Intl.DateTimeFormat('en', options);
    }
    if (formats.size >= MAX_FORMATS) formats.clear();
    formats.set(key, format);
  }
  return format;
}

const MAX_FORMATTED = 256;
const formatted = new Map<string, string>();

/** Formatting is the costly part of a step that says a date, and a conversation says the same few many times. */
function remembered(kind: 'date' | 'time', language: string | undefined, value: string, format: () => string): string {
  const key = `${kind}\u0000${language ?? ''}\u0000${value}`;
  let text = formatted.get(key);
  if (text === undefined) {
    text = format();
    if (formatted.size >= MAX_FORMATTED) formatted.clear();
    formatted.set(key, text);
  }
  return text;
}

/** `2026-11-24` → "Tuesday, November 24" (in the visitor's language); anything else is left as it is. */
function dateText(value: Json | undefined, language: string | undefined): Json {
  const match = typeof value === 'string' ? DATE_VALUE.exec(value) : null;
  if (!match) return toText(value);
  const time = Date.UTC(Number(match[1]), Number(match[2]) - 1, Number(match[3]));
  return Number.isNaN(time) ? toText(value) : remembered('date', language, match[0], () => formatter(language, 'date').format(time));
}

/** `19:00` (or the time of a date-time) → "7:00 PM" / "19:00", as the visitor's language writes it. */
function timeText(value: Json | undefined, language: string | undefined): Json {
  const match = typeof value === 'string' ? TIME_VALUE.exec(value) : null;
  if (!match) return toText(value);
  const hours = Number(match[1]);
  const minutes = Number(match[2]);
  if (hours > 23 || minutes > 59) return toText(value);
  return remembered('time', language, `${match[1]}:${match[2]}`, () => formatter(language, 'time').format(Date.UTC(1970, 0, 1, hours, minutes)));
}

const clockFormats = new Map<string, Intl.DateTimeFormat>();

/** The clock's wall date and time in a time zone, as `YYYY-MM-DD` and `HH:MM`; an unknown zone reads as UTC. */
function wallClock(scope: Scope): { date: string; time: string } | null {
  if (scope.now === undefined || !Number.isFinite(scope.now)) return null;
  const zone = scope.timeZone ?? 'UTC';
  let format = clockFormats.get(zone);
  if (!format) {
    const options: Intl.DateTimeFormatOptions = { year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' };
    try {
      format = new Intl.DateTimeFormat('en-US', { ...options, timeZone: zone });
    } catch {
      format = new Intl.DateTimeFormat('en-US', { ...options, timeZone: 'UTC' });
    }
    if (clockFormats.size >= MAX_FORMATS) clockFormats.clear();
    clockFormats.set(zone, format);
  }
  const parts: Record<string, string> = {};
  for (const part of format.formatToParts(scope.now)) parts[part.type] = part.value;
  return { date: `${parts.year}-${parts.month}-${parts.day}`, time: `${parts.hour}:${parts.minute}` };
}

function isNumber(value: Json | undefined): value is number {
  return typeof value === 'number' && Number.isFinite(value);
}

function lengthOf(value: Json | undefined): Json {
  if (typeof value === 'string' || Array.isArray(value)) return value.length;
  if (value !== null && typeof value === 'object') return Object.keys(value).length;
  return 0;
}

/** The functions an expression may call: pure, total, and small. */
const FUNCTIONS = {
  len: { arity: [1, 1], run: (args: (Json | undefined)[]) => lengthOf(args[0]) },
  lower: { arity: [1, 1], run: (args: (Json | undefined)[]) => (typeof args[0] === 'string' ? args[0].toLowerCase() : null) },
  upper: { arity: [1, 1], run: (args: (Json | undefined)[]) => (typeof args[0] === 'string' ? args[0].toUpperCase() : null) },
  trim: { arity: [1, 1], run: (args: (Json | undefined)[]) => (typeof args[0] === 'string' ? args[0].trim() : null) },
  defined: { arity: [1, 1], run: (args: (Json | undefined)[]) => args[0] !== undefined && args[0] !== null },
  contains: {
    arity: [2, 2],
    run: (args: (Json | undefined)[]) => {
      const [haystack, needle] = args;
      if (typeof haystack === 'string' && typeof needle === 'string') return haystack.includes(needle);
      if (Array.isArray(haystack)) return haystack.some((item) => equals(item, needle));
      return false;
    },
  },
  number: {
    arity: [1, 1],
    run: (args: (Json | undefined)[]) => {
      const value = args[0];
      if (isNumber(value)) return value;
      if (typeof value === 'string' && value.trim() !== '') {
        const parsed = Number(value);
        return Number.isFinite(parsed) ? parsed : null;
      }
      return null;
    },
  },
  string: { arity: [1, 1], run: (args: (Json | undefined)[]) => toText(args[0]) },
  round: { arity: [1, 1], run: (args: (Json | undefined)[]) => (isNumber(args[0]) ? Math.round(args[0]) : null) },
  min: {
    arity: [1, 8],
    run: (args: (Json | undefined)[]) => (args.every(isNumber) ? Math.min(...(args as number[])) : null),
  },
  max: {
    arity: [1, 8],
    run: (args: (Json | undefined)[]) => (args.every(isNumber) ? Math.max(...(args as number[])) : null),
  },
  dateText: { arity: [1, 1], run: (args: (Json | undefined)[], scope?: Scope) => dateText(args[0], scope?.language) },
  timeText: { arity: [1, 1], run: (args: (Json | undefined)[], scope?: Scope) => timeText(args[0], scope?.language) },
  /** Today's date (`YYYY-MM-DD`) in the flow's time zone, from the engine's clock: `slot.date >= today()`. */
  today: { arity: [0, 0], run: (_args: (Json | undefined)[], scope?: Scope) => (scope ? (wallClock(scope)?.date ?? null) : null) },
  /** The time now (`HH:MM`, 24 h) in the flow's time zone, from the engine's clock. */
  timeNow: { arity: [0, 0], run: (_args: (Json | undefined)[], scope?: Scope) => (scope ? (wallClock(scope)?.time ?? null) : null) },
} satisfies Record<string, { arity: [number, number]; run: (args: (Json | undefined)[], scope?: Scope) => Json }>;

type Token =
  | { type: 'number'; value: number; offset: number }
  | { type: 'string'; value: string; offset: number }
  | { type: 'identifier'; value: string; offset: number }
  | { type: 'operator'; value: string; offset: number }
  | { type: 'end'; offset: number };

const OPERATORS = ['===', '!==', '==', '!=', '<=', '>=', '&&', '||', '{{', '}}', '<', '>', '!', '+', '-', '*', '/', '%', '(', ')', '.', ',', '[', ']'];

function tokenize(source: string): Token[] {
  const tokens: Token[] = [];
  let position = 0;
  while (position < source.length) {
    const character = source[position] as string;
    if (/\s/.test(character)) {
      position += 1;
      continue;
    }
    if (/[0-9]/.test(character)) {
      const match = /^[0-9]+(\.[0-9]+)?/.exec(source.slice(position)) as RegExpExecArray;
      tokens.push({ type: 'number', value: Number(match[0]), offset: position });
      position += match[0].length;
      continue;
    }
    if (character === '"' || character === "'") {
      let value = '';
      let cursor = position + 1;
      while (cursor < source.length && source[cursor] !== character) {
        if (source[cursor] === '\\' && cursor + 1 < source.length) cursor += 1;
        value += source[cursor];
        cursor += 1;
      }
      if (cursor >= source.length) throw new ExpressionError('unterminated string', position, `close it with ${character}`);
      tokens.push({ type: 'string', value, offset: position });
      position = cursor + 1;
      continue;
    }
    if (/[A-Za-z_$]/.test(character)) {
      const match = /^[A-Za-z_$][A-Za-z0-9_$]*/.exec(source.slice(position)) as RegExpExecArray;
      tokens.push({ type: 'identifier', value: match[0], offset: position });
      position += match[0].length;
      continue;
    }
    const operator = OPERATORS.find((candidate) => source.startsWith(candidate, position));
    if (operator === undefined) throw new ExpressionError(`unexpected character "${character}"`, position);
    tokens.push({ type: 'operator', value: operator, offset: position });
    position += operator.length;
  }
  tokens.push({ type: 'end', offset: source.length });
  return tokens;
}

const MAX_DEPTH = 64;

class Parser {
  #index = 0;
  #depth = 0;
  readonly #tokens: Token[];
  constructor(tokens: Token[]) {
    this.#tokens = tokens;
  }

  parse(): Expression {
    const expression = this.#parseOr();
    const token = this.#peek();
    if (token.type !== 'end') throw new ExpressionError(`unexpected ${describe(token)}`, token.offset);
    return expression;
  }

  #peek(): Token {
    return this.#tokens[this.#index] as Token;
  }

  #next(): Token {
    const token = this.#peek();
    if (token.type !== 'end') this.#index += 1;
    return token;
  }

  #isOperator(...values: string[]): boolean {
    const token = this.#peek();
    return (token.type === 'operator' && values.includes(token.value)) || (token.type === 'identifier' && values.includes(token.value));
  }

  #expect(value: string): void {
    const token = this.#next();
    if (token.type !== 'operator' || token.value !== value) {
      throw new ExpressionError(`expected "${value}" but found ${describe(token)}`, token.offset);
    }
  }

  #nested<T>(parse: () => T): T {
    this.#depth += 1;
    if (this.#depth > MAX_DEPTH) throw new ExpressionError('expression is nested too deeply', this.#peek().offset);
    try {
      return parse();
    } finally {
      this.#depth -= 1;
    }
  }

  #parseOr(): Expression {
    let left = this.#parseAnd();
    while (this.#isOperator('||', 'or')) {
      this.#next();
      left = { kind: 'or', left, right: this.#parseAnd() };
    }
    return left;
  }

  #parseAnd(): Expression {
    let left = this.#parseComparison();
    while (this.#isOperator('&&', 'and')) {
      this.#next();
      left = { kind: 'and', left, right: this.#parseComparison() };
    }
    return left;
  }

  #parseComparison(): Expression {
    let left = this.#parseAdditive();
    while (this.#isOperator('==', '!=', '===', '!==', '<', '<=', '>', '>=')) {
      const token = this.#next() as { value: string };
      const operator = (token.value === '===' ? '==' : token.value === '!==' ? '!=' : token.value) as BinaryOperator;
      left = { kind: 'binary', operator, left, right: this.#parseAdditive() };
    }
    return left;
  }

  #parseAdditive(): Expression {
    let left = this.#parseMultiplicative();
    while (this.#isOperator('+', '-')) {
      const operator = (this.#next() as { value: string }).value as BinaryOperator;
      left = { kind: 'binary', operator, left, right: this.#parseMultiplicative() };
    }
    return left;
  }

  #parseMultiplicative(): Expression {
    let left = this.#parseUnary();
    while (this.#isOperator('*', '/', '%')) {
      const operator = (this.#next() as { value: string }).value as BinaryOperator;
      left = { kind: 'binary', operator, left, right: this.#parseUnary() };
    }
    return left;
  }

  #parseUnary(): Expression {
    return this.#nested(() => {
      if (this.#isOperator('!', 'not')) {
        this.#next();
        return { kind: 'not', operand: this.#parseUnary() };
      }
      if (this.#isOperator('-')) {
        this.#next();
        return { kind: 'negate', operand: this.#parseUnary() };
      }
      return this.#parsePrimary();
    });
  }

  #parsePrimary(): Expression {
    const token = this.#next();
    switch (token.type) {
      case 'number':
        return { kind: 'literal', value: token.value };
      case 'string':
        return { kind: 'literal', value: token.value };
      case 'operator':
        if (token.value === '(' || token.value === '{{') {
          const inner = this.#nested(() => this.#parseOr());
          this.#expect(token.value === '(' ? ')' : '}}');
          return inner;
        }
        throw new ExpressionError(`unexpected ${describe(token)}`, token.offset);
      case 'identifier':
        return this.#parseIdentifier(token);
      case 'end':
        throw new ExpressionError('expression ends too early', token.offset);
    }
  }

  #parseIdentifier(token: { value: string; offset: number }): Expression {
    const name = token.value;
    if (name === 'true' || name === 'false') return { kind: 'literal', value: name === 'true' };
    if (name === 'null') return { kind: 'literal', value: null };
    if (this.#isOperator('(')) {
      if (!Object.hasOwn(FUNCTIONS, name)) {
        throw new ExpressionError(`unknown function "${name}"`, token.offset, suggest(name, Object.keys(FUNCTIONS)));
      }
      this.#next();
      const args: Expression[] = [];
      if (!this.#isOperator(')')) {
        do {
          args.push(this.#nested(() => this.#parseOr()));
        } while (this.#isOperator(',') && this.#next());
      }
      this.#expect(')');
      const functionName = name as FunctionName;
      const [least, most] = FUNCTIONS[functionName].arity;
      if (args.length < least || args.length > most) {
        const expected = least === most ? `${least}` : `${least} to ${most}`;
        throw new ExpressionError(`${name}() takes ${expected} argument(s), got ${args.length}`, token.offset);
      }
      return { kind: 'call', name: functionName, args };
    }
    if (!(EXPRESSION_ROOTS as readonly string[]).includes(name)) {
      throw new ExpressionError(
        `unknown name "${name}"`,
        token.offset,
        suggest(name, [...EXPRESSION_ROOTS]) ?? `expressions read ${EXPRESSION_ROOTS.join(', ')}`,
      );
    }
    const keys: (string | number)[] = [];
    for (;;) {
      if (this.#isOperator('.')) {
        this.#next();
        const key = this.#next();
        if (key.type !== 'identifier') throw new ExpressionError(`expected a property name after "." but found ${describe(key)}`, key.offset);
        keys.push(checkKey(key.value, key.offset));
      } else if (this.#isOperator('[')) {
        this.#next();
        const key = this.#next();
        if (key.type === 'number' && Number.isInteger(key.value)) keys.push(key.value);
        else if (key.type === 'string') keys.push(checkKey(key.value, key.offset));
        else throw new ExpressionError('an index must be a whole number or a quoted name', key.offset);
        this.#expect(']');
      } else {
        break;
      }
    }
    return { kind: 'path', root: name as ExpressionRoot, keys };
  }
}

function checkKey(key: string, offset: number): string {
  if (FORBIDDEN_KEYS.has(key)) throw new ExpressionError(`"${key}" cannot be read in an expression`, offset);
  return key;
}

function describe(token: Token): string {
  if (token.type === 'end') return 'the end of the expression';
  if (token.type === 'string') return `the string "${token.value}"`;
  return `"${token.value}"`;
}

/** Parses an expression; `{{x}}` is read as `(x)`, so `"{{ctx.size}} > 8"` works. */
export function parseExpression(source: string): Expression {
  if (source.trim() === '') throw new ExpressionError('expression is empty', 0);
  return new Parser(tokenize(source)).parse();
}

/** Reads a path through own properties of plain JSON data only. */
function readPath(scope: Scope, root: ExpressionRoot, keys: (string | number)[]): Json | undefined {
  let value: Json | undefined = Object.hasOwn(scope, root) ? scope[root] : undefined;
  for (const key of keys) {
    if (value === null || value === undefined) return undefined;
    if (Array.isArray(value)) {
      if (typeof key !== 'number') return key === 'length' ? value.length : undefined;
      value = value[key];
    } else if (typeof value === 'object') {
      if (typeof key !== 'string' || !Object.hasOwn(value, key)) return undefined;
      value = value[key];
    } else if (typeof value === 'string' && key === 'length') {
      return value.length;
    } else {
      return undefined;
    }
  }
  return value;
}

export function equals(left: Json | undefined, right: Json | undefined): boolean {
  if (left === undefined) left = null;
  if (right === undefined) right = null;
  if (left === right) return true;
  if (typeof left !== 'object' || typeof right !== 'object' || left === null || right === null) return false;
  if (Array.isArray(left) !== Array.isArray(right)) return false;
  if (Array.isArray(left) && Array.isArray(right)) {
    return left.length === right.length && left.every((item, index) => equals(item, right[index]));
  }
  const leftObject = left as { [key: string]: Json };
  const rightObject = right as { [key: string]: Json };
  const keys = Object.keys(leftObject);
  return (
    keys.length === Object.keys(rightObject).length &&
    keys.every((key) => Object.hasOwn(rightObject, key) && equals(leftObject[key], rightObject[key]))
  );
}

/** Truthiness as a flow author expects it: empty strings, 0, null and missing values are false. */
export function truthy(value: Json | undefined): boolean {
  if (value === undefined || value === null || value === false || value === 0 || value === '') return false;
  return !(typeof value === 'number' && Number.isNaN(value));
}

/** A value as text in a template: missing values print as nothing. */
export function toText(value: Json | undefined): string {
  if (value === undefined || value === null) return '';
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return JSON.stringify(value);
}

function compare(operator: '<' | '<=' | '>' | '>=', left: Json | undefined, right: Json | undefined): boolean {
  const bothNumbers = isNumber(left) && isNumber(right);
  const bothStrings = typeof left === 'string' && typeof right === 'string';
  if (!bothNumbers && !bothStrings) return false;
  const a = left as number | string;
  const b = right as number | string;
  switch (operator) {
    case '<':
      return a < b;
    case '<=':
      return a <= b;
    case '>':
      return a > b;
    case '>=':
      return a >= b;
  }
}

function arithmetic(operator: '+' | '-' | '*' | '/' | '%', left: Json | undefined, right: Json | undefined): Json {
  if (operator === '+' && (typeof left === 'string' || typeof right === 'string')) return toText(left) + toText(right);
  if (!isNumber(left) || !isNumber(right)) return null;
  let value: number;
  switch (operator) {
    case '+':
      value = left + right;
      break;
    case '-':
      value = left - right;
      break;
    case '*':
      value = left * right;
      break;
    case '/':
      value = left / right;
      break;
    case '%':
      value = left % right;
      break;
  }
  return Number.isFinite(value) ? value : null;
}

/**
 * Evaluates a parsed expression. Total: it never throws; a missing value reads
 * as `undefined`, and arithmetic on non-numbers gives `null`.
 */
export function evaluate(expression: Expression, scope: Scope): Json | undefined {
  switch (expression.kind) {
    case 'literal':
      return expression.value;
    case 'path':
      return readPath(scope, expression.root, expression.keys);
    case 'not':
      return !truthy(evaluate(expression.operand, scope));
    case 'negate': {
      const value = evaluate(expression.operand, scope);
      return isNumber(value) ? -value : null;
    }
    case 'and':
      return truthy(evaluate(expression.left, scope)) && truthy(evaluate(expression.right, scope));
    case 'or':
      return truthy(evaluate(expression.left, scope)) || truthy(evaluate(expression.right, scope));
    case 'binary': {
      const left = evaluate(expression.left, scope);
      const right = evaluate(expression.right, scope);
      switch (expression.operator) {
        case '==':
          return equals(left, right);
        case '!=':
          return !equals(left, right);
        case '<':
        case '<=':
        case '>':
        case '>=':
          return compare(expression.operator, left, right);
        default:
          return arithmetic(expression.operator, left, right);
      }
    }
    case 'call':
      return FUNCTIONS[expression.name].run(
        expression.args.map((argument) => evaluate(argument, scope)),
        scope,
      );
  }
}

/** Edit distance with transpositions (optimal string alignment), for "did you mean" hints. */
export function editDistance(a: string, b: string): number {
  const rows: number[][] = Array.from({ length: a.length + 1 }, (_, i) =>
    Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)),
  );
  const at = (i: number, j: number): number => (rows[i] as number[])[j] as number;
  for (let i = 1; i <= a.length; i += 1) {
    for (let j = 1; j <= b.length; j += 1) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let distance = Math.min(at(i - 1, j) + 1, at(i, j - 1) + 1, at(i - 1, j - 1) + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) distance = Math.min(distance, at(i - 2, j - 2) + 1);
      (rows[i] as number[])[j] = distance;
    }
  }
  return at(a.length, b.length);
}

/** `did you mean "X"?` when a known name is close enough to be a typo. */
export function suggest(name: string, known: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const candidate of known) {
    const distance = editDistance(name.toLowerCase(), candidate.toLowerCase());
    if (distance < bestDistance) {
      best = candidate;
      bestDistance = distance;
    }
  }
  const tolerance = Math.max(1, Math.floor(name.length / 3));
  return best !== undefined && bestDistance <= tolerance ? `did you mean "${best}"?` : undefined;
}
