import { fileURLToPath } from 'node:url';

const here = (path: string) => fileURLToPath(new URL(path, import.meta.url));

/** Tests run against the TypeScript sources of workspace packages, not their build output. */
export const sourceAliases = [
  { find: /^@portcullis\/core$/, replacement: here('./packages/core/src/index.ts') },
  // the public /authorization subpath is its own file, not the domain's index.ts
  {
    find: /^@portcullis\/core\/authorization$/,
    replacement: here('./packages/core/src/authorization/public.ts'),
  },
  // so is /tokens: the edge-safe verifier, not the tokens domain's index.ts
  { find: /^@portcullis\/core\/tokens$/, replacement: here('./packages/core/src/tokens/public.ts') },
  { find: /^@portcullis\/core\/(.+)$/, replacement: here('./packages/core/src/$1/index.ts') },
  { find: /^@portcullis\/adapter-kysely$/, replacement: here('./packages/adapter-kysely/src/index.ts') },
  {
    find: /^@portcullis\/adapter-drizzle(\/pg|\/mysql|\/sqlite)?$/,
    replacement: here('./packages/adapter-drizzle/src$1/index.ts'),
  },
  { find: /^@portcullis\/adapter-redis$/, replacement: here('./packages/adapter-redis/src/index.ts') },
  { find: /^@portcullis\/express$/, replacement: here('./packages/express/src/index.ts') },
  { find: /^@portcullis\/nextjs$/, replacement: here('./packages/nextjs/src/index.ts') },
  { find: /^@portcullis\/client$/, replacement: here('./packages/client/src/index.ts') },
  { find: /^@portcullis\/react$/, replacement: here('./packages/react/src/index.ts') },
  { find: /^@portcullis\/cli$/, replacement: here('./packages/cli/src/index.ts') },
];

/** What every suite shares: generous timeouts (real databases), and two workers on two cores. */
export const sharedTestOptions = { testTimeout: 30_000, hookTimeout: 60_000, maxWorkers: 2 };
