import { defineConfig } from 'vitest/config';
import { SCENARIO_TESTS } from './test/scenarios.js';

// `npm run test:scenarios`: the long end-to-end scenarios (see test/scenarios.ts).
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
