/**
 * Chooses the classifier's settings on validation data only: CLINC150 `val`
 * + `oos_val`, and for SNIPS (which has no validation split) the training
 * utterances left out of the K-shot sample. Test splits are never read here.
 *
 *   npx tsx test/bench/nlu/tune.ts [json-settings ...]
 *
 * Each argument is a JSON `ClassifierSettings` object to evaluate (default:
 * the shipped settings). Prints one line per setting.
 */
import { trainClassifier, type ClassifierSettings } from '../../../widget/nlu/classifier.ts';
import { loadClinc150, loadSnips } from './data.ts';
import { auroc, chooseThreshold, closedSetAccuracy, inScopeAccuracy, outOfScopeRecall, predictAll } from './metrics.ts';
import { sampleK, toTrainingIntents, type LabelledText } from './sampling.ts';

const clinc = loadClinc150();
const snipsTrain = loadSnips().train.map((utterance): LabelledText => [utterance.text.trim(), utterance.intent]);
const seeds = ['0', '1', '2'];

function evaluate(settings: ClassifierSettings, count: number): string {
  const clincRows = seeds.map((seed) => {
    const intents = toTrainingIntents(sampleK(clinc.train, count, seed));
    const trainStarted = performance.now();
    const classifier = trainClassifier(intents, settings);
    const trainMilliseconds = performance.now() - trainStarted;
    const started = performance.now();
    const predictions = predictAll((text) => classifier.classify(text), clinc.val, clinc.oos_val);
    const microseconds = ((performance.now() - started) * 1000) / predictions.length;
    const threshold = chooseThreshold(predictions);
    return {
      closed: closedSetAccuracy(predictions),
      inScope: inScopeAccuracy(predictions, threshold),
      recall: outOfScopeRecall(predictions, threshold),
      auroc: auroc(predictions),
      threshold,
      microseconds,
      trainMilliseconds,
    };
  });
  const snipsRows = seeds.map((seed) => {
    const sample = sampleK(snipsTrain, count, seed);
    const sampled = new Set(sample.map(([text]) => text));
    const heldOut = snipsTrain.filter(([text]) => !sampled.has(text));
    const classifier = trainClassifier(toTrainingIntents(sample), settings);
    return closedSetAccuracy(predictAll((text) => classifier.classify(text), heldOut));
  });
  const mean = (values: number[]): number => values.reduce((sum, value) => sum + value, 0) / values.length;
  const percent = (value: number): string => (100 * value).toFixed(1);
  return [
    `K=${count}`,
    `clinc closed ${percent(mean(clincRows.map((row) => row.closed)))}`,
    `in-scope ${percent(mean(clincRows.map((row) => row.inScope)))}`,
    `oos ${percent(mean(clincRows.map((row) => row.recall)))}`,
    `auroc ${mean(clincRows.map((row) => row.auroc)).toFixed(3)}`,
    `T ${mean(clincRows.map((row) => row.threshold)).toFixed(3)}`,
    `${mean(clincRows.map((row) => row.microseconds)).toFixed(0)}µs`,
    `train ${mean(clincRows.map((row) => row.trainMilliseconds)).toFixed(0)}ms`,
    `snips ${percent(mean(snipsRows))}`,
  ].join(' | ');
}

const variants = process.argv.slice(2).map((argument) => JSON.parse(argument) as ClassifierSettings);
for (const settings of variants.length > 0 ? variants : [{}]) {
  for (const count of [5, 10]) process.stdout.write(`${JSON.stringify(settings)} ${evaluate(settings, count)}\n`);
}
