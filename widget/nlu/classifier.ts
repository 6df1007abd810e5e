import { DEFAULT_FEATURE_SETTINGS, blockOfFeature, countTerms, isStopFeature, type FeatureSettings, type TermCounts } from './features.ts';

/** The training data: intent name → its example phrases (a flow's `intents` fits as is). */
export type TrainingIntents = { readonly [intent: string]: { readonly examples: readonly string[] } };

export interface RankedIntent {
  intent: string;
  /** In [0, 1]; monotone in the intent's similarity to the utterance. */
  confidence: number;
}

export interface Classification {
  /** The best intent, or `null` when its confidence is below the threshold (out of scope). */
  intent: string | null;
  /** The best intent's confidence (also when `intent` is `null`). */
  confidence: number;
  /** Every candidate intent, best first. */
  ranking: RankedIntent[];
}

export interface ClassifyOptions {
  /** Below this confidence the answer is out of scope. Default {@link DEFAULT_THRESHOLD}. */
  threshold?: number;
  /** Only these intents compete (e.g. the intents the current state handles). Unknown names are ignored. */
  allowed?: readonly string[];
}

/**
 * @example
 * ```ts
 * const classifier = trainClassifier(flow.intents);
 * classifier.classify('table for two tonight', { allowed: ['BOOK', 'CANCEL'] });
 * // → { intent: 'BOOK', confidence: 0.83, ranking: [{ intent: 'BOOK', … }, …] }
 * ```
 */
export interface Classifier {
  classify(text: string, options?: ClassifyOptions): Classification;
  /** The intents the classifier knows, in code-unit order. */
  readonly intents: readonly string[];
}

/**
 * The confidence threshold the classifier ships with. The calibration below
 * is fitted so that, on CLINC150 validation data at 10 examples per intent,
 * this threshold rejects about 10% of in-scope queries (see RESULTS.md).
 */
export const DEFAULT_THRESHOLD = 0.5;

/** How similarities become scores and scores become confidences (chosen on validation data). */
export interface ScoringSettings {
  /** Share of the nearest-example similarity in the score; the rest is the centroid similarity. */
  nearestWeight: number;
  /** Slope of the logistic confidence curve. */
  slope: number;
  /** Score at which a candidate with no margin over its rival has confidence 0.5. */
  center: number;
  /** How much the margin to the best rival adds to (or takes from) the confidence. */
  marginWeight: number;
  /** Inverse frequency counted over intents (true) or over examples (false). */
  intentFrequency: boolean;
}

export const DEFAULT_SCORING_SETTINGS: ScoringSettings = {
  nearestWeight: 0.5,
  slope: 12,
  center: 0.262,
  marginWeight: 1,
  intentFrequency: true,
};

export interface ClassifierSettings {
  features?: Partial<FeatureSettings>;
  scoring?: Partial<ScoringSettings>;
}

/** A sparse matrix stored by feature id (compressed columns): rows are examples or intents. */
interface PostingLists {
  start: Int32Array;
  row: Int32Array;
  weight: Float32Array;
}

/**
 * Feature → id, as open addressing over two Int32Arrays: a tenth of the
 * memory of a Map with the same keys, and as fast to probe.
 */
interface FeatureTable {
  keys: Int32Array;
  ids: Int32Array;
  shift: number;
}

/** A table for `count` features, kept at most three-quarters full so probes stay short. */
function createTable(count: number): FeatureTable {
  let bits = 4;
  while ((1 << bits) * 0.75 < count) bits++;
  return { keys: new Int32Array(1 << bits).fill(-1), ids: new Int32Array(1 << bits), shift: 32 - bits };
}

function slotOf(table: FeatureTable, feature: number): number {
  const mask = table.keys.length - 1;
  let slot = Math.imul(feature, 0x9e3779b1) >>> table.shift;
  while (table.keys[slot] !== -1 && table.keys[slot] !== feature) slot = (slot + 1) & mask;
  return slot;
}

function lookup(table: FeatureTable, feature: number): number {
  const slot = slotOf(table, feature);
  return table.keys[slot] === feature ? (table.ids[slot] as number) : -1;
}

/** Everything `classify` needs, and nothing of the training scaffolding (so it can be collected). */
interface Model {
  intentNames: readonly string[];
  features: FeatureSettings;
  scoring: ScoringSettings;
  table: FeatureTable;
  inverseFrequency: Float32Array;
  unseenInverseFrequency: number;
  exampleIntent: Int32Array;
  examplePostings: PostingLists;
  centroidPostings: PostingLists;
}

interface SparseVector {
  ids: number[];
  values: number[];
}

/**
 * Sublinear tf × idf, each block L2-normalised and weighted, then the whole
 * vector L2-normalised. For a query, features never seen in training still
 * count in the norm (with the rarest feature's weight): an utterance made of
 * unknown words is unlike every example, which is what out-of-scope needs.
 */
function toVector(model: Model, terms: TermCounts, forQuery: boolean): SparseVector {
  const blockWeights = [model.features.wordWeight, model.features.bigramWeight, model.features.charWeight];
  const ids: number[] = [];
  const values: number[] = [];
  const idBlocks: number[] = [];
  const blockNorms = [0, 0, 0];
  const unseenByBlock = [0, 0, 0];
  for (let index = 0; index < terms.features.length; index++) {
    const feature = terms.features[index] as number;
    const id = lookup(model.table, feature);
    const block = blockOfFeature(feature);
    const weight = id < 0 ? model.unseenInverseFrequency : (model.inverseFrequency[id] as number);
    const prior = isStopFeature(feature) ? model.features.stopWordWeight : 1;
    const value = (1 + Math.log(terms.counts[index] as number)) * prior * weight;
    blockNorms[block] = (blockNorms[block] as number) + value * value;
    if (id < 0) {
      if (forQuery) unseenByBlock[block] = (unseenByBlock[block] as number) + value * value;
      continue;
    }
    ids.push(id);
    values.push(value);
    idBlocks.push(block);
  }
  const scale = blockNorms.map((norm, block) => (norm === 0 ? 0 : (blockWeights[block] as number) / Math.sqrt(norm)));
  let total = 0;
  for (let index = 0; index < values.length; index++) {
    const value = (values[index] as number) * (scale[idBlocks[index] as number] as number);
    values[index] = value;
    total += value * value;
  }
  for (let block = 0; block < 3; block++) total += (unseenByBlock[block] as number) * (scale[block] as number) ** 2;
  const norm = Math.sqrt(total);
  if (norm > 0) for (let index = 0; index < values.length; index++) values[index] = (values[index] as number) / norm;
  return { ids, values };
}

function fit(intents: TrainingIntents, settings: ClassifierSettings): Model {
  const features: FeatureSettings = { ...DEFAULT_FEATURE_SETTINGS, ...settings.features };
  const scoring: ScoringSettings = { ...DEFAULT_SCORING_SETTINGS, ...settings.scoring };
  const intentNames = Object.keys(intents).sort((left, right) => (left < right ? -1 : left > right ? 1 : 0));

  const exampleIntent: number[] = [];
  const exampleTerms: TermCounts[] = [];
  intentNames.forEach((name, intentIndex) => {
    const seen = new Set<string>();
    for (const example of intents[name]?.examples ?? []) {
      const trimmed = example.trim();
      if (trimmed === '' || seen.has(trimmed)) continue;
      seen.add(trimmed);
      exampleIntent.push(intentIndex);
      exampleTerms.push(countTerms(trimmed, features));
    }
  });

  let featureTotal = 0;
  for (const terms of exampleTerms) featureTotal += terms.features.length;
  const table = createTable(featureTotal);
  const exampleFrequency: number[] = [];
  const intentFrequency: number[] = [];
  const lastIntentOf: number[] = [];
  exampleTerms.forEach((terms, exampleIndex) => {
    const intent = exampleIntent[exampleIndex] as number;
    for (const feature of terms.features) {
      const slot = slotOf(table, feature);
      let id: number;
      if (table.keys[slot] === feature) id = table.ids[slot] as number;
      else {
        id = exampleFrequency.length;
        table.keys[slot] = feature;
        table.ids[slot] = id;
        exampleFrequency.push(0);
        intentFrequency.push(0);
        lastIntentOf.push(-1);
      }
      exampleFrequency[id] = (exampleFrequency[id] as number) + 1;
      if (lastIntentOf[id] !== intent) {
        lastIntentOf[id] = intent;
        intentFrequency[id] = (intentFrequency[id] as number) + 1;
      }
    }
  });
  const featureCount = exampleFrequency.length;
  // The table above was sized for every feature occurrence; keep a compact copy.
  const compact = createTable(featureCount);
  for (let slot = 0; slot < table.keys.length; slot++) {
    const feature = table.keys[slot] as number;
    if (feature === -1) continue;
    const target = slotOf(compact, feature);
    compact.keys[target] = feature;
    compact.ids[target] = table.ids[slot] as number;
  }
  const exampleTotal = exampleTerms.length;
  const intentTotal = intentNames.length;
  // Inverse frequency over intents rather than examples: a word every example
  // of one intent uses ("balance") is its best clue, not a common word.
  const inverseFrequency = new Float32Array(featureCount);
  for (let id = 0; id < featureCount; id++) {
    inverseFrequency[id] = scoring.intentFrequency
      ? Math.log((1 + intentTotal) / (1 + (intentFrequency[id] as number))) + 1
      : Math.log((1 + exampleTotal) / (1 + (exampleFrequency[id] as number))) + 1;
  }
  const model: Model = {
    intentNames,
    features,
    scoring,
    table: compact,
    inverseFrequency,
    unseenInverseFrequency: Math.log(1 + (scoring.intentFrequency ? intentTotal : exampleTotal)) + 1,
    exampleIntent: Int32Array.from(exampleIntent),
    examplePostings: { start: new Int32Array(1), row: new Int32Array(0), weight: new Float32Array(0) },
    centroidPostings: { start: new Int32Array(1), row: new Int32Array(0), weight: new Float32Array(0) },
  };

  const exampleVectors = exampleTerms.map((terms) => toVector(model, terms, false));
  const centroids: Array<Map<number, number>> = intentNames.map(() => new Map());
  exampleVectors.forEach(({ ids, values }, exampleIndex) => {
    const centroid = centroids[exampleIntent[exampleIndex] as number] as Map<number, number>;
    ids.forEach((id, index) => centroid.set(id, (centroid.get(id) ?? 0) + (values[index] as number)));
  });
  const centroidVectors = centroids.map((centroid): SparseVector => {
    let total = 0;
    for (const value of centroid.values()) total += value * value;
    const norm = Math.sqrt(total) || 1;
    return { ids: [...centroid.keys()], values: [...centroid.values()].map((value) => value / norm) };
  });
  model.examplePostings = buildPostings(exampleVectors, featureCount);
  model.centroidPostings = buildPostings(centroidVectors, featureCount);
  return model;
}

/**
 * Trains the local classifier from example phrases: word, word-pair and
 * character n-gram TF-IDF (sublinear tf, inverse frequency over intents),
 * scored against each intent's nearest example and its centroid. No model
 * download, no network, no globals: the same code runs in the browser and in
 * Node.
 */
export function trainClassifier(intents: TrainingIntents, settings: ClassifierSettings = {}): Classifier {
  return createClassifier(fit(intents, settings));
}

function createClassifier(model: Model): Classifier {
  const { intentNames, scoring, exampleIntent } = model;
  const exampleScores = new Float32Array(exampleIntent.length);
  const centroidScores = new Float32Array(intentNames.length);
  const nearestScores = new Float32Array(intentNames.length);
  const combined = new Float64Array(intentNames.length);
  const allIntents = Int32Array.from(intentNames, (_, index) => index);
  const intentIndexByName = new Map(intentNames.map((name, index) => [name, index]));

  const confidenceOf = (score: number, rival: number): number =>
    1 / (1 + Math.exp(-scoring.slope * (score - scoring.center + scoring.marginWeight * (score - rival))));

  const classify = (text: string, options: ClassifyOptions = {}): Classification => {
    const threshold = options.threshold ?? DEFAULT_THRESHOLD;
    let candidates = allIntents;
    if (options.allowed !== undefined) {
      const allowed = new Set<number>();
      for (const name of options.allowed) {
        const index = intentIndexByName.get(name);
        if (index !== undefined) allowed.add(index);
      }
      candidates = Int32Array.from(allowed);
    }
    if (candidates.length === 0) return { intent: null, confidence: 0, ranking: [] };

    const query = toVector(model, countTerms(text, model.features), true);
    exampleScores.fill(0);
    centroidScores.fill(0);
    nearestScores.fill(0);
    accumulate(model.examplePostings, query, exampleScores);
    accumulate(model.centroidPostings, query, centroidScores);
    for (let example = 0; example < exampleIntent.length; example++) {
      const intent = exampleIntent[example] as number;
      const score = exampleScores[example] as number;
      if (score > (nearestScores[intent] as number)) nearestScores[intent] = score;
    }
    for (const index of candidates) {
      combined[index] =
        scoring.nearestWeight * (nearestScores[index] as number) + (1 - scoring.nearestWeight) * (centroidScores[index] as number);
    }
    const order = candidates.slice().sort((left, right) => (combined[right] as number) - (combined[left] as number) || left - right);
    const best = combined[order[0] as number] as number;
    const runnerUp = order.length > 1 ? (combined[order[1] as number] as number) : 0;
    const ranking: RankedIntent[] = new Array<RankedIntent>(order.length);
    for (let position = 0; position < order.length; position++) {
      const index = order[position] as number;
      ranking[position] = {
        intent: intentNames[index] as string,
        confidence: confidenceOf(combined[index] as number, position === 0 ? runnerUp : best),
      };
    }
    const top = ranking[0] as RankedIntent;
    return { intent: top.confidence >= threshold ? top.intent : null, confidence: top.confidence, ranking };
  };

  return { classify, intents: intentNames };
}

function buildPostings(vectors: readonly SparseVector[], featureCount: number): PostingLists {
  const start = new Int32Array(featureCount + 1);
  for (const { ids } of vectors) for (const id of ids) start[id + 1] = (start[id + 1] as number) + 1;
  for (let id = 0; id < featureCount; id++) start[id + 1] = (start[id + 1] as number) + (start[id] as number);
  const total = start[featureCount] as number;
  const row = new Int32Array(total);
  const weight = new Float32Array(total);
  const cursor = start.slice(0, featureCount);
  vectors.forEach(({ ids, values }, rowIndex) => {
    ids.forEach((id, index) => {
      const at = cursor[id] as number;
      row[at] = rowIndex;
      weight[at] = values[index] as number;
      cursor[id] = at + 1;
    });
  });
  return { start, row, weight };
}

function accumulate(postings: PostingLists, query: SparseVector, scores: Float32Array): void {
  for (let index = 0; index < query.ids.length; index++) {
    const id = query.ids[index] as number;
    const value = query.values[index] as number;
    const end = postings.start[id + 1] as number;
    for (let at = postings.start[id] as number; at < end; at++) {
      const row = postings.row[at] as number;
      scores[row] = (scores[row] as number) + value * (postings.weight[at] as number);
    }
  }
}
