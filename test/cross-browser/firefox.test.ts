/**
 * The cross-browser slice in Firefox (Debian's firefox-esr over WebDriver
 * BiDi). `npm test` runs it in the `browsers` project; alone:
 * `npx vitest run --project browsers test/cross-browser/firefox.test.ts`.
 */
import { describe } from 'vitest';
import { FirefoxSession } from './firefox-session.ts';
import { browserScenarios } from './scenarios.ts';

describe('Firefox', () => {
  browserScenarios(() => FirefoxSession.launch(), { offline: true });
});
