/**
 * The cross-browser slice in WebKit (WebKitGTK's MiniBrowser under
 * WebKitWebDriver on Xvfb). `npm test` runs it in the `browsers` project;
 * alone: `npx vitest run --project browsers test/cross-browser/webkit.test.ts`.
 */
import { describe } from 'vitest';
import { browserScenarios } from './scenarios.ts';
import { WebKitSession } from './webkit-session.ts';

describe('WebKit', () => {
  browserScenarios(() => WebKitSession.launch(), { offline: false });
});
