/**
 * The open panel's stylesheet (the launcher's is in `styles.ts`, which the
 * script tag's first paint carries alone).
 */
/** The open panel: header, banners, transcript, quick replies, message box. */
export const panelCss = `.panel{
position:fixed;inset-block-end:var(--sc-bottom);inset-inline-end:var(--sc-end);z-index:var(--sc-z);
width:min(390px,calc(100vw - 2 * var(--sc-offset)));
height:min(640px,calc(100vh - 2 * var(--sc-offset)));
display:flex;flex-direction:column;overflow:hidden;
background:var(--sc-background);color:var(--sc-text);
border:1px solid var(--sc-border);border-radius:var(--sc-radius);
box-shadow:var(--sc-shadow);
animation:sc-rise 180ms ease-out;
}
@keyframes sc-rise{from{opacity:0;transform:translateY(12px);}to{opacity:1;transform:none;}}
@media (max-width:520px),(max-height:520px){
.panel,.root[data-position="left"] .panel{
/* 100vw, not 100%: a page wider than the phone widens the layout viewport, not the screen. */
inset:0;width:100vw;height:100%;max-height:100dvh;border-radius:0;border:0;
padding:env(safe-area-inset-top,0px) env(safe-area-inset-right,0px) env(safe-area-inset-bottom,0px) env(safe-area-inset-left,0px);
background:var(--sc-accent);
}
.panel>:not(.header){background-color:var(--sc-background);}
}
.header{
display:flex;align-items:center;gap:8px;
padding-block:8px;padding-inline:6px 8px;
background:var(--sc-accent);color:var(--sc-accent-text);
}
.avatar{width:36px;height:36px;border-radius:50%;object-fit:cover;flex:none;background:var(--sc-accent-text);}
.heading{flex:1;min-width:0;display:flex;flex-direction:column;}
.title{margin:0;font-size:16px;font-weight:650;overflow:hidden;text-overflow:ellipsis;white-space:nowrap;}
.subtitle{font-size:13px;opacity:0.92;overflow:hidden;text-overflow:ellipsis;white-space:nowrap;}
.icon-button{
width:44px;height:44px;display:grid;place-items:center;flex:none;
border:0;border-radius:10px;background:transparent;color:inherit;
}
.icon-button:hover{background:rgb(0 0 0 / 0.14);}
.header :focus-visible{outline-color:var(--sc-accent-text);outline-offset:-3px;}
.banner{margin:0;padding:8px 16px;font-size:14px;background:var(--sc-warning);color:var(--sc-warning-text);border-block-end:1px solid var(--sc-border);}
.confirm{display:flex;flex-wrap:wrap;align-items:center;gap:8px;padding:10px 14px;border-block-end:1px solid var(--sc-border);background:var(--sc-surface);}
.confirm p{margin:0;flex:1 1 100%;}
.log{flex:1;overflow-y:auto;padding:16px 14px 8px;display:flex;flex-direction:column;gap:8px;overscroll-behavior:contain;}
.log:focus-visible{outline-offset:-3px;}
.message{display:flex;flex-direction:column;max-width:85%;margin:0;}
.message.bot{align-self:flex-start;align-items:flex-start;}
.author{font-size:13px;color:var(--sc-muted);}
.message.user{align-self:flex-end;align-items:flex-end;}
.message.notice{align-self:center;max-width:95%;text-align:center;font-size:14px;color:var(--sc-muted);}
.bubble{padding:8px 12px;border-radius:var(--sc-radius);white-space:pre-wrap;overflow-wrap:break-word;word-break:normal;min-width:0;max-width:100%;}
.nobreak{white-space:nowrap;}
.message.wide{width:85%;}
.card{display:flex;flex-direction:column;gap:8px;white-space:normal;}
.card p,.card dl,.card dd{margin:0;}
.card-title{font-weight:650;}
.card-fields{display:grid;grid-template-columns:auto 1fr;gap:4px 12px;}
.card-fields div{display:contents;}
.card-fields dt{color:var(--sc-muted);}
.card-fields dd{display:flex;flex-wrap:wrap;align-items:center;gap:4px 8px;}
.copy-note{flex-basis:100%;font-size:12.5px;color:var(--sc-muted);}
.card-actions{display:flex;flex-wrap:wrap;gap:6px;}
.card-actions a.chip{display:inline-flex;align-items:center;text-decoration:none;}
.bot .bubble{background:var(--sc-surface);border:1px solid var(--sc-border);border-end-start-radius:4px;}
.user .bubble{background:var(--sc-user-bubble);color:var(--sc-user-text);border-end-end-radius:4px;}
.user[data-status="pending"] .bubble,.user[data-status="queued"] .bubble{opacity:0.85;}
.user[data-status="failed"] .bubble{background:transparent;color:var(--sc-text);border:2px solid var(--sc-danger);}
.bubble a{color:inherit;text-decoration:underline;text-underline-offset:2px;}
.bot .bubble a{color:var(--sc-accent-ink);}
.meta,.status{font-size:12.5px;color:var(--sc-muted);margin-block-start:2px;display:flex;flex-wrap:wrap;gap:4px 8px;align-items:center;}
.status.failed{color:var(--sc-danger);}
.link-button{border:0;background:none;padding:6px 4px;color:var(--sc-danger);font-weight:650;text-decoration:underline;}
.typing{align-self:flex-start;display:flex;gap:4px;padding:12px 14px;background:var(--sc-surface);border:1px solid var(--sc-border);border-radius:var(--sc-radius);}
.typing span[aria-hidden]{width:7px;height:7px;border-radius:50%;background:var(--sc-muted);animation:sc-blink 1.2s infinite ease-in-out;}
.typing span[aria-hidden]:nth-child(2){animation-delay:0.2s;}
.typing span[aria-hidden]:nth-child(3){animation-delay:0.4s;}
@keyframes sc-blink{0%,80%,100%{opacity:0.3;}40%{opacity:1;}}
.choices{display:flex;flex-wrap:wrap;gap:6px;align-self:flex-start;max-width:100%;margin:0 0 4px;padding:0;border:0;}
.chip,.pill{
border:1.5px solid var(--sc-accent-ink);color:var(--sc-text);background:var(--sc-background);
border-radius:999px;padding:6px 14px;font-size:14px;min-height:36px;
}
.pill{border-color:var(--sc-border);}
.chip:hover,.pill:hover{background:var(--sc-surface);}
@media (pointer:coarse){.chip,.pill,.link-button{min-height:44px;}}
.ended{display:flex;justify-content:center;padding:8px 14px;}
.composer{display:flex;align-items:flex-end;gap:6px;padding:10px;border-block-start:1px solid var(--sc-border);background:var(--sc-background);}
.field{flex:1;min-width:0;display:flex;flex-direction:column;}
.composer textarea{
display:block;width:100%;resize:none;field-sizing:content;min-height:44px;max-height:140px;overflow-y:auto;
padding:10px 14px;border-radius:22px;font-size:16px;line-height:1.4;
border:1.5px solid var(--sc-border);background:var(--sc-background);
}
.composer textarea::placeholder{color:var(--sc-muted);opacity:1;}
.composer textarea:focus-visible{outline-offset:0;border-color:var(--sc-focus);}
.counter{font-size:12.5px;color:var(--sc-muted);padding:2px 14px 0;}
.counter[data-over]{color:var(--sc-danger);font-weight:650;}
.send{width:44px;height:44px;border-radius:50%;border:0;display:grid;place-items:center;flex:none;background:var(--sc-accent);color:var(--sc-accent-text);}
.send:disabled{background:var(--sc-surface);color:var(--sc-muted);cursor:default;}
.root[dir="rtl"] .send .icon,.root[dir="rtl"] .flip{transform:scaleX(-1);}`;
