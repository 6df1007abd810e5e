/** Reading a flow file for a command: every problem printed as `file:pointer: severity: message`. */
import { readFile } from 'node:fs/promises';
import { relative } from 'node:path';
import { formatIssue } from '../issues.ts';
import { loadFlow } from '../load.ts';
import type { LoadedFlow } from '../compile.ts';
import type { Output } from './output.ts';

/** A path as the user would type it: relative to the working directory when inside it. */
export function displayPath(path: string): string {
  const shown = relative(process.cwd(), path);
  return shown.startsWith('..') || shown === '' ? path : shown;
}

/** The loaded flow, or null after printing why not. Warnings are printed only with `warnings: true`. */
export async function readFlowFile(path: string, output: Output, options: { warnings?: boolean } = {}): Promise<LoadedFlow | null> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    output.err(`${displayPath(path)}: cannot read: ${(error as NodeJS.ErrnoException).code ?? String(error)}`);
    return null;
  }
  const result = loadFlow(text);
  if (options.warnings) for (const warning of result.warnings) output.err(formatIssue(warning, displayPath(path)));
  if (!result.ok) {
    for (const error of result.errors) output.err(formatIssue(error, displayPath(path)));
    return null;
  }
  return result.flow;
}
