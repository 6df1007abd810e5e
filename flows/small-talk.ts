/**
 * Small talk every flow understands unless it says otherwise: greetings,
 * thanks, goodbyes and "are you a bot?", answered in place (a digression
 * that asks the visitor's question again), plus the yes and no that
 * confirmations need when a flow has no intents of its own for them.
 *
 * A flow overrides a built-in answer with its own global transition for the
 * intent, and the examples with its own intent of the same name;
 * `"smallTalk": false` turns the answers off.
 */
import type { Intent, Message, Transition } from './types.ts';

export const SMALL_TALK_INTENTS = ['GREET', 'THANKS', 'GOODBYE', 'BOT_QUESTION'] as const;
/** The intents a confirmation question ("Do you want to talk to a member of staff?") is answered with. */
export const YES_INTENT = 'AFFIRM';
export const NO_INTENT = 'DENY';

export const BUILT_IN_INTENTS: { readonly [name: string]: Intent } = {
  GREET: {
    examples: {
      en: ['hi', 'hello', 'hey', 'good morning', 'good evening', 'hi there', 'hello, anyone there?'],
      fr: ['bonjour', 'salut', 'bonsoir', 'coucou', 'bonjour, il y a quelqu’un ?'],
    },
  },
  THANKS: {
    examples: {
      en: ['thanks', 'thank you', 'thanks a lot', 'cheers', 'great, thank you', 'thank you very much', 'much appreciated'],
      fr: ['merci', 'merci beaucoup', 'merci bien', 'super, merci', 'c’est gentil'],
    },
  },
  GOODBYE: {
    examples: {
      en: ['bye', 'goodbye', 'see you', 'have a nice day', 'that’s all, bye', 'see you soon'],
      fr: ['au revoir', 'à bientôt', 'bonne journée', 'bonne soirée', 'salut, à plus'],
    },
  },
  BOT_QUESTION: {
    examples: {
      en: ['are you a bot', 'am I talking to a robot', 'are you human', 'is this an automated chat', 'are you a machine'],
      fr: ['êtes-vous un robot', 'tu es un bot', 'je parle à une machine', 'vous êtes humain'],
    },
  },
  [YES_INTENT]: {
    examples: { en: ['yes', 'yes please', 'sure', 'ok', 'that’s right', 'go ahead'], fr: ['oui', 'oui merci', 'd’accord', 'c’est ça', 'allez-y'] },
  },
  [NO_INTENT]: {
    examples: { en: ['no', 'no thanks', 'not really', 'nope'], fr: ['non', 'non merci', 'pas vraiment'] },
  },
};

const ANSWERS: { readonly [intent in (typeof SMALL_TALK_INTENTS)[number]]: Message } = {
  GREET: { en: 'Hello! How can I help?', fr: 'Bonjour ! Comment puis-je vous aider ?' },
  THANKS: { en: 'You’re welcome!', fr: 'Avec plaisir !' },
  GOODBYE: { en: 'Goodbye, and thank you for stopping by!', fr: 'Au revoir, et merci de votre visite !' },
  BOT_QUESTION: {
    en: 'I’m an automated assistant. Say “talk to a human” if you’d rather speak to a person.',
    fr: 'Je suis un assistant automatique. Dites « parler à un humain » si vous préférez une personne.',
  },
};

/** Built-in texts of the engine, per language. */
export const BUILT_IN_TEXT = {
  yes: { en: 'Yes', fr: 'Oui' },
  no: { en: 'No', fr: 'Non' },
  notConfirmed: { en: 'OK, let’s carry on.', fr: 'D’accord, continuons.' },
  restart: { en: 'Would you like to start again?', fr: 'Voulez-vous recommencer ?' },
  ended: { en: 'OK. Have a good day!', fr: 'D’accord. Bonne journée !' },
} satisfies { [key: string]: Message };

/** The built-in global transitions: each small-talk intent answered in place. */
export function smallTalkTransitions(): Transition[] {
  return SMALL_TALK_INTENTS.map((intent) => ({ onIntent: [intent], digress: true, do: [{ say: ANSWERS[intent] }] }));
}
