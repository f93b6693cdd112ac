import { describe, it } from 'vitest';
import { measureCompileFairness } from '../../../test-support/compile-fairness.js';
import { memoryKeyValue, memoryStorage } from '../src/memory/index.js';

// How long one tenant's recompilation holds up another tenant's decisions over the memory store
// (test-support/compile-fairness.ts says how it is measured; adapter-kysely runs the same over
// PostgreSQL and SQLite). A measurement: it asserts only that both tenants kept being answered.
const memory = () => ({ storage: memoryStorage(), keyValue: memoryKeyValue() });

describe('one tenant recompiling its policies, memory store (measurement)', () => {
  it('baseline: a heavy tenant without policies', async () => {
    await measureCompileFairness(memory(), { count: 0, leaves: 1, literal: 1 });
  });

  it('a tenant holding 5 MB of policies (beyond the default limits)', async () => {
    await measureCompileFairness(memory(), { count: 500, leaves: 63, literal: 80 });
  });

  it('a tenant at the default limits: 200 policies of about 1.2 KiB', async () => {
    await measureCompileFairness(memory(), { count: 200, leaves: 10, literal: 24 });
  });
});
