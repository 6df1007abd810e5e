import type { LabelledText } from './sampling.ts';

export interface Prediction {
  truth: string | null;
  predicted: string;
  confidence: number;
}

/** Share of in-scope predictions that are right and not rejected at `threshold`. */
export function inScopeAccuracy(predictions: readonly Prediction[], threshold: number): number {
  const inScope = predictions.filter((prediction) => prediction.truth !== null);
  const right = inScope.filter((prediction) => prediction.predicted === prediction.truth && prediction.confidence >= threshold);
  return right.length / inScope.length;
}

export function closedSetAccuracy(predictions: readonly Prediction[]): number {
  const inScope = predictions.filter((prediction) => prediction.truth !== null);
  return inScope.filter((prediction) => prediction.predicted === prediction.truth).length / inScope.length;
}

export function outOfScopeRecall(predictions: readonly Prediction[], threshold: number): number {
  const outOfScope = predictions.filter((prediction) => prediction.truth === null);
  return outOfScope.filter((prediction) => prediction.confidence < threshold).length / outOfScope.length;
}

/**
 * The threshold that rejects at most `maxRejected` of the in-scope
 * validation queries, as high as possible (so it rejects as much
 * out-of-scope as that allows).
 */
export function chooseThreshold(predictions: readonly Prediction[], maxRejected = 0.1): number {
  const confidences = predictions
    .filter((prediction) => prediction.truth !== null)
    .map((prediction) => prediction.confidence)
    .sort((left, right) => left - right);
  const allowed = Math.floor(confidences.length * maxRejected);
  // Rejected are those strictly below the threshold: the allowed-th smallest
  // confidence as threshold rejects exactly the `allowed` below it (ties kept).
  return confidences[allowed] ?? 0;
}

/** Probability that a random in-scope query has higher confidence than a random out-of-scope one. */
export function auroc(predictions: readonly Prediction[]): number {
  const ranked = predictions
    .map((prediction) => ({ positive: prediction.truth !== null, confidence: prediction.confidence }))
    .sort((left, right) => left.confidence - right.confidence);
  let positives = 0;
  let negatives = 0;
  let rankSum = 0;
  for (let index = 0; index < ranked.length; ) {
    let end = index;
    while (end < ranked.length && ranked[end]?.confidence === ranked[index]?.confidence) end++;
    const averageRank = (index + 1 + end) / 2;
    for (let tied = index; tied < end; tied++) {
      if (ranked[tied]?.positive) {
        positives++;
        rankSum += averageRank;
      } else negatives++;
    }
    index = end;
  }
  if (positives === 0 || negatives === 0) return Number.NaN;
  return (rankSum - (positives * (positives + 1)) / 2) / (positives * negatives);
}

export function predictAll(
  classify: (text: string) => { ranking: ReadonlyArray<{ intent: string; confidence: number }> },
  inScope: readonly LabelledText[],
  outOfScope: readonly string[] = [],
): Prediction[] {
  const predictions: Prediction[] = [];
  const add = (text: string, truth: string | null): void => {
    const top = classify(text).ranking[0];
    predictions.push({ truth, predicted: top?.intent ?? '', confidence: top?.confidence ?? 0 });
  };
  for (const [text, intent] of inScope) add(text, intent);
  for (const text of outOfScope) add(text, null);
  return predictions;
}
