/**
 * Editor help: every property of the flow schema carries a description and
 * examples (editors show them on hover and offer the examples as snippets),
 * and every example is valid against the property's own schema.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { describe, expect, it } from 'vitest';

const schema = JSON.parse(readFileSync(fileURLToPath(new URL('../../flows/flow.schema.json', import.meta.url)), 'utf8')) as Record<string, unknown>;

interface Property {
  pointer: string;
  definition: Record<string, unknown>;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/** Every entry of every `properties` object in the schema, with its JSON Pointer. */
function properties(node: unknown, pointer: string, into: Property[]): Property[] {
  if (Array.isArray(node)) node.forEach((item, index) => properties(item, `${pointer}/${index}`, into));
  else if (isRecord(node)) {
    for (const [key, value] of Object.entries(node)) {
      const here = `${pointer}/${key.replace(/~/g, '~0').replace(/\//g, '~1')}`;
      if (key === 'properties' && isRecord(value)) {
        for (const [name, definition] of Object.entries(value)) {
          const at = `${here}/${name.replace(/~/g, '~0').replace(/\//g, '~1')}`;
          if (isRecord(definition)) into.push({ pointer: at, definition });
          properties(definition, at, into);
        }
      } else properties(value, here, into);
    }
  }
  return into;
}

const all = properties(schema, '', []);

describe('flow.schema.json', () => {
  it('has properties to check (the walk finds the nested ones too)', () => {
    expect(all.length).toBeGreaterThan(90);
    expect(all.map((property) => property.pointer)).toContain('/$defs/action/properties/handoff/anyOf/1/properties/queue');
  });

  it.each(all.map((property) => [property.pointer, property] as const))('%s has a description and examples', (_, property) => {
    expect(typeof property.definition.description, 'description').toBe('string');
    expect((property.definition.description as string).length).toBeGreaterThan(10);
    expect(Array.isArray(property.definition.examples) && property.definition.examples.length > 0, 'examples').toBe(true);
  });

  it('every example is valid against its property', () => {
    const ajv = new Ajv2020({ allErrors: true, strict: false });
    ajv.addSchema(schema, 'flow');
    const wrong: string[] = [];
    for (const property of all) {
      const validate = ajv.getSchema(`flow#${property.pointer}`);
      if (!validate) throw new Error(`no schema at ${property.pointer}`);
      for (const example of (property.definition.examples as unknown[] | undefined) ?? []) {
        if (!validate(example)) wrong.push(`${property.pointer}: ${JSON.stringify(example)} — ${ajv.errorsText(validate.errors)}`);
      }
    }
    expect(wrong).toEqual([]);
  });
});
