import { defineConfig } from 'vitest/config';

/**
 * `npm run test:consumers`: the packed packages installed into fresh projects
 * (needs the npm registry and /usr/bin/chromium). One file, run in order: each
 * step uses what the one before it installed or built.
 */
export default defineConfig({
  test: {
    include: ['test/consumers/**/*.test.ts'],
    environment: 'node',
    fileParallelism: false,
    testTimeout: 300_000,
    hookTimeout: 600_000,
    reporters: ['default', ['json', { outputFile: '.vitest-consumers-report.json' }]],
  },
});
