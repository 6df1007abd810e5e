import type { EnumValue } from '../../../flows/types.ts';

export interface EnumMention {
  start: number;
  end: number;
  /** The canonical value (`values[i]` or `values[i].value`). */
  value: string;
  /** 0 for an exact match, else the edit distance of the typo. */
  distance: number;
}

/**
 * Typos tolerated per phrase length: none up to 3 letters ("tea" must not
 * match "sea"), one up to 7, two beyond.
 */
function allowedDistance(length: number): number {
  if (length <= 3) return 0;
  return length <= 7 ? 1 : 2;
}

/**
 * Enum values and their synonyms in free text, exact or with small typos
 * (Damerau–Levenshtein). The best mention is the exact one, then the longest
 * phrase, then the earliest.
 */
export function findEnumValues(text: string, values: readonly EnumValue[]): EnumMention[] {
  const words = [...normalizeForMatch(text).matchAll(/[a-z0-9]+/g)].map((match) => ({
    word: match[0],
    start: match.index,
    end: match.index + match[0].length,
  }));
  const mentions: EnumMention[] = [];
  for (const entry of values) {
    const value = typeof entry === 'string' ? entry : entry.value;
    const phrases = [value, ...(typeof entry === 'string' ? [] : (entry.synonyms ?? []))];
    for (const phrase of phrases) {
      const target = (normalizeForMatch(phrase).match(/[a-z0-9]+/g) ?? []).join(' ');
      if (target === '') continue;
      const span = target.split(' ').length;
      const limit = allowedDistance(target.length);
      for (let index = 0; index + span <= words.length; index++) {
        const run = words.slice(index, index + span);
        const candidate = run.map((item) => item.word).join(' ');
        const distance = candidate === target ? 0 : limit === 0 ? limit + 1 : editDistance(candidate, target, limit);
        if (distance > limit) continue;
        mentions.push({ start: run[0]?.start ?? 0, end: run.at(-1)?.end ?? 0, value, distance });
      }
    }
  }
  return mentions.sort(
    (left, right) => left.distance - right.distance || right.end - right.start - (left.end - left.start) || left.start - right.start,
  );
}

/** Same length as the input, so offsets map back to the original text. */
function normalizeForMatch(text: string): string {
  return [...text].map((character) => {
    const folded = character.normalize('NFKD').replace(/[\u0300-\u036f]/g, '').toLowerCase();
    return folded.length === 1 ? folded : character.length === 1 ? ' ' : character;
  }).join('');
}

/** Optimal-string-alignment distance, giving up early once it exceeds `limit`. */
export function editDistance(left: string, right: string, limit: number): number {
  if (Math.abs(left.length - right.length) > limit) return limit + 1;
  let previousPrevious: number[] = [];
  let previous = Array.from({ length: right.length + 1 }, (_, index) => index);
  for (let row = 1; row <= left.length; row++) {
    const current = [row];
    let rowMinimum = row;
    for (let column = 1; column <= right.length; column++) {
      const cost = left[row - 1] === right[column - 1] ? 0 : 1;
      let best = Math.min((previous[column] as number) + 1, (current[column - 1] as number) + 1, (previous[column - 1] as number) + cost);
      if (row > 1 && column > 1 && left[row - 1] === right[column - 2] && left[row - 2] === right[column - 1])
        best = Math.min(best, (previousPrevious[column - 2] as number) + 1);
      current.push(best);
      rowMinimum = Math.min(rowMinimum, best);
    }
    if (rowMinimum > limit) return limit + 1;
    previousPrevious = previous;
    previous = current;
  }
  return previous[right.length] as number;
}
