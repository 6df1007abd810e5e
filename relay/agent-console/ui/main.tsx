/** @jsxImportSource preact */
/**
 * The agent console's entry, served by the relay at `/agent` under a strict
 * Content-Security-Policy: one module script, styles adopted as constructable
 * stylesheets in a shadow root (the widget's own sheets, then the console's).
 */
import { render } from 'preact';
import { panelCss } from '../../../widget/ui/panel-styles.ts';
import { launcherCss } from '../../../widget/ui/styles.ts';
import { AgentConsole } from './agent-console.tsx';
import { consoleCss } from './console-styles.ts';

const host = document.getElementById('statechat-agent-console');
if (host) {
  const root = host.attachShadow({ mode: 'open' });
  root.adoptedStyleSheets = [launcherCss, panelCss, consoleCss].map((css) => {
    const sheet = new CSSStyleSheet();
    sheet.replaceSync(css);
    return sheet;
  });
  // The relay may be mounted under a prefix (`/statechat/agent`): the API is beside the page.
  const base = `${location.origin}${location.pathname.replace(/\/agent\/?$/, '')}`;
  render(<AgentConsole base={base} />, root);
}
