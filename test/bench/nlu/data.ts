import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { benchDataDirectory } from '../bench-data.ts';
import type { LabelledText } from './sampling.ts';

/** The shared benchmark data lives beside the repository, never inside it. */
export const DATA_DIRECTORY = benchDataDirectory('nlu');

export interface Clinc150 {
  intents: string[];
  train: LabelledText[];
  val: LabelledText[];
  test: LabelledText[];
  oos_val: string[];
  oos_test: string[];
}

export interface SnipsUtterance {
  text: string;
  intent: string;
  slots: { [slot: string]: string | string[] };
  spans: Array<[start: number, end: number, slot: string]>;
}

export interface Snips {
  intents: string[];
  train: SnipsUtterance[];
  test: SnipsUtterance[];
}

export function loadClinc150(): Clinc150 {
  return JSON.parse(readFileSync(resolve(DATA_DIRECTORY, 'clinc150.json'), 'utf8')) as Clinc150;
}

export function loadSnips(): Snips {
  return JSON.parse(readFileSync(resolve(DATA_DIRECTORY, 'snips.json'), 'utf8')) as Snips;
}
