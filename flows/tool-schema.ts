/**
 * Tool `args` / `result`: the shorthand `{ "date": "string", "partySize": "number" }`
 * (a trailing `?` marks an optional field) or a full JSON Schema. Both become a
 * closed JSON Schema 2020-12 object with bounded strings and arrays, so the
 * relay can reject extra properties and oversized values.
 */
import type { Json, JsonSchemaObject, ToolSchema } from './types.ts';

export const MAX_STRING_LENGTH = 1000;
export const MAX_ARRAY_ITEMS = 100;

const SHORTHAND_TYPES = ['string', 'number', 'integer', 'boolean', 'object', 'array'];

export interface ToolSchemaProblem {
  path: (string | number)[];
  message: string;
  hint?: string;
}

function isRecord(value: unknown): value is { [key: string]: Json } {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/** A full schema is recognised by `$schema`, or by `"type": "object"` next to `"properties"`. */
export function isFullSchema(schema: ToolSchema): boolean {
  return Object.hasOwn(schema, '$schema') || (schema.type === 'object' && isRecord(schema.properties));
}

/** Bounds every string and array that does not bound itself, and closes every object that says nothing. */
function bound(schema: Json): Json {
  if (!isRecord(schema)) return schema;
  const out: { [key: string]: Json } = { ...schema };
  if (out.type === 'string' && out.maxLength === undefined && out.enum === undefined && out.const === undefined) out.maxLength = MAX_STRING_LENGTH;
  if (out.type === 'array' && out.maxItems === undefined) out.maxItems = MAX_ARRAY_ITEMS;
  if (out.type === 'object' && out.additionalProperties === undefined) out.additionalProperties = false;
  if (isRecord(out.properties)) {
    out.properties = Object.fromEntries(Object.entries(out.properties).map(([key, value]) => [key, bound(value)]));
  }
  if (out.items !== undefined) out.items = bound(out.items);
  return out;
}

export function normaliseToolSchema(schema: ToolSchema): { schema: JsonSchemaObject; problems: ToolSchemaProblem[] } {
  const problems: ToolSchemaProblem[] = [];
  if (isFullSchema(schema)) {
    if (schema.type !== 'object') problems.push({ path: ['type'], message: 'a tool schema must describe an object', hint: 'set "type": "object"' });
    return { schema: bound(schema) as JsonSchemaObject, problems };
  }
  const properties: { [key: string]: Json } = {};
  const required: string[] = [];
  for (const [name, type] of Object.entries(schema)) {
    if (typeof type !== 'string') {
      problems.push({ path: [name], message: `field "${name}" needs a type name such as "string"`, hint: 'for nested schemas write a full JSON Schema with "type": "object" and "properties"' });
      continue;
    }
    const optional = type.endsWith('?');
    const base = optional ? type.slice(0, -1) : type;
    if (!SHORTHAND_TYPES.includes(base)) {
      problems.push({ path: [name], message: `"${type}" is not a field type`, hint: `use one of ${SHORTHAND_TYPES.join(', ')} (with ? for optional)` });
      continue;
    }
    properties[name] = bound({ type: base });
    if (!optional) required.push(name);
  }
  return { schema: { type: 'object', properties, required, additionalProperties: false }, problems };
}
