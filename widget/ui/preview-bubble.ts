/**
 * The optional bubble beside the closed launcher that shows the latest
 * unread bot message (`mount({ preview: true })`, `data-preview`). A
 * separate chunk drawn with plain DOM (text only, never markup), so pages
 * without it pay nothing for it.
 */
export const previewCss = `.preview{
position:fixed;inset-block-end:calc(var(--sc-bottom) + 70px);inset-inline-end:var(--sc-end);z-index:var(--sc-z);
display:flex;align-items:flex-start;gap:2px;max-width:min(300px,calc(100vw - 2 * var(--sc-offset)));
background:var(--sc-background);color:var(--sc-text);border:1px solid var(--sc-border);
border-radius:var(--sc-radius);box-shadow:var(--sc-shadow);
}
.preview-text{
flex:1;border:0;background:none;text-align:start;padding:10px 4px 10px 14px;padding-inline:14px 4px;
display:-webkit-box;-webkit-line-clamp:3;-webkit-box-orient:vertical;overflow:hidden;
}
.preview-close{border:0;background:none;width:44px;height:44px;display:grid;place-items:center;color:var(--sc-muted);}
.preview-close .icon{width:18px;height:18px;}
.root[data-position="left"] .preview{inset-inline-end:auto;inset-inline-start:calc(var(--sc-offset) + env(safe-area-inset-left,0px))}`;

export interface PreviewBubble {
  /** Shows `text` (the message `id`), or hides the bubble with null. A dismissed message stays hidden. */
  show(id: string | null, text: string): void;
}

const SVG = 'http://www.w3.org/2000/svg';

/** Draws the bubble into `slot`. */
export function createPreviewBubble(slot: HTMLElement, dismissLabel: string, onOpen: () => void): PreviewBubble {
  const document = slot.ownerDocument;
  const bubble = document.createElement('div');
  bubble.className = 'preview';
  bubble.hidden = true;
  const text = document.createElement('button');
  text.type = 'button';
  text.className = 'preview-text';
  text.addEventListener('click', onOpen);
  const close = document.createElement('button');
  close.type = 'button';
  close.className = 'preview-close';
  close.setAttribute('aria-label', dismissLabel);
  close.title = dismissLabel;
  // The close icon's path (icon-paths.ts), written here so the chunk imports nothing.
  const svg = document.createElementNS(SVG, 'svg');
  svg.setAttribute('class', 'icon');
  svg.setAttribute('viewBox', '0 0 24 24');
  svg.setAttribute('aria-hidden', 'true');
  const path = document.createElementNS(SVG, 'path');
  path.setAttribute('d', 'M6 6l12 12M18 6 6 18');
  svg.append(path);
  close.append(svg);
  let shown: string | null = null;
  let dismissed: string | null = null;
  close.addEventListener('click', () => {
    dismissed = shown;
    bubble.hidden = true;
  });
  bubble.append(text, close);
  slot.append(bubble);
  return {
    show(id, message) {
      shown = id;
      text.textContent = message;
      bubble.hidden = id === null || id === dismissed;
    },
  };
}
