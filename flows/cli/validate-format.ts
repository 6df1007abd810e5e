/**
 * `statechat validate --format json <flow…>`: the same checks as the text
 * report, as one JSON document for editors, scripts and CI annotations.
 *
 * @example
 * ```sh
 * statechat validate --format json flows/*.flow.json | jq '.files[].issues[] | select(.severity == "error")'
 * ```
 */
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import type { FlowIssue } from '../issues.ts';
import { loadFlow } from '../load.ts';
import { positionOf, valueOffsets } from './json-position.ts';
import type { Output } from './output.ts';
import { displayPath } from './read-flow.ts';

/** A problem with where it is in the file (1-based), when the file is JSON. */
export type LocatedIssue = FlowIssue & { line?: number; column?: number };

export interface ValidatedFile {
  /** The path as given, relative to the working directory when inside it. */
  file: string;
  ok: boolean;
  /** What the relay would serve it as; null when it does not load. */
  flow: { id: string; version: string; states: number } | null;
  /** Errors and warnings, each with a JSON Pointer into the file, its line and column, a stable `code` and maybe a `hint`. */
  issues: LocatedIssue[];
}

export interface ValidationReport {
  files: ValidatedFile[];
  errors: number;
  warnings: number;
}

export async function validateFile(path: string): Promise<ValidatedFile> {
  const file = displayPath(path);
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? 'read-failed';
    return { file, ok: false, flow: null, issues: [{ path: '', severity: 'error', code: 'unreadable', message: `cannot read: ${code}` }] };
  }
  const result = loadFlow(text);
  const issues = result.ok ? result.warnings : [...result.errors, ...result.warnings];
  let located: LocatedIssue[] = issues;
  if (!issues.some((issue) => issue.code === 'json')) {
    const offsets = valueOffsets(text);
    located = issues.map((issue) => ({ ...issue, ...positionOf(text, issue.path, offsets) }));
  }
  if (!result.ok) return { file, ok: false, flow: null, issues: located };
  return {
    file,
    ok: true,
    flow: { id: result.flow.id, version: result.flow.version, states: Object.keys(result.flow.definition.states).length },
    issues: located,
  };
}

/**
 * `validate` with `--format text|json`; `text` is the classic report, which
 * the caller passes in as `textCommand`.
 */
export async function validateWithFormat(argv: string[], output: Output, textCommand: (files: string[], output: Output) => Promise<number>): Promise<number> {
  let format: string;
  let files: string[];
  try {
    const parsed = parseArgs({ args: argv, options: { format: { type: 'string' } }, allowPositionals: true, strict: true });
    format = parsed.values.format ?? 'text';
    files = parsed.positionals;
  } catch (error) {
    output.err(`statechat validate: ${error instanceof Error ? error.message : String(error)}`);
    return 2;
  }
  if (format === 'text') return textCommand(files, output);
  if (format !== 'json') {
    output.err(`statechat validate: unknown format "${format}" (use text or json)`);
    return 2;
  }
  if (files.length === 0) {
    output.err('statechat validate: name at least one flow file');
    return 2;
  }
  const report: ValidationReport = { files: [], errors: 0, warnings: 0 };
  for (const file of files) {
    const validated = await validateFile(resolve(file));
    report.files.push(validated);
    for (const issue of validated.issues) {
      if (issue.severity === 'error') report.errors += 1;
      else report.warnings += 1;
    }
  }
  output.out(JSON.stringify(report, null, 2));
  return report.files.every((file) => file.ok) ? 0 : 1;
}
