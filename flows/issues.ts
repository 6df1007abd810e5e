/** What loading a flow reports: one entry per problem, each with a JSON Pointer. */
export interface FlowIssue {
  /** A JSON Pointer into the flow (`/states/Collect/transitions/0/to`); `""` is the whole flow. */
  path: string;
  message: string;
  /** A way to fix it, when one can be guessed (`did you mean "Collect"?`). */
  hint?: string;
  severity: 'error' | 'warning';
  /** A stable identifier of the kind of problem (`unknown-state`, `schema`, …). */
  code: string;
}

export function pointer(segments: readonly (string | number)[]): string {
  return segments.map((segment) => '/' + String(segment).replaceAll('~', '~0').replaceAll('/', '~1')).join('');
}

export function formatIssue(issue: FlowIssue, file?: string): string {
  const where = `${file ?? ''}${file !== undefined ? ':' : ''}${issue.path === '' ? '/' : issue.path}`;
  const hint = issue.hint === undefined ? '' : ` (${issue.hint})`;
  return `${where}: ${issue.severity}: ${issue.message}${hint}`;
}

/** Raised when a flow cannot be loaded; carries every issue. */
export class FlowLoadError extends Error {
  override readonly name = 'FlowLoadError';
  constructor(readonly issues: FlowIssue[]) {
    super(`invalid flow:\n${issues.map((issue) => `  ${issue.path || '/'}: ${issue.message}${issue.hint ? ` (${issue.hint})` : ''}`).join('\n')}`);
  }
}
