/**
 * `statechat/flows`: the flow language — types, JSON Schema, loading with
 * validation and lint, and the expression language. No I/O, no DOM, no clock.
 */
export type * from './types.ts';
export { SLOT_TYPES } from './types.ts';
export { allowedIntents, compileRuntimeFlow, DEFAULT_THRESHOLD, DEFAULT_TOOL_TIMEOUT_MS, RETURN_TARGET, slotDefinition, withBuiltIns } from './compile.ts';
export { correctableIn, correctableSlots, intentsCarrying, ownerState } from './corrections.ts';
export { BUILT_IN_INTENTS, NO_INTENT, SMALL_TALK_INTENTS, YES_INTENT } from './small-talk.ts';
export type { LoadedFlow, LoadedTool, RuntimeFlow, RuntimeTool } from './compile.ts';
export { compileFlow } from './compile-flow.ts';
export { loadFlow, loadFlowOrThrow } from './load.ts';
export type { LoadResult } from './load.ts';
export { FlowLoadError, formatIssue, pointer } from './issues.ts';
export type { FlowIssue } from './issues.ts';
export { equals, evaluate, ExpressionError, parseExpression, suggest, toText, truthy, EXPRESSION_ROOTS } from './expression.ts';
export type { Expression, ExpressionRoot, Scope } from './expression.ts';
export { parseTemplate, renderTemplate, templateValue } from './template.ts';
export type { Template } from './template.ts';
export { isFullSchema, normaliseToolSchema, MAX_ARRAY_ITEMS, MAX_STRING_LENGTH } from './tool-schema.ts';
export { cardText, CARD_URL_SCHEMES, isCardUrl } from './card.ts';
export type { RenderedCard } from './card.ts';
