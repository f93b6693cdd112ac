import { describe, expect, it } from 'vitest';
import { memoryStorage } from '../src/memory/index.js';
import type { Storage } from '../src/ports/storage.js';
import { PASSWORD, testAuth } from './support.js';

// DESIGN §4.4: a change, its audit entry and its outbox event commit together or not at all.
describe('a change and its outbox event commit together', () => {
  it('rolls the change back when its outbox event cannot be written (the insert is awaited inside the transaction)', async () => {
    const base = memoryStorage();
    const storage: Storage = {
      ...base,
      transaction: (fn) =>
        base.transaction((tx) =>
          fn({
            ...tx,
            // fails a moment later, as a database round trip would
            outbox: {
              ...tx.outbox,
              enqueue: () => new Promise((_, reject) => setTimeout(() => reject(new Error('disk full')), 5)),
            },
          }),
        ),
    };
    const { auth } = testAuth({ storage });
    const email = `outbox.${Date.now()}@example.com`;
    await expect(auth.api.signUp({ email, password: PASSWORD })).rejects.toThrow();
    expect(await base.users.findByEmail(null, email)).toBeNull();
    expect(
      await base.outbox.claimBatch(new Date(Date.now() + 60_000), 50, new Date(Date.now() + 120_000)),
    ).toEqual([]);
  });
});
