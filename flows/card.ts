/**
 * Cards (the `card` action): what the engine hands the widget once the
 * templates are filled in, and the same card as plain text for channels
 * without cards (the CLI, conversation tests, the `say` event's `text`).
 */

/** A card ready to show: every template filled in, empty fields and unsafe links left out. */
export interface RenderedCard {
  title: string;
  text?: string;
  fields: { label: string; value: string; copy?: true }[];
  buttons: { label: string; url: string }[];
}

/** The schemes a card's button may open: no `javascript:` or `data:` from a template's value. */
export const CARD_URL_SCHEMES = ['https:', 'http:', 'mailto:', 'tel:'];

/** An absolute URL of one of {@link CARD_URL_SCHEMES}. */
export function isCardUrl(url: string): boolean {
  try {
    return CARD_URL_SCHEMES.includes(new URL(url).protocol);
  } catch {
    return false;
  }
}

/**
 * The card as lines of text: the title, the text, then `Label: value` per
 * field. Buttons are left out: their URLs are for clicking, not reading.
 */
export function cardText(card: RenderedCard): string {
  return [card.title, ...(card.text ? [card.text] : []), ...card.fields.map((field) => `${field.label}: ${field.value}`)].filter((line) => line !== '').join('\n');
}
