import { defineConfig } from 'vitest/config';

// Two tiers (DESIGN.md "Testing"): `npm test` runs the project "default" (unit + integration, minutes);
// `npm run test:system` runs "system": the reliability scenarios, the Redis Cluster, the container
// image and the benchmarks' smoke runs. Both start from the same global setup (Redis, TLS).
const SYSTEM = [
  'test/reliability/**/*.test.ts',
  'test/integration/redis-cluster/**/*.test.ts',
  'test/integration/deploy/image-build.test.ts',
  'test/integration/bench-throughput.test.ts',
  'test/integration/budget/bench-correctness.test.ts',
];

export default defineConfig({
  test: {
    globalSetup: ['test/support/global-redis.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // Integration tests start servers and child processes; two cores cannot run many files at once.
    maxWorkers: 2,
    projects: [
      { extends: true, test: { name: 'default', include: ['test/**/*.test.ts'], exclude: SYSTEM } },
      { extends: true, test: { name: 'system', include: SYSTEM } },
    ],
  },
});
