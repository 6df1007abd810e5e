import type { JsonSchemaObject, LoadedFlow, SlotDefinition } from '../../flows/index.ts';

/** The intent the LLM answers when nothing fits; it maps back to `null`. */
export const NO_INTENT = 'none';

function enumValues(definition: SlotDefinition): string[] {
  return (definition.values ?? []).map((value) => (typeof value === 'string' ? value : value.value));
}

/** One slot as the LLM may fill it: its JSON type, or `null` when the message does not say. */
function slotSchema(definition: SlotDefinition, forValidation: boolean): JsonSchemaObject {
  const description = definition.description ?? `a ${definition.type}`;
  switch (definition.type) {
    case 'number':
    case 'integer': {
      const schema: JsonSchemaObject = { type: [definition.type, 'null'], description };
      if (forValidation && definition.min !== undefined) schema.minimum = definition.min;
      if (forValidation && definition.max !== undefined) schema.maximum = definition.max;
      return schema;
    }
    case 'boolean':
      return { type: ['boolean', 'null'], description };
    case 'enum':
      return { type: ['string', 'null'], enum: [...enumValues(definition), null], description };
    default: {
      const schema: JsonSchemaObject = { type: ['string', 'null'], description: `${description} (${definition.type})` };
      if (forValidation) schema.maxLength = Math.min(definition.max ?? 500, 500);
      return schema;
    }
  }
}

/** The slots that matter for a classification: those of the allowed intents and those the state collects. */
export function relevantSlots(flow: LoadedFlow, state: string, intents: readonly string[]): string[] {
  const names = new Set<string>();
  for (const intent of intents) {
    const declared = Object.hasOwn(flow.definition.intents, intent) ? flow.definition.intents[intent] : undefined;
    for (const slot of Object.keys(declared?.slots ?? {})) names.add(slot);
  }
  const stateDefinition = Object.hasOwn(flow.definition.states, state) ? flow.definition.states[state] : undefined;
  for (const item of stateDefinition?.collect ?? []) names.add(item.slot);
  return [...names].filter((name) => Object.hasOwn(flow.slots, name)).sort();
}

/**
 * The structured-output schema for one state, built from the relay's own copy
 * of the flow: the intent is one of the state's allowed intents (or `none`),
 * and each relevant slot is typed. OpenAI's strict mode wants every property
 * required and no extra ones; absent values are `null`.
 *
 * `forValidation` adds the bounds (min, max, lengths) the answer is checked
 * against afterwards but that strict mode does not need to see.
 */
export function classificationSchema(
  flow: LoadedFlow,
  allowed: readonly string[],
  slotNames: readonly string[],
  forValidation = false,
): JsonSchemaObject {
  const slotProperties: JsonSchemaObject = {};
  for (const name of slotNames) {
    const definition = flow.slots[name];
    if (definition) slotProperties[name] = slotSchema(definition, forValidation);
  }
  return {
    type: 'object',
    additionalProperties: false,
    required: ['intent', 'confidence', 'slots'],
    properties: {
      intent: { type: 'string', enum: [...allowed, NO_INTENT] },
      confidence: { type: 'number', description: 'how sure you are, from 0 to 1' },
      slots: { type: 'object', additionalProperties: false, required: [...slotNames], properties: slotProperties },
    },
  };
}
