import { availableParallelism } from 'node:os';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: [
      'packages/*/src/**/*.test.ts',
      'services/*/src/**/*.test.ts',
      'grafana/src/**/*.test.ts',
      'tests/**/*.test.ts',
    ],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: 'forks',
    // vitest's default (cores - 1) runs one file at a time on two cores, while most files here wait on
    // servers and timers: two at once took the suite from 710 s to 422 s (docs/benchmarks.md).
    maxWorkers: Math.max(2, availableParallelism() - 1),
  },
});
