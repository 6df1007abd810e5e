/**
 * One demo build, one script-tag build and one real relay for the whole
 * cross-browser slice: every browser's test file reads their addresses with
 * `inject('crossBrowserSites')`. Vitest runs this only when a test of the
 * `browsers` project is queued, so unit runs never pay for the builds.
 */
import type { TestProject } from 'vitest/node';
import { startDemoSite, startWidgetSite, type Site } from '../e2e/servers.ts';

/** Where the script-tag pages' CSP sends violation reports (and where the tests read them back). */
export const CSP_REPORT_PATH = '/__csp-reports';

export interface CrossBrowserSites {
  /** The demo (relay in the page under MSW). */
  demoUrl: string;
  /** The script-tag pages under a strict CSP with `report-uri`. */
  widgetUrl: string;
  relayUrl: string;
  csp: string;
}

declare module 'vitest' {
  export interface ProvidedContext {
    crossBrowserSites: CrossBrowserSites;
  }
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const started = await Promise.allSettled([startDemoSite(), startWidgetSite({ cspReportPath: CSP_REPORT_PATH })]);
  const close = async (): Promise<void> => {
    await Promise.all(started.map((result) => (result.status === 'fulfilled' ? (result.value as Site).close() : undefined)));
  };
  const [demo, widget] = started;
  if (demo?.status !== 'fulfilled' || widget?.status !== 'fulfilled') {
    await close();
    const failure = started.find((result) => result.status === 'rejected');
    throw failure?.status === 'rejected' ? failure.reason : new Error('the cross-browser sites did not start');
  }
  project.provide('crossBrowserSites', { demoUrl: demo.value.url, widgetUrl: widget.value.url, relayUrl: widget.value.relayUrl, csp: widget.value.csp });
  return close;
}
