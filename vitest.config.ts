import { defineConfig } from 'vitest/config';
import { sharedTestOptions, sourceAliases } from './vitest.shared.js';

const redisTests = ['packages/adapter-redis/src/**/*.test.ts', 'packages/adapter-redis/test/**/*.test.ts'];
// the browser packages' suites: a DOM (happy-dom) with Node's fetch classes, see the environment file
const domTests = ['packages/client/test/**/*.test.{ts,tsx}', 'packages/react/test/**/*.test.{ts,tsx}'];

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
            'packages/*/src/**/*.test.{ts,tsx}',
            'packages/*/test/**/*.test.{ts,tsx}',
            'examples/*/test/**/*.test.{ts,tsx}',
          ],
          exclude: ['**/node_modules/**', ...redisTests, ...domTests],
        },
      },
      {
        extends: true,
        test: {
          name: 'dom',
          include: domTests,
          environment: './test-support/happy-dom-node-fetch.ts',
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
