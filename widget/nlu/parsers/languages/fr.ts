import { findFrenchNumbers } from './fr-numbers.ts';
import { findFrenchTemporal } from './fr-temporal.ts';
import type { LanguageModule } from './language.ts';

const COMPANION = '(?:femme|mari|épouse|époux|compagne|compagnon|copine|copain|ami|amie|fils|fille|mère|père|collègue)';

export const french: LanguageModule = {
  code: 'fr',
  findTemporal: findFrenchTemporal,
  findNumbers: findFrenchNumbers,
  headCounts: [
    [new RegExp(`(?<![\\p{L}])(?:moi\\set\\s(?:ma|mon)\\s${COMPANION}|(?:ma|mon)\\s${COMPANION}\\set\\smoi)(?![\\p{L}])`, 'giu'), 2],
    [/(?<![\p{L}])(?:juste\s|seulement\s)?(?:pour\s)?moi\s(?:seule?|tout\sseul|toute\sseule)(?![\p{L}])|(?<![\p{L}])(?:juste|seulement)\s(?:pour\s)?moi(?![\p{L}])/giu, 1],
    [/(?<![\p{L}])(?:en\s)?couple(?![\p{L}])/giu, 2],
  ],
  peopleAfter: /^\s*(?:personnes?|pers\.?|couverts?|convives?|invités?|adultes?|places?|de plus)(?![\p{L}])/iu,
  peopleBefore: /(?:table pour|réservation pour|reservation pour|réserver pour|pour|nous sommes|on est|on sera|nous serons|serons|sera|groupe de)\s*$/iu,
  weakNumber: /^(?:un|une)$/i,
  pronounAfter: /^\s(?:qui|que|dans|près|avec|de|du|à\s(?!\d))/iu,
  pronounBefore: /(?:^|[^\p{L}])(?:trouver|chercher|cherche|autre|le|la|l'|ce|cet|cette)\s$/iu,
  notCountAfter: /^\s?(?:%|€|euros?|dollars?|km|kilom|minutes?|min\b|heures?|h\b|jours?|semaines?|mois|ans|étoiles?|rue|avenue|av\b|boulevard|bd\b|place|er\b|e\b|ème|[-/:]\d)/iu,
  notCountBefore: /(?:[$£€#]|\bno\.|\bnuméro|\bn°|\bchambre|\bappartement|\bcode|\bcarte|\bcommande|\bréf(?:érence)?)\s?$/iu,
};
