import { defineConfig } from 'vitest/config';
import { sharedTestOptions, sourceAliases } from './vitest.shared.js';

const redisTests = ['packages/adapter-redis/src/**/*.test.ts', 'packages/adapter-redis/test/**/*.test.ts'];

export default defineConfig({
  resolve: { alias: sourceAliases },
  test: {
    ...sharedTestOptions,
    // Database suites share real servers: run files in parallel but keep each file's tests ordered.
    fileParallelism: true,
    projects: [
      {
        extends: true,
        test: {
          name: 'portcullis',
          include: [
            'packages/*/src/**/*.test.ts',
            'packages/*/test/**/*.test.ts',
            'examples/*/test/**/*.test.ts',
          ],
          exclude: ['**/node_modules/**', ...redisTests],
        },
      },
      // the Redis adapter's files, apart: their global setup starts a Redis Cluster, which vitest
      // runs only when a file of this project is selected
      {
        extends: true,
        test: {
          name: 'adapter-redis',
          include: redisTests,
          globalSetup: ['packages/adapter-redis/test/support/start-redis-cluster.ts'],
        },
      },
    ],
  },
});
