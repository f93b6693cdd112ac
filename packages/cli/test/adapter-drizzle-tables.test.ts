import { describe, expect, it } from 'vitest';
import { renderDrizzleSchema } from '../src/commands/drizzle-schema-source.js';

/** Writes the adapter's tables again; their header and a failure here name it. */
const GENERATE_COMMAND = 'pnpm generate:drizzle';

// @portcullis/adapter-drizzle's tables are this generator's output, checked in so that they can be
// read, reviewed and imported without a build step. Here they are generated again in memory and
// compared byte for byte; under `vitest --update`, which is what the command runs, they are written.
describe("@portcullis/adapter-drizzle's tables", () => {
  it.each([
    'pg',
    'mysql',
    'sqlite',
  ] as const)('src/%s/tables.ts is what the TableSpec generates', async (dialect) => {
    const source = renderDrizzleSchema({ dialect, command: GENERATE_COMMAND });
    await expect(
      source,
      `packages/adapter-drizzle/src/${dialect}/tables.ts is not what the TableSpec generates: run \`${GENERATE_COMMAND}\` (do not edit it by hand)`,
    ).toMatchFileSnapshot(`../../adapter-drizzle/src/${dialect}/tables.ts`);
  });
});
