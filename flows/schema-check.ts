/**
 * Checks a flow against `flow.schema.json` and turns the validator's raw
 * output into one readable issue per problem, with "did you mean" hints for
 * misspelt keys and values.
 */
import { Validator, type OutputUnit } from '@cfworker/json-schema';
import schema from './flow.schema.json' with { type: 'json' };
import { suggest } from './expression.ts';
import type { FlowIssue } from './issues.ts';

type SchemaNode = { [keyword: string]: unknown };

let validator: Validator | undefined;

function getValidator(): Validator {
  validator ??= new Validator(schema as SchemaNode, '2020-12', false);
  return validator;
}

/** `#/states/A` → `/states/A` (cfworker reports instance locations as URI fragments). */
function toPointer(instanceLocation: string): string {
  const raw = instanceLocation.startsWith('#') ? instanceLocation.slice(1) : instanceLocation;
  return raw
    .split('/')
    .map((segment) => {
      try {
        return decodeURIComponent(segment);
      } catch {
        return segment;
      }
    })
    .join('/');
}

/** Follows a keyword location (`#/properties/states/additionalProperties/$ref/...`) through the schema. */
function schemaAt(keywordLocation: string): SchemaNode | undefined {
  let node: unknown = schema;
  const segments = keywordLocation.replace(/^#\/?/, '').split('/').filter((segment) => segment !== '');
  for (const segment of segments) {
    if (node === null || typeof node !== 'object') return undefined;
    const record = node as SchemaNode;
    if (segment === '$ref' && typeof record.$ref === 'string') {
      node = schemaAt(record.$ref);
      if (node === undefined) return undefined;
      continue;
    }
    node = record[segment];
  }
  return node !== null && typeof node === 'object' ? (node as SchemaNode) : undefined;
}

function quoteList(values: unknown[]): string {
  return values.map((value) => JSON.stringify(value)).join(', ');
}

const WRAPPER_KEYWORDS = new Set(['properties', '$ref', 'items', 'prefixItems', 'false', 'additionalProperties', 'propertyNames']);

function readableMessage(unit: OutputUnit, instance: unknown): { message: string; hint?: string } | undefined {
  const where = toPointer(unit.instanceLocation);
  const node = schemaAt(unit.keywordLocation.replace(/\/[^/]*$/, ''));
  switch (unit.keyword) {
    case 'type': {
      const expected = /Expected "([^"]+)"/.exec(unit.error)?.[1] ?? 'another type';
      return { message: `expected ${expected === 'array' ? 'an array' : expected === 'object' ? 'an object' : `a ${expected}`}, found ${describeValue(valueAt(instance, where))}` };
    }
    case 'enum': {
      const values = Array.isArray(node?.enum) ? (node.enum as unknown[]) : [];
      const found = valueAt(instance, where);
      const hint = typeof found === 'string' ? suggest(found, values.filter((value): value is string => typeof value === 'string')) : undefined;
      return { message: `${JSON.stringify(found)} is not one of ${quoteList(values)}`, ...(hint ? { hint } : {}) };
    }
    case 'const':
      return { message: `must be ${JSON.stringify(node?.const)}` };
    case 'required': {
      const property = /required property "([^"]+)"/.exec(unit.error)?.[1] ?? '?';
      return { message: `"${property}" is required` };
    }
    case 'pattern': {
      const description = typeof node?.description === 'string' ? node.description : `it must match ${String(node?.pattern)}`;
      return { message: `${JSON.stringify(valueAt(instance, where))} is not allowed here`, hint: description };
    }
    case 'minLength':
      return { message: node?.minLength === 1 ? 'must not be empty' : `must have at least ${String(node?.minLength)} characters` };
    case 'maxLength':
      return { message: `is longer than ${String(node?.maxLength)} characters` };
    case 'minItems':
      return { message: `needs at least ${String(node?.minItems)} item(s)` };
    case 'maxItems':
      return { message: `has more than ${String(node?.maxItems)} items` };
    case 'minProperties':
      return { message: `needs at least ${String(node?.minProperties)} entry` };
    case 'minimum':
      return { message: `must be at least ${String(node?.minimum)}` };
    case 'maximum':
      return { message: `must be at most ${String(node?.maximum)}` };
    case 'uniqueItems':
      return { message: 'has duplicate items' };
    case 'dependentRequired': {
      const match = /has "([^"]+)" but does not have "([^"]+)"/.exec(unit.error);
      return match ? { message: `"${match[1]}" only makes sense with "${match[2]}"` } : { message: unit.error };
    }
    default:
      return undefined;
  }
}

function valueAt(instance: unknown, path: string): unknown {
  let value = instance;
  for (const segment of path.split('/').slice(1)) {
    if (value === null || typeof value !== 'object') return undefined;
    value = (value as Record<string, unknown>)[segment];
  }
  return value;
}

function describeValue(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'object') return 'an object';
  if (typeof value === 'string') return `the string ${JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value)}`;
  return `${typeof value} ${String(value)}`;
}

const ACTION_KEYS = ['say', 'ask', 'card', 'assign', 'clear', 'call', 'handoff', 'emit'];

/** Returns every schema problem in the flow, most specific first, without the validator's noise. */
export function checkSchema(instance: unknown): FlowIssue[] {
  const result = getValidator().validate(instance);
  if (result.valid) return [];
  const errors = result.errors;
  const issues: FlowIssue[] = [];
  const seen = new Set<string>();
  /** Keyword locations whose nested errors are already explained by one message. */
  const explained: string[] = [];
  const add = (path: string, message: string, hint?: string): void => {
    const key = `${path}\u0000${message}`;
    if (seen.has(key)) return;
    seen.add(key);
    issues.push({ path, message, severity: 'error', code: 'schema', ...(hint !== undefined ? { hint } : {}) });
  };

  for (const unit of errors) {
    const path = toPointer(unit.instanceLocation);
    if (unit.keywordLocation.includes('/propertyNames/')) {
      if (unit.keyword === 'pattern') {
        const key = path.slice(path.lastIndexOf('/') + 1);
        const node = schemaAt(unit.keywordLocation.replace(/\/pattern$/, ''));
        add(path, `"${key}" is not a valid name`, typeof node?.description === 'string' ? node.description : undefined);
      }
      continue;
    }
    if (unit.keyword === 'oneOf' && unit.keywordLocation.endsWith('/oneOf')) {
      explained.push(unit.keywordLocation + '/');
      const value = valueAt(instance, path);
      const present = value !== null && typeof value === 'object' ? ACTION_KEYS.filter((key) => Object.hasOwn(value, key)) : [];
      if (present.length > 1) {
        add(path, `an action does one thing, but this one has ${quoteList(present)}`, 'split it into separate actions');
      } else {
        const keys = value !== null && typeof value === 'object' ? Object.keys(value) : [];
        const guess = keys.map((key) => suggest(key, ACTION_KEYS)).find((hint) => hint !== undefined);
        add(path, `an action needs one of ${quoteList(ACTION_KEYS)}`, guess);
      }
    } else if (unit.keyword === 'anyOf') {
      explained.push(unit.keywordLocation + '/');
      const branches = new Map<string, OutputUnit[]>();
      for (const inner of errors) {
        if (!inner.keywordLocation.startsWith(unit.keywordLocation + '/')) continue;
        const branch = inner.keywordLocation.slice(unit.keywordLocation.length + 1).split('/')[0] as string;
        branches.set(branch, [...(branches.get(branch) ?? []), inner]);
      }
      // Report the branch whose type fits the value: its errors say what is wrong inside.
      const fitting = [...branches.values()].filter(
        (units) => !units.some((inner) => inner.keyword === 'type' && toPointer(inner.instanceLocation) === path),
      );
      const typeAlreadyReported = errors.some(
        (other) => other.keyword === 'type' && toPointer(other.instanceLocation) === path && !other.keywordLocation.startsWith(unit.keywordLocation),
      );
      if (typeAlreadyReported) continue;
      if (fitting.length === 1) {
        for (const inner of fitting[0] as OutputUnit[]) {
          if (WRAPPER_KEYWORDS.has(inner.keyword) && inner.keyword !== 'additionalProperties') continue;
          reportLeaf(inner);
        }
      } else {
        add(path, `${describeValue(valueAt(instance, path))} is not allowed here`, typeof schemaAt(unit.keywordLocation.replace(/\/anyOf$/, ''))?.description === 'string' ? (schemaAt(unit.keywordLocation.replace(/\/anyOf$/, ''))?.description as string) : undefined);
      }
    }
  }

  function reportLeaf(unit: OutputUnit): void {
    const path = toPointer(unit.instanceLocation);
    if (unit.keyword === 'additionalProperties') {
      const property = /Property "([^"]+)" does not match additional properties/.exec(unit.error)?.[1];
      const node = schemaAt(unit.keywordLocation.replace(/\/additionalProperties$/, ''));
      // Only closed objects (additionalProperties: false) report unknown keys; open maps report their entries' errors.
      if (property === undefined || node?.additionalProperties !== false) return;
      const known = node.properties !== null && typeof node.properties === 'object' ? Object.keys(node.properties) : [];
      add(`${path}/${property}`, `unknown property "${property}"`, suggest(property, known) ?? (known.length > 0 ? `expected one of ${quoteList(known)}` : undefined));
      return;
    }
    if (unit.keyword === 'propertyNames') return;
    const readable = readableMessage(unit, instance);
    if (readable) add(path, readable.message, readable.hint);
  }

  for (const unit of errors) {
    if (unit.keyword === 'oneOf' || unit.keyword === 'anyOf' || unit.keywordLocation.includes('/propertyNames/')) continue;
    if (explained.some((prefix) => unit.keywordLocation.startsWith(prefix))) continue;
    if (WRAPPER_KEYWORDS.has(unit.keyword) && unit.keyword !== 'additionalProperties') continue;
    reportLeaf(unit);
  }
  return issues;
}
