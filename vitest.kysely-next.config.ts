import { defineConfig } from 'vitest/config';
import { sharedTestOptions, sourceAliases } from './vitest.shared.js';

// The Kysely adapter's suites on the newest Kysely (0.29, which needs Node.js 22): run by
// scripts/kysely-next.mjs under a Node.js 22 from the npm registry, with `kysely` resolved to the
// copy that script installed (KYSELY_NEXT_DIR). The workspace itself stays on 0.28 and Node 20.
const kyselyDir = process.env.KYSELY_NEXT_DIR;
if (!kyselyDir) throw new Error('KYSELY_NEXT_DIR is not set: run `node scripts/kysely-next.mjs`');

export default defineConfig({
  resolve: {
    alias: [...sourceAliases, { find: /^kysely$/, replacement: kyselyDir }],
  },
  test: {
    include: ['packages/adapter-kysely/test/**/*.test.ts'],
    // files that run only on SQLite or PGlite (the mixed ones skip those databases here)
    exclude: [
      '**/node_modules/**',
      '**/sqlite.test.ts',
      '**/pglite.test.ts',
      '**/cache-sqlite-statements.test.ts',
      '**/authorization-guide.test.ts',
    ],
    ...sharedTestOptions,
  },
});
