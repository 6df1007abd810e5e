import { configDefaults, defineConfig } from 'vitest/config';

const crossBrowser = 'test/cross-browser/**/*.test.ts';

export default defineConfig({
  test: {
    environment: 'node',
    testTimeout: 20_000,
    hookTimeout: 30_000,
    reporters: ['default', ['json', { outputFile: '.vitest-report.json' }]],
    projects: [
      {
        extends: true,
        test: {
          name: 'unit',
          include: ['test/**/*.test.ts'],
          // The consumer tests install the packed packages from the registry: `npm run test:consumers`.
          exclude: [...configDefaults.exclude, 'test/consumers/**', crossBrowser],
        },
      },
      // Firefox and WebKit, one file each, sharing one demo build, one script-tag build and one relay (started only when queued).
      { extends: true, test: { name: 'browsers', include: [crossBrowser], globalSetup: ['test/cross-browser/global-setup.ts'], testTimeout: 90_000, hookTimeout: 120_000 } },
    ],
  },
});
