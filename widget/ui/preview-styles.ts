/**
 * The stylesheet of the optional bubble beside the closed launcher that
 * shows the latest unread bot message (`mount({ preview: true })`,
 * `data-preview`): a separate chunk, so pages without it pay nothing.
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
