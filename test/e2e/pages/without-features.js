// Removes the platform features named in `?without=a,b` before the widget
// loads, so its fallbacks run in a real browser (as in an older Safari, or a
// page served over plain http, where navigator.locks does not exist).
const without = (new URLSearchParams(location.search).get('without') ?? '').split(',');
if (without.includes('adoptedStyleSheets')) {
  delete ShadowRoot.prototype.adoptedStyleSheets;
  delete Document.prototype.adoptedStyleSheets;
}
if (without.includes('locks')) delete Navigator.prototype.locks;
if (without.includes('BroadcastChannel')) delete window.BroadcastChannel;
