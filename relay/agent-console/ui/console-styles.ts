/** The console's own layout, on top of the widget's sheets (its colours, messages and bubbles). */
export const consoleCss = `:host{display:block;min-height:100vh;background:var(--sc-background);color:var(--sc-text);font:16px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;}
*{box-sizing:border-box;}
.console{display:flex;flex-direction:column;min-height:100vh;}
.console>header{display:flex;align-items:center;gap:12px;padding:10px 16px;background:var(--sc-accent);color:var(--sc-accent-text);}
.console>header h1{font-size:18px;margin:0;flex:1;}
.connection{font-size:14px;}
.layout{display:grid;grid-template-columns:minmax(220px,320px) 1fr;flex:1;min-height:0;}
@media (max-width:700px){.layout{grid-template-columns:1fr;}}
nav{border-inline-end:1px solid var(--sc-border);padding:12px;overflow-y:auto;}
nav h2,main h2{font-size:16px;margin:0 0 8px;}
nav ul{list-style:none;margin:0;padding:0;display:flex;flex-direction:column;gap:6px;}
.handoff{display:block;width:100%;text-align:start;padding:8px 10px;border:1px solid var(--sc-border);border-radius:8px;background:var(--sc-surface);color:var(--sc-text);font:inherit;cursor:pointer;}
.handoff[aria-current="true"]{border-color:var(--sc-accent);box-shadow:inset 4px 0 0 var(--sc-accent);}
.handoff small{display:block;color:var(--sc-muted);font-size:13px;}
main{display:flex;flex-direction:column;min-width:0;padding:12px 16px;gap:10px;}
main .log{border:1px solid var(--sc-border);border-radius:8px;min-height:240px;max-height:60vh;}
.message.agent{align-self:flex-end;align-items:flex-end;}
.agent .bubble{background:var(--sc-user-bubble);color:var(--sc-user-text);border:0;}
.who{font-size:13px;color:var(--sc-muted);}
form{display:flex;flex-wrap:wrap;gap:8px;align-items:flex-end;}
label{display:flex;flex-direction:column;gap:4px;font-size:14px;}
label.grow{flex:1 1 260px;}
input,textarea,select{font:inherit;padding:8px;border:1px solid var(--sc-border);border-radius:6px;background:var(--sc-background);color:var(--sc-text);}
textarea{min-height:64px;resize:vertical;width:100%;}
button.action{font:inherit;padding:8px 14px;border-radius:6px;border:1px solid var(--sc-accent);background:var(--sc-accent);color:var(--sc-accent-text);cursor:pointer;}
button.secondary{background:transparent;color:inherit;border-color:currentColor;}
button:disabled{opacity:0.6;cursor:not-allowed;}
:focus-visible{outline:3px solid var(--sc-focus);outline-offset:2px;}
.error{color:var(--sc-danger);margin:0;}
.hint{color:var(--sc-muted);margin:0;}
.signin{max-width:420px;margin:48px auto;padding:16px;flex-direction:column;align-items:stretch;}
.sr-only{position:absolute;width:1px;height:1px;margin:-1px;overflow:hidden;clip:rect(0 0 0 0);white-space:nowrap;}`;
