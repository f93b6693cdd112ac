import { defineConfig } from 'vitest/config';
import { sharedTestOptions, sourceAliases } from './vitest.shared.js';

export default defineConfig({
  resolve: { alias: sourceAliases },
  test: {
    include: ['packages/*/src/**/*.test.ts', 'packages/*/test/**/*.test.ts', 'examples/*/test/**/*.test.ts'],
    ...sharedTestOptions,
    // Database suites share real servers: run files in parallel but keep each file's tests ordered.
    fileParallelism: true,
  },
});
