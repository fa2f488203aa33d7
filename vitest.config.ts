import { defineConfig } from 'vitest/config';
import { SCENARIO_TESTS } from './test/scenarios.js';

// The main suite: everything but the long scenarios (`vitest.scenarios.config.ts`), which
// `npm test` runs right after it (scripts/run-tests.mjs).
export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    exclude: ['**/node_modules/**', ...SCENARIO_TESTS],
    globalSetup: ['test/support/global-setup.ts'],
    // Integration tests share one Temporal dev server and a 2-core machine: run files one by one.
    fileParallelism: false,
    testTimeout: 300_000,
    hookTimeout: 300_000,
    reporters: ['verbose'],
  },
});
