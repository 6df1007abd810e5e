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

/** A checked answer: the intent (`null` for none), the confidence clamped to 0–1, the slots the LLM filled. */
export interface CheckedAnswer {
  intent: string | null;
  confidence: number;
  slots: Record<string, unknown>;
}

export type AnswerCheck = (parsed: unknown) => CheckedAnswer | 'malformed' | 'outside_enum' | 'invalid_slots';

/** Length in code points, as JSON Schema's `maxLength` counts it. */
function codePointLength(text: string): number {
  let length = 0;
  for (let index = 0; index < text.length; index++) {
    const code = text.charCodeAt(index);
    if (code >= 0xd800 && code <= 0xdbff && index + 1 < text.length && (text.charCodeAt(index + 1) & 0xfc00) === 0xdc00) index++;
    length++;
  }
  return length;
}

function slotCheck(definition: SlotDefinition): (value: unknown) => boolean {
  switch (definition.type) {
    case 'number':
    case 'integer': {
      const integer = definition.type === 'integer';
      const { min, max } = definition;
      return (value) =>
        value === null ||
        (typeof value === 'number' &&
          (!integer || Number.isInteger(value)) &&
          (min === undefined || value >= min) &&
          (max === undefined || value <= max));
    }
    case 'boolean':
      return (value) => value === null || typeof value === 'boolean';
    case 'enum': {
      const values = new Set(enumValues(definition));
      return (value) => value === null || (typeof value === 'string' && values.has(value));
    }
    default: {
      const maxLength = Math.min(definition.max ?? 500, 500);
      return (value) => value === null || (typeof value === 'string' && (value.length <= maxLength || codePointLength(value) <= maxLength));
    }
  }
}

/**
 * The check of an LLM answer against `classificationSchema(…, true)`, as a
 * function built once per flow, intents and slots: the same rules (exactly the
 * keys `intent`, `confidence`, `slots`; the intent in the enum; every slot
 * present, typed, within its bounds, nothing else), without a general JSON
 * Schema validator walking the schema on every answer. A test holds the two
 * to the same verdicts.
 */
export function compileAnswerCheck(flow: LoadedFlow, allowed: readonly string[], slotNames: readonly string[]): AnswerCheck {
  const intents = new Set([...allowed, NO_INTENT]);
  const checks = new Map<string, (value: unknown) => boolean>();
  for (const name of slotNames) {
    const definition = flow.slots[name];
    if (definition) checks.set(name, slotCheck(definition));
  }
  return (parsed) => {
    if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) return 'malformed';
    const answer = parsed as Record<string, unknown>;
    const { intent, confidence, slots } = answer;
    if (typeof intent !== 'string' || !intents.has(intent)) return 'outside_enum';
    let keys = 0;
    for (const key in answer) if (Object.hasOwn(answer, key)) keys++;
    if (keys !== 3 || typeof confidence !== 'number' || !Object.hasOwn(answer, 'slots')) return 'invalid_slots';
    if (slots === null || typeof slots !== 'object' || Array.isArray(slots)) return 'invalid_slots';
    const filled: Record<string, unknown> = {};
    let seen = 0;
    for (const name in slots) {
      if (!Object.hasOwn(slots, name)) continue;
      const check = checks.get(name);
      const value = (slots as Record<string, unknown>)[name];
      if (!check?.(value)) return 'invalid_slots';
      seen++;
      if (value !== null) filled[name] = value;
    }
    if (seen !== checks.size) return 'invalid_slots';
    return { intent: intent === NO_INTENT ? null : intent, confidence: Math.min(1, Math.max(0, confidence)), slots: filled };
  };
}
