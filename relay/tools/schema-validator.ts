import { Validator } from '@cfworker/json-schema';
import type { JsonSchemaObject } from '../../flows/index.ts';

export interface SchemaCheck {
  valid: boolean;
  /** Where and which rule failed (`/partySize: type`), never the value itself. */
  problem?: string;
}

const cache = new WeakMap<JsonSchemaObject, Validator>();

/**
 * Validates against a JSON Schema 2020-12 with @cfworker/json-schema, which
 * compiles nothing at run time and so works under a strict CSP. Validators are
 * cached per schema object (the loaded flow keeps its schemas).
 */
export function checkAgainstSchema(schema: JsonSchemaObject, value: unknown): SchemaCheck {
  let validator = cache.get(schema);
  if (!validator) {
    // `Schema` in @cfworker's types is a structural superset of our JSON data.
    validator = new Validator(schema as ConstructorParameters<typeof Validator>[0], '2020-12', true);
    cache.set(schema, validator);
  }
  const result = validator.validate(value);
  if (result.valid) return { valid: true };
  const deepest = result.errors.find((error) => error.keyword !== 'properties' && error.keyword !== 'allOf') ?? result.errors[0];
  if (!deepest) return { valid: false };
  const location = deepest.instanceLocation.replace(/^#/, '') || '/';
  return { valid: false, problem: `${location}: ${deepest.keyword}` };
}
