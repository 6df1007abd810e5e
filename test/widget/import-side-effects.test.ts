import { describe, expect, it, vi } from 'vitest';

describe('importing the widget entry', () => {
  it('touches no window, storage or timer', async () => {
    const touched: string[] = [];
    for (const name of ['window', 'document', 'indexedDB', 'BroadcastChannel', 'localStorage']) {
      Object.defineProperty(globalThis, name, {
        configurable: true,
        get() {
          // Libraries' feature probes (query-core's `typeof window` for `isServer`) only read; our modules must not even look.
          const caller = new Error().stack?.split('\n')[2] ?? '';
          if (!caller.includes('node_modules')) touched.push(`${name} ${caller.trim()}`);
          return undefined;
        },
      });
    }
    const setTimeoutSpy = vi.spyOn(globalThis, 'setTimeout');
    const setIntervalSpy = vi.spyOn(globalThis, 'setInterval');
    try {
      const widget = await import('../../widget/index.ts');
      expect(typeof widget.createChat).toBe('function');
      expect(touched).toEqual([]);
      expect(setTimeoutSpy).not.toHaveBeenCalled();
      expect(setIntervalSpy).not.toHaveBeenCalled();
    } finally {
      for (const name of ['window', 'document', 'indexedDB', 'BroadcastChannel', 'localStorage']) delete (globalThis as Record<string, unknown>)[name];
      vi.restoreAllMocks();
    }
  });
});
