/**
 * Choosing an intent with what the classifier cannot see in one message: its
 * sentences, and the question it answers. Shared by the widget's local NLU
 * and the relay, so both read a message the same way.
 */
import type { Classification, Classifier, ClassifyOptions } from './classifier.ts';

export interface InContextOptions extends ClassifyOptions {
  /**
   * Intents that are politeness rather than a request (greetings, thanks): a
   * message that also asks for something ("Thanks. Can you book a table?")
   * means the request.
   */
  social?: readonly string[];
  /** Bare agreement or refusal ("yes", "no"): in a longer message, the request in it wins over them too. */
  minor?: readonly string[];
  /**
   * The slot the last question asked for was found in the message: the
   * intents that carry that slot. A message that answers the question is not
   * read as something else unless the classifier is sure of it.
   */
  answers?: readonly string[];
}

/** A classification this sure wins over the reading the context suggests. */
const SURE = 0.9;

const SENTENCE_BREAK = /[.!?;。！？]+|,\s+|\s+-\s+/u;

export function classifyInContext(classifier: Classifier, text: string, options: InContextOptions = {}): Classification {
  const threshold = options.threshold ?? 0.5;
  const whole = classifier.classify(text, options);
  const top = whole.ranking[0];
  if (top === undefined) return whole;
  const social = new Set([...(options.social ?? []), ...(options.minor ?? [])]);
  if (social.has(top.intent)) {
    const sentences = text.split(SENTENCE_BREAK).filter((sentence) => sentence.trim() !== '');
    if (sentences.length > 1) {
      let best: Classification | null = null;
      for (const sentence of sentences) {
        const part = classifier.classify(sentence, options);
        if (part.intent === null || social.has(part.intent)) continue;
        if (best === null || part.confidence > best.confidence) best = part;
      }
      if (best !== null) return best;
    }
  }
  const answers = options.answers;
  if (answers !== undefined && !answers.includes(top.intent) && top.confidence < SURE) {
    const answering = whole.ranking.find((ranked) => answers.includes(ranked.intent) && ranked.confidence >= threshold);
    return answering
      ? { intent: answering.intent, confidence: answering.confidence, ranking: whole.ranking }
      : { intent: null, confidence: top.confidence, ranking: whole.ranking };
  }
  return whole;
}
