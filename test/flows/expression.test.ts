import { describe, expect, it } from 'vitest';
import { evaluate, ExpressionError, parseExpression, suggest, type Scope } from '../../flows/expression.ts';
import { parseTemplate, renderTemplate, templateValue } from '../../flows/template.ts';

const run = (source: string, scope: Scope = {}): unknown => evaluate(parseExpression(source), scope);

describe('expressions', () => {
  it('reads the origin document forms', () => {
    expect(run('{{ctx.partySize}} > 8', { ctx: { partySize: 10 } })).toBe(true);
    expect(run('{{ctx.partySize}} > 8', { ctx: { partySize: 4 } })).toBe(false);
    expect(run('{{ctx.partySize}} > 8', { ctx: {} })).toBe(false);
  });

  it('has the usual operators with the usual precedence', () => {
    expect(run('1 + 2 * 3')).toBe(7);
    expect(run('(1 + 2) * 3')).toBe(9);
    expect(run('10 % 4 - -1')).toBe(3);
    expect(run('ctx.a >= 2 && ctx.b == "x" || false', { ctx: { a: 2, b: 'x' } })).toBe(true);
    expect(run('not ctx.flag and ctx.size < 3', { ctx: { flag: false, size: 2 } })).toBe(true);
    expect(run("slot.name != 'Ana'", { slot: { name: 'Bob' } })).toBe(true);
    expect(run('"a" + 1')).toBe('a1');
    expect(run('ctx.list[1]', { ctx: { list: [5, 6] } })).toBe(6);
    expect(run("ctx['odd key']", { ctx: { 'odd key': 1 } })).toBe(1);
  });

  it('never throws while evaluating: bad arithmetic gives null, comparisons of mixed types are false', () => {
    expect(run('ctx.missing.deeper.still')).toBeUndefined();
    expect(run('ctx.text * 2', { ctx: { text: 'abc' } })).toBeNull();
    expect(run('1 / 0')).toBeNull();
    expect(run('"10" > 9')).toBe(false);
  });

  it('offers a few pure functions', () => {
    expect(run('len(slot.name)', { slot: { name: 'Ana' } })).toBe(3);
    expect(run('upper(slot.id)', { slot: { id: 'ab-1' } })).toBe('AB-1');
    expect(run('contains(ctx.tags, "vip")', { ctx: { tags: ['vip'] } })).toBe(true);
    expect(run('defined(ctx.x)', { ctx: {} })).toBe(false);
    expect(run('number("42") + 1')).toBe(43);
    expect(run('max(1, 5, 3)')).toBe(5);
  });

  it.each([
    ['ctx.constructor', 'cannot be read'],
    ['ctx.__proto__', 'cannot be read'],
    ['ctx["__proto__"].polluted', 'cannot be read'],
    ['ctx.a.prototype', 'cannot be read'],
    ['globalThis.process', 'unknown name "globalThis"'],
    ['window.location', 'unknown name "window"'],
    ['this', 'unknown name "this"'],
    ['eval("1")', 'unknown function "eval"'],
    ['ctx.toString()', 'unexpected'],
    ['Function("return 1")()', 'unknown function'],
    ['ctx[ctx.key]', 'an index must be'],
  ])('refuses %s when parsing', (source, message) => {
    expect(() => parseExpression(source)).toThrow(ExpressionError);
    expect(() => parseExpression(source)).toThrow(message);
  });

  it('cannot see inherited properties even when they exist on the data', () => {
    const ctx = JSON.parse('{"a": {}}') as { a: { [key: string]: never } };
    expect(run('ctx.a.toString', { ctx })).toBeUndefined();
    expect(run('ctx.a.hasOwnProperty', { ctx })).toBeUndefined();
    expect(run('ctx.a.__defineGetter__', { ctx })).toBeUndefined();
    expect(run('ctx.list.length', { ctx: { list: [1, 2] } })).toBe(2);
  });

  it('reports where a syntax error is, with a hint for near misses', () => {
    try {
      parseExpression('ctxx.partySize > 8');
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(ExpressionError);
      expect((error as ExpressionError).offset).toBe(0);
      expect((error as ExpressionError).hint).toBe('did you mean "ctx"?');
    }
    expect(() => parseExpression('ctx.a >')).toThrow('ends too early');
    expect(() => parseExpression('(ctx.a')).toThrow('expected ")"');
    expect(() => parseExpression('"open')).toThrow('unterminated string');
    expect(() => parseExpression('len(1, 2)')).toThrow('takes 1 argument');
    expect(() => parseExpression('('.repeat(200) + '1' + ')'.repeat(200))).toThrow('nested too deeply');
  });

  it('suggests only close names', () => {
    expect(suggest('Colect', ['Collect', 'Confirm'])).toBe('did you mean "Collect"?');
    expect(suggest('sya', ['say', 'ask'])).toBe('did you mean "say"?');
    expect(suggest('Banana', ['Collect', 'Confirm'])).toBeUndefined();
  });
});

describe('dates and times in the visitor language', () => {
  it('writes ISO dates and times as people read them, per language', () => {
    const scope = (language: string): Scope => ({ ctx: { date: '2026-11-24', time: '19:00', at: '2026-11-24T08:05:00+01:00' }, language });
    expect(run('dateText(ctx.date)', scope('en-US'))).toBe('Tuesday, November 24');
    expect(run('dateText(ctx.date)', scope('en-GB'))).toBe('Tuesday 24 November');
    expect(run('dateText(ctx.date)', scope('fr'))).toBe('mardi 24 novembre');
    expect(String(run('timeText(ctx.time)', scope('en-US')))).toMatch(/^7:00\sPM$/);
    expect(run('timeText(ctx.time)', scope('en-GB'))).toBe('19:00');
    expect(run('timeText(ctx.at)', scope('en-GB'))).toBe('8:05');
  });

  it('leaves anything that is not a date or time as it is, and survives a bad language tag', () => {
    expect(run('dateText(ctx.x)', { ctx: { x: 'soon' }, language: 'en' })).toBe('soon');
    expect(run('timeText(ctx.x)', { ctx: { x: '25:99' }, language: 'en' })).toBe('25:99');
    expect(run('dateText(ctx.missing)', { ctx: {}, language: 'en' })).toBe('');
    expect(run('dateText(ctx.date)', { ctx: { date: '2026-11-24' }, language: 'not a language!' })).toBe('Tuesday, November 24');
  });

  it('cannot read the language as data', () => {
    expect(() => parseExpression('language')).toThrow('unknown name');
  });
});

describe('templates', () => {
  it('interpolates text and prints missing values as nothing', () => {
    const template = parseTemplate('Table for {{ctx.size}} at {{ctx.time}}{{ctx.none}}.');
    expect(renderTemplate(template, { ctx: { size: 4, time: '19:00' } })).toBe('Table for 4 at 19:00.');
  });

  it('keeps the type of a whole-value template', () => {
    expect(templateValue(parseTemplate('{{slot.partySize}}'), { slot: { partySize: 4 } })).toBe(4);
    expect(templateValue(parseTemplate('{{ slot.flags }}'), { slot: { flags: [true] } })).toEqual([true]);
    expect(templateValue(parseTemplate('n={{slot.partySize}}'), { slot: { partySize: 4 } })).toBe('n=4');
    expect(templateValue(parseTemplate('{{slot.none}}'), {})).toBeNull();
  });

  it('reports bad holes with their position in the whole string', () => {
    expect(() => parseTemplate('Hello {{ctx.name')).toThrow('never closed');
    try {
      parseTemplate('Hi {{slot.}}');
      expect.unreachable();
    } catch (error) {
      expect((error as ExpressionError).offset).toBeGreaterThan(3);
    }
  });
});
