// Test configuration: unit tests import the sources; integration and e2e tests run the real ccmux.
import { defineConfig } from 'vitest/config';

export default defineConfig({
  define: { __CCMUX_VERSION__: JSON.stringify('0.0.0-test') },
  test: {
    include: ['test/**/*.test.ts'],
    // Long load runs: `make soak` (vitest.soak.config.ts).
    exclude: ['test/soak/**', '**/node_modules/**'],
    globalSetup: ['test/helpers/global-setup.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: 'forks',
    maxWorkers: 2,
    // Failing loudly beats retrying: a flaky test is a bug to fix.
    retry: 0,
  },
});
