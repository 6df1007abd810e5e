import { findNumbers } from '../number.ts';
import { findEnglishTemporal } from './en-temporal.ts';
import type { LanguageModule } from './language.ts';

const COMPANION = '(?:wife|husband|partner|girlfriend|boyfriend|fiancée?|friend|colleague|coworker|son|daughter|kid|child|mum|mom|dad|mother|father|brother|sister|date|boss|other half|plus[- ]one)';

export const english: LanguageModule = {
  code: 'en',
  findTemporal: findEnglishTemporal,
  findNumbers,
  headCounts: [
    [/\b(?:just\s|only\s)?(?:the\s)?two\sof\sus\b|\bboth\sof\sus\b|\b(?:just\s)?a\scouple\b(?!\sof\s(?!us\b))(?:\sof\sus)?/gi, 2],
    [new RegExp(`\\b(?:me|myself)\\s(?:and|&|\\+)\\s(?:my|a)\\s${COMPANION}\\b`, 'gi'), 2],
    [new RegExp(`\\bmy\\s${COMPANION}\\s(?:and|&|\\+)\\s(?:i|me|myself)\\b`, 'gi'), 2],
    [
      /\b(?:just\s|only\s)?(?:for\s)?(?:me|myself)\s(?:alone|only)\b|\b(?:just|only)\s(?:for\s)?(?:me|myself)\b|\bby\smyself\b|\b(?:table|booking|reservation)\sfor\sone\b|\bsolo\b|\b(?:i'm|i\sam)\s(?:the\s)?only\sone\b/gi,
      1,
    ],
  ],
  peopleAfter: /^\s*(?:-\s*)?(?:people|persons?|ppl|guests?|adults?|pax|seats?|heads?|diners?|covers?|of us|in (?:my|our) (?:party|group)|in total|total|(?:person|people) table)\b/i,
  peopleBefore:
    /(?:party of|table (?:for|to)|group of|booking for|reservation for|book for|book it for|seats? for|room for|spot for|space for|for|we are|we're|we'll be|there are|there will be|there'll be|will be|be|us|number of (?:people|guests|seats) is|make it|change (?:it )?to|people:?|guests:?|party size:?)\s*(?:just|only|about|around|maybe)?\s*$/i,
  weakNumber: /^(?:one|a single)$/i,
  pronounAfter: /^\s(?:that|which|who|where|in|near|with|of|like|serving|nearby|close|around)\b/i,
  pronounBefore: /\b(?:look(?:ing)?|search(?:ing)?|find(?:ing)?|recommend|suggest|pick|choose|try|another|any|the|that|this|which|good|nice|cheap|new|different|other|same|each|every|no)\s(?:for\s)?$/i,
  notCountAfter: /^\s?(?:%|percent|dollars?|bucks|pounds?|quid|euros?|usd|gbp|eur|cents?|k\b|miles?|mi\b|km|kilomet|blocks?|minutes?|mins?|hours?|hrs?|days?|weeks?|months?|years?|yrs?|stars?|st\b|nd\b|rd\b|th\b|(?:[a-z]+\s)?(?:street|st\b|avenue|ave\b|road|rd\b|lane|ln\b|blvd|boulevard|way|drive|dr\b|place|square)|[-/:]\d)/i,
  notCountBefore: /(?:[$£€#]|\bno\.|\bnumber|\broom|\bsuite|\bunit|\bflat|\bapt\.?|\bapartment|\bfloor|\btable\s(?:no\.?|number)|\bzip|\bpostcode|\bcode|\bcard|\border|\bref(?:erence)?|\bvolume|\bchannel|\bgate|\bbus|\broute|\binterstate|\bi-|\bhighway|\bversion|\bv|\bsize)\s?$/i,
};
