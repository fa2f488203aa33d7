import { defineConfig } from 'vitest/config';
import { SCENARIO_TESTS } from './test/scenarios.js';

// The long end-to-end scenarios (see test/scenarios.ts): the last suite of `npm test`, or alone
// with `npm run test:scenarios`.
export default defineConfig({
  test: {
    include: SCENARIO_TESTS,
    globalSetup: ['test/support/global-setup.ts'],
    fileParallelism: false,
    testTimeout: 600_000,
    hookTimeout: 300_000,
    reporters: ['verbose'],
  },
});
