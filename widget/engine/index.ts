/**
 * `statechat/engine`: the pure interpreter of a flow.
 *
 * @example
 * ```ts
 * const flow = loadFlowOrThrow(json);
 * let snapshot = initialSnapshot(flow);
 * ({ snapshot, effects } = step(flow, snapshot, { type: 'session.start', sessionId: 's1' }, { now: Date.now() }));
 * ```
 */
export { initialSnapshot, step } from './step.ts';
export { replay, replayWithEffects } from './replay.ts';
export { checkSlotValue } from './slot-values.ts';
export type * from './types.ts';
