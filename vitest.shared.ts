// The one vitest configuration every package extends (through its own
// vitest.config.ts), so that all packages resolve workspace imports to
// TypeScript sources and write the JSON report that `npm test` sums up.
import { defineConfig } from 'vitest/config';

const conditions = ['@mlsys/source', 'node', 'import', 'module', 'default'];

export default defineConfig({
  resolve: { conditions },
  ssr: { resolve: { conditions, externalConditions: conditions } },
  test: {
    include: ['test/**/*.test.ts'],
    environment: 'node',
    // A package whose tests are still to come must not fail the run; the summary counts only real tests.
    passWithNoTests: true,
    pool: 'forks',
    // Integration tests start real servers and wait on real brokers.
    testTimeout: 60_000,
    hookTimeout: 120_000,
    reporters: ['default', ['json', { outputFile: 'reports/vitest.json' }]],
  },
});
