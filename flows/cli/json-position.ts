/**
 * Where a JSON Pointer's value starts in a JSON text (1-based line and
 * column), so a problem can be shown at its place: editors and CI
 * annotations want lines, the loader speaks in pointers.
 *
 * A single linear pass over text that `JSON.parse` accepted; keys are
 * unescaped the way JSON.parse does.
 *
 * @example
 * ```ts
 * positionOf('{\n  "start": "Colect"\n}', '/start'); // { line: 2, column: 12 }
 * ```
 */
export interface TextPosition {
  line: number;
  column: number;
}

/** Every pointer of the document and the offset its value starts at. */
export function valueOffsets(text: string): Map<string, number> {
  const offsets = new Map<string, number>();
  let index = 0;
  const skipSpace = (): void => {
    while (index < text.length && /\s/.test(text[index] as string)) index += 1;
  };
  const readString = (): string => {
    const start = index;
    index += 1;
    while (index < text.length && text[index] !== '"') index += text[index] === '\\' ? 2 : 1;
    index += 1;
    return JSON.parse(text.slice(start, index)) as string;
  };
  const escape = (segment: string): string => segment.replace(/~/g, '~0').replace(/\//g, '~1');
  const readValue = (pointer: string): void => {
    skipSpace();
    offsets.set(pointer, index);
    const character = text[index];
    if (character === '{') {
      index += 1;
      skipSpace();
      while (index < text.length && text[index] !== '}') {
        const key = readString();
        skipSpace();
        index += 1; // the colon
        readValue(`${pointer}/${escape(key)}`);
        skipSpace();
        if (text[index] === ',') index += 1;
        skipSpace();
      }
      index += 1;
    } else if (character === '[') {
      index += 1;
      skipSpace();
      let item = 0;
      while (index < text.length && text[index] !== ']') {
        readValue(`${pointer}/${item}`);
        item += 1;
        skipSpace();
        if (text[index] === ',') index += 1;
        skipSpace();
      }
      index += 1;
    } else if (character === '"') {
      readString();
    } else {
      while (index < text.length && !/[\s,\]}]/.test(text[index] as string)) index += 1;
    }
  };
  readValue('');
  return offsets;
}

/**
 * The position of the pointer's value, or of its nearest ancestor that
 * exists (an unknown property's problem is shown at its parent object).
 */
export function positionOf(text: string, pointer: string, offsets: Map<string, number> = valueOffsets(text)): TextPosition {
  let path = pointer;
  let offset = offsets.get(path);
  while (offset === undefined && path !== '') {
    path = path.slice(0, path.lastIndexOf('/'));
    offset = offsets.get(path);
  }
  const before = text.slice(0, offset ?? 0);
  const line = before.split('\n').length;
  return { line, column: before.length - before.lastIndexOf('\n') };
}
