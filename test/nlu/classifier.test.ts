import { describe, expect, it } from 'vitest';
import { DEFAULT_THRESHOLD, trainClassifier } from '../../widget/nlu/index.ts';

const intents = {
  BOOK: { examples: ["I'd like to book a table", 'reserve a table for two', 'can I make a reservation', 'book dinner for tonight'] },
  CANCEL: { examples: ['cancel my reservation', 'I need to cancel the booking', 'please cancel it', 'call off my table'] },
  HOURS: { examples: ['when are you open', 'what are your opening hours', 'are you open on sunday', 'what time do you close'] },
  MENU: { examples: ['can I see the menu', 'do you have vegan dishes', 'what food do you serve', 'show me the wine list'] },
};

describe('trainClassifier', () => {
  const classifier = trainClassifier(intents);

  it('ranks the right intent first on paraphrases', () => {
    expect(classifier.classify('could I reserve a table for tonight?').intent).toBe('BOOK');
    expect(classifier.classify('I want to cancel my booking').intent).toBe('CANCEL');
    expect(classifier.classify('What are the opening hours on Sunday?').intent).toBe('HOURS');
    expect(classifier.classify('do you serve vegan food').intent).toBe('MENU');
  });

  it('returns every intent ranked, with confidences in [0, 1], best first', () => {
    const { ranking, confidence } = classifier.classify('book a table');
    expect(ranking.map((entry) => entry.intent).sort()).toEqual(['BOOK', 'CANCEL', 'HOURS', 'MENU']);
    expect(ranking[0]?.confidence).toBe(confidence);
    for (let index = 0; index < ranking.length; index++) {
      const entry = ranking[index];
      expect(entry?.confidence).toBeGreaterThanOrEqual(0);
      expect(entry?.confidence).toBeLessThanOrEqual(1);
      if (index > 0) expect(entry?.confidence).toBeLessThanOrEqual(ranking[index - 1]?.confidence ?? 1);
    }
  });

  it('is deterministic: same data in any key order gives the same answers', () => {
    const reversed = Object.fromEntries(Object.entries(intents).reverse());
    const other = trainClassifier(reversed);
    for (const text of ['book a table', 'cancel', 'hello there', 'wine', '']) {
      expect(other.classify(text)).toEqual(classifier.classify(text));
      expect(classifier.classify(text)).toEqual(classifier.classify(text));
    }
    expect(other.intents).toEqual(['BOOK', 'CANCEL', 'HOURS', 'MENU']);
  });

  it('answers out of scope below the threshold', () => {
    const unrelated = classifier.classify('what is the capital of mongolia');
    expect(unrelated.intent).toBeNull();
    expect(unrelated.confidence).toBeLessThan(DEFAULT_THRESHOLD);
    expect(unrelated.ranking).toHaveLength(4);
    const clear = classifier.classify('cancel my reservation please');
    expect(clear.intent).toBe('CANCEL');
    expect(classifier.classify('cancel my reservation please', { threshold: clear.confidence }).intent).toBe('CANCEL');
    expect(classifier.classify('cancel my reservation please', { threshold: clear.confidence + 1e-9 }).intent).toBeNull();
    expect(classifier.classify('what is the capital of mongolia', { threshold: 0 }).intent).not.toBeNull();
  });

  it('gives an empty or unknown message no intent', () => {
    expect(classifier.classify('').intent).toBeNull();
    expect(classifier.classify('zzzz qqqq').intent).toBeNull();
  });

  it('restricts the candidates to the allowed intents', () => {
    const restricted = classifier.classify('I want to cancel my booking', { allowed: ['BOOK', 'HOURS', 'NOT_AN_INTENT'] });
    expect(restricted.ranking.map((entry) => entry.intent).sort()).toEqual(['BOOK', 'HOURS']);
    expect(restricted.intent === null || restricted.intent === 'BOOK').toBe(true);
    expect(classifier.classify('book a table', { allowed: [] })).toEqual({ intent: null, confidence: 0, ranking: [] });
  });

  it('trains on intents without examples and on duplicate examples', () => {
    const odd = trainClassifier({ EMPTY: { examples: [] }, GREET: { examples: ['hello', 'hello', ' hi '] } });
    const result = odd.classify('hello');
    expect(result.intent).toBe('GREET');
    expect(result.ranking.at(-1)?.intent).toBe('EMPTY');
  });

  it('learns the intents of a flow as written (extra fields ignored)', () => {
    const flowIntents = { GREET: { examples: ['hi', 'hello there'], slots: { name: 'name' as const } } };
    expect(trainClassifier(flowIntents).classify('hello!').intent).toBe('GREET');
  });
});
