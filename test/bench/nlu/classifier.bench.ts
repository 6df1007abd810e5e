/**
 * Intent classifier benchmark: CLINC150 and SNIPS at K = 5, 10 and full,
 * following /work/shared/bench/nlu/README.md. Rewrites the classifier part of
 * test/bench/nlu/RESULTS.md.
 *
 *   npx tsx test/bench/nlu/classifier.bench.ts
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { DEFAULT_THRESHOLD, trainClassifier } from '../../../widget/nlu/index.ts';
import { loadClinc150, loadSnips } from './data.ts';
import {
  auroc,
  chooseThreshold,
  closedSetAccuracy,
  inScopeAccuracy,
  outOfScopeRecall,
  predictAll,
  type Prediction,
} from './metrics.ts';
import { sampleK, toTrainingIntents, type LabelledText } from './sampling.ts';

setFlagsFromString('--expose-gc');
const collectGarbage = runInNewContext('gc') as () => void;

interface Model {
  classify(text: string): { ranking: ReadonlyArray<{ intent: string; confidence: number }> };
}
type Trainer = (intents: { [intent: string]: { examples: string[] } }) => Model;

/**
 * The reference baseline: character 3–5-gram TF-IDF (over the whole
 * lower-cased text, smooth idf, L2-normalised) and the nearest intent
 * centroid by cosine; the confidence is that cosine.
 */
const trainBaseline: Trainer = (intents) => {
  const names = Object.keys(intents).sort();
  const grams = (text: string): Map<string, number> => {
    const lower = text.toLowerCase();
    const counts = new Map<string, number>();
    for (let length = 3; length <= 5; length++)
      for (let start = 0; start + length <= lower.length; start++) {
        const gram = lower.slice(start, start + length);
        counts.set(gram, (counts.get(gram) ?? 0) + 1);
      }
    return counts;
  };
  const examples = names.flatMap((name) => (intents[name]?.examples ?? []).map((text) => ({ name, counts: grams(text) })));
  const frequency = new Map<string, number>();
  for (const { counts } of examples) for (const gram of counts.keys()) frequency.set(gram, (frequency.get(gram) ?? 0) + 1);
  const inverse = (gram: string): number => Math.log((1 + examples.length) / (1 + (frequency.get(gram) ?? 0))) + 1;
  const vectorize = (counts: Map<string, number>): Map<string, number> => {
    const vector = new Map<string, number>();
    let norm = 0;
    for (const [gram, count] of counts) {
      if (!frequency.has(gram)) continue;
      const value = count * inverse(gram);
      vector.set(gram, value);
      norm += value * value;
    }
    norm = Math.sqrt(norm) || 1;
    for (const [gram, value] of vector) vector.set(gram, value / norm);
    return vector;
  };
  const centroids = names.map((name) => {
    const sum = new Map<string, number>();
    for (const example of examples)
      if (example.name === name) for (const [gram, value] of vectorize(example.counts)) sum.set(gram, (sum.get(gram) ?? 0) + value);
    let norm = 0;
    for (const value of sum.values()) norm += value * value;
    norm = Math.sqrt(norm) || 1;
    for (const [gram, value] of sum) sum.set(gram, value / norm);
    return sum;
  });
  return {
    classify(text) {
      const query = vectorize(grams(text));
      const ranking = centroids.map((centroid, index) => {
        let dot = 0;
        for (const [gram, value] of query) dot += value * (centroid.get(gram) ?? 0);
        return { intent: names[index] as string, confidence: dot };
      });
      ranking.sort((left, right) => right.confidence - left.confidence);
      return { ranking };
    },
  };
};

const trainOurs: Trainer = (intents) => trainClassifier(intents);

interface Run {
  closed: number;
  inScope?: number;
  outOfScopeRecall?: number;
  auroc?: number;
  threshold?: number;
  inScopeAtDefault?: number;
  outOfScopeRecallAtDefault?: number;
  trainMilliseconds: number;
  medianMicroseconds: number;
  p95Microseconds: number;
}

function quantile(sorted: readonly number[], fraction: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(fraction * sorted.length))] ?? Number.NaN;
}

function memoryInUse(): number {
  collectGarbage();
  collectGarbage();
  const usage = process.memoryUsage();
  return usage.heapUsed + usage.arrayBuffers;
}

let footprintHolder: Model | undefined;

function holdModel(train: Trainer, intents: { [intent: string]: { examples: string[] } }): void {
  footprintHolder = train(intents);
}

/**
 * Heap + ArrayBuffer bytes released when a held model is dropped, after full
 * collections; median of three. "Held minus released" is used rather than
 * "after minus before", because V8 can keep an earlier model reachable (from
 * call feedback or a stale interpreter register) and free it during the
 * second reading, which made "after minus before" read zero or negative. The
 * model is trained in its own frame and held in a module variable for the
 * same reason.
 */
function modelFootprint(train: Trainer, intents: { [intent: string]: { examples: string[] } }): number {
  const samples: number[] = [];
  for (let attempt = 0; attempt < 3; attempt++) {
    holdModel(train, intents);
    const held = memoryInUse();
    footprintHolder = undefined;
    samples.push(held - memoryInUse());
  }
  return samples.sort((left, right) => left - right)[1] ?? Number.NaN;
}

function run(
  train: Trainer,
  training: LabelledText[],
  test: readonly LabelledText[],
  outOfScope?: { val: readonly LabelledText[]; valOutOfScope: readonly string[]; testOutOfScope: readonly string[] },
): Run {
  const intents = toTrainingIntents(training);
  train(intents).classify('warm up');
  const times: number[] = [];
  let trained: Model | undefined;
  for (let attempt = 0; attempt < 3; attempt++) {
    const started = performance.now();
    trained = train(intents);
    times.push(performance.now() - started);
  }
  if (trained === undefined) throw new Error('no model trained');
  const model: Model = trained;
  for (const [text] of test.slice(0, 200)) model.classify(text);
  const latencies: number[] = [];
  const predictions: Prediction[] = [];
  const timed = (text: string, truth: string | null): void => {
    const started = performance.now();
    const top = model.classify(text).ranking[0];
    latencies.push((performance.now() - started) * 1000);
    predictions.push({ truth, predicted: top?.intent ?? '', confidence: top?.confidence ?? 0 });
  };
  for (const [text, intent] of test) timed(text, intent);
  for (const text of outOfScope?.testOutOfScope ?? []) timed(text, null);
  latencies.sort((left, right) => left - right);
  times.sort((left, right) => left - right);
  const result: Run = {
    closed: closedSetAccuracy(predictions),
    trainMilliseconds: times[1] ?? Number.NaN,
    medianMicroseconds: quantile(latencies, 0.5),
    p95Microseconds: quantile(latencies, 0.95),
  };
  if (outOfScope !== undefined) {
    const validation = predictAll((text) => model.classify(text), outOfScope.val, outOfScope.valOutOfScope);
    const threshold = chooseThreshold(validation);
    result.threshold = threshold;
    result.inScope = inScopeAccuracy(predictions, threshold);
    result.outOfScopeRecall = outOfScopeRecall(predictions, threshold);
    result.auroc = auroc(predictions);
    if (train === trainOurs) {
      result.inScopeAtDefault = inScopeAccuracy(predictions, DEFAULT_THRESHOLD);
      result.outOfScopeRecallAtDefault = outOfScopeRecall(predictions, DEFAULT_THRESHOLD);
    }
  } else result.inScope = result.closed;
  return result;
}

const percent = (value: number | undefined): string => (value === undefined ? '–' : (100 * value).toFixed(1));
const mean = (values: number[]): number => values.reduce((sum, value) => sum + value, 0) / values.length;
const spread = (values: number[]): string =>
  `${percent(mean(values))} (${percent(Math.min(...values))}–${percent(Math.max(...values))})`;

const clinc = loadClinc150();
const snips = loadSnips();
const snipsTrain = snips.train.map((utterance): LabelledText => [utterance.text, utterance.intent]);
const snipsTest = snips.test.map((utterance): LabelledText => [utterance.text.trim(), utterance.intent]);
const shots: Array<[label: string, count: number, seeds: string[]]> = [
  ['K=5', 5, ['0', '1', '2']],
  ['K=10', 10, ['0', '1', '2']],
  ['full', Number.POSITIVE_INFINITY, ['0']],
];

const lines: string[] = [];
const defaults: string[] = [];

// Memory first, before any classification has warmed call sites with models.
const footprints = new Map<string, number>();
holdModel(trainOurs, toTrainingIntents(sampleK(clinc.train, 10, '1')));
holdModel(trainBaseline, toTrainingIntents(sampleK(clinc.train, 10, '1')));
footprintHolder = undefined;
for (const [dataset, train] of [
  ['CLINC150', clinc.train],
  ['SNIPS', snipsTrain],
] as const) {
  for (const [label, count] of shots) {
    for (const [modelName, trainer] of [
      ['ours', trainOurs],
      ['baseline', trainBaseline],
    ] as const) {
      footprints.set(`${dataset} ${label} ${modelName}`, modelFootprint(trainer, toTrainingIntents(sampleK(train, count, '0'))));
    }
  }
}
const write = (line = ''): void => {
  lines.push(line);
  process.stdout.write(`${line}\n`);
};

write('## Intent classifier');
write();
write(`Measured ${new Date().toISOString().slice(0, 10)} on Node ${process.versions.node}, ${process.arch}; rewrite with`);
write('`npx tsx test/bench/nlu/classifier.bench.ts`. Protocol: /work/shared/bench/nlu/README.md (fnv1a32 K-shot');
write('sampling, seeds "0", "1", "2"; whole test split). The rejection threshold is chosen per trained model on');
write('CLINC150 `val` + `oos_val` as the highest value that rejects at most 10% of in-scope `val` queries; test data');
write('never chooses anything. "ours" is `trainClassifier` with its shipped settings (chosen on validation data by');
write('`test/bench/nlu/tune.ts`); "baseline" is character 3–5-gram TF-IDF nearest centroid, reimplemented in this file.');
write();

for (const [dataset, train, test, outOfScope] of [
  ['CLINC150', clinc.train, clinc.test, { val: clinc.val, valOutOfScope: clinc.oos_val, testOutOfScope: clinc.oos_test }],
  ['SNIPS', snipsTrain, snipsTest, undefined],
] as const) {
  write(`### ${dataset}`);
  write();
  if (outOfScope !== undefined) {
    write('| K | model | in-scope acc. seed 0 | in-scope acc. mean (range) | OOS recall seed 0 | OOS recall mean | closed-set acc. seed 0 | closed-set mean | AUROC seed 0 | threshold seed 0 | train ms | classify µs median / p95 | model memory KB |');
    write('|---|---|---|---|---|---|---|---|---|---|---|---|---|');
  } else {
    write('| K | model | accuracy seed 0 | accuracy mean (range) | train ms | classify µs median / p95 | model memory KB |');
    write('|---|---|---|---|---|---|---|');
  }
  for (const [label, count, seeds] of shots) {
    for (const [modelName, trainer] of [
      ['ours', trainOurs],
      ['baseline', trainBaseline],
    ] as const) {
      const runs = seeds.map((seed) => run(trainer, sampleK(train, count, seed), test, outOfScope));
      const first = runs[0] as Run;
      const memoryKilobytes = (footprints.get(`${dataset} ${label} ${modelName}`) ?? Number.NaN) / 1024;
      const cost = `${first.trainMilliseconds.toFixed(1)} | ${first.medianMicroseconds.toFixed(0)} / ${first.p95Microseconds.toFixed(0)} | ${memoryKilobytes.toFixed(0)}`;
      if (outOfScope !== undefined) {
        write(
          `| ${label} | ${modelName} | ${percent(first.inScope)} | ${spread(runs.map((item) => item.inScope ?? 0))} | ${percent(first.outOfScopeRecall)} | ${percent(mean(runs.map((item) => item.outOfScopeRecall ?? 0)))} | ${percent(first.closed)} | ${percent(mean(runs.map((item) => item.closed)))} | ${first.auroc?.toFixed(3)} | ${first.threshold?.toFixed(3)} | ${cost} |`,
        );
      } else {
        write(`| ${label} | ${modelName} | ${percent(first.inScope)} | ${spread(runs.map((item) => item.inScope ?? 0))} | ${cost} |`);
      }
      if (modelName === 'ours' && first.inScopeAtDefault !== undefined)
        defaults.push(`${dataset} ${label} seed 0 at the shipped DEFAULT_THRESHOLD ${DEFAULT_THRESHOLD}: in-scope ${percent(first.inScopeAtDefault)}%, OOS recall ${percent(first.outOfScopeRecallAtDefault)}%`);
    }
  }
  write();
}
write('Fixed-threshold check (no validation data; the threshold the classifier ships with):');
write();
for (const line of defaults) write(`- ${line}`);
write();
write('Slot extraction results: see SLOTS.md (`npx tsx test/bench/nlu/slots.bench.ts`).');

const resultsPath = resolve(dirname(fileURLToPath(import.meta.url)), 'RESULTS.md');
const notesMarker = '<!-- notes: kept across runs -->';
let notes = '';
try {
  const previous = readFileSync(resultsPath, 'utf8');
  const at = previous.indexOf(notesMarker);
  if (at >= 0) notes = previous.slice(at);
} catch {
  notes = '';
}
writeFileSync(resultsPath, `# NLU benchmark results\n\n${lines.join('\n')}\n\n${notes || `${notesMarker}\n`}`);
