/**
 * `compileFlow`: a validated flow prepared to run, with its tools' argument
 * and result schemas normalised (closed objects, bounded strings), which the
 * relay checks calls against. Apart from `compile.ts`, so that the widget,
 * which compiles with `compileRuntimeFlow`, leaves the normaliser out.
 */
import { compileFlowWith, runtimeTool, type LoadedFlow } from './compile.ts';
import { normaliseToolSchema } from './tool-schema.ts';
import type { Flow } from './types.ts';

/**
 * Prepares a flow that has passed validation (by `loadFlow`, or on the
 * relay). Throws `FlowLoadError` if an expression does not parse; it does not
 * check anything else — use `loadFlow` for flows you have not validated.
 */
export function compileFlow(written: Flow): LoadedFlow {
  return compileFlowWith(written, (tool, name) => ({
    ...runtimeTool(tool, name),
    args: normaliseToolSchema(tool.args ?? {}).schema,
    result: tool.result === undefined ? undefined : normaliseToolSchema(tool.result).schema,
  }));
}
