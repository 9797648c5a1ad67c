import { defineConfig } from 'vitest/config';

/**
 * Seed sweeps: each runs a sample of its seeds in `npm test` (tests/fdb/long: none, its headers only) and every seed in `npm run test:sweeps`
 * (which widens them through FAULTLINE_*_SEEDS). Listed here so `--project sweeps` runs only them.
 */
const SWEEPS = [
  'tests/unit/sweep/recovery-sweep.test.ts',
  'tests/unit/specs/**/*.test.ts',
  'tests/unit/cluster/buggify-sweep.test.ts',
  'tests/unit/fdb/upstream-long-specs.test.ts',
];

export default defineConfig({
  test: {
    pool: 'forks',
    // Both cores: vitest's default leaves one free, which doubled the suite's wall time on CI's two cores.
    poolOptions: { forks: { minForks: 1, maxForks: 2 } },
    testTimeout: 120_000,
    setupFiles: ['tests/support/yield-between-tests.ts'],
    projects: [
      { extends: true, test: { name: 'unit', include: ['tests/unit/**/*.test.ts'], exclude: SWEEPS } },
      { extends: true, test: { name: 'e2e', include: ['tests/e2e/**/*.test.ts'] } },
      { extends: true, test: { name: 'sweeps', include: SWEEPS } },
    ],
  },
});
