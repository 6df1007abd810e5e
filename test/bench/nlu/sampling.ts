/**
 * The few-shot sampling protocol of /work/shared/bench/nlu/README.md:
 * deterministic, no RNG, reproducible in any language.
 */

const encoder = new TextEncoder();

/** 32-bit FNV-1a over the UTF-8 bytes of `text`. */
export function fnv1a32(text: string): number {
  let hash = 0x811c9dc5;
  for (const byte of encoder.encode(text)) {
    hash ^= byte;
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash;
}

export type LabelledText = [text: string, intent: string];

function compareCodeUnits(left: string, right: string): number {
  return left < right ? -1 : left > right ? 1 : 0;
}

/**
 * Keeps the first `count` distinct trimmed texts per intent, ranked by
 * `fnv1a32(seed + ":" + text)`; `count` = Infinity keeps them all. Intents
 * come out in code-unit order of their names, examples in rank order.
 */
export function sampleK(pairs: readonly LabelledText[], count: number, seed = '0'): LabelledText[] {
  const byIntent = new Map<string, Map<string, number>>();
  for (const [untrimmed, intent] of pairs) {
    const text = untrimmed.trim();
    let texts = byIntent.get(intent);
    if (texts === undefined) {
      texts = new Map();
      byIntent.set(intent, texts);
    }
    if (!texts.has(text)) texts.set(text, fnv1a32(`${seed}:${text}`));
  }
  const sampled: LabelledText[] = [];
  for (const intent of [...byIntent.keys()].sort(compareCodeUnits)) {
    const ranked = [...(byIntent.get(intent) ?? new Map<string, number>())].sort(
      (left, right) => left[1] - right[1] || compareCodeUnits(left[0], right[0]),
    );
    for (const [text] of ranked.slice(0, count)) sampled.push([text, intent]);
  }
  return sampled;
}

/** Groups labelled texts into the classifier's training shape. */
export function toTrainingIntents(pairs: readonly LabelledText[]): { [intent: string]: { examples: string[] } } {
  const intents: { [intent: string]: { examples: string[] } } = {};
  for (const [text, intent] of pairs) (intents[intent] ??= { examples: [] }).examples.push(text);
  return intents;
}
