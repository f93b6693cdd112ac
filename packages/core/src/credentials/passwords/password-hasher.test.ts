import { describe, expect, it } from 'vitest';
import { createPasswordHasher } from './password-hasher.js';

describe('argon2id password hasher', () => {
  const hasher = createPasswordHasher();

  it('hashes with argon2id at m=19456 KiB, t=2, p=1 and verifies', async () => {
    const hash = await hasher.hash('a long enough passphrase');
    expect(hash).toMatch(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);
    expect(await hasher.verify(hash, 'a long enough passphrase')).toBe(true);
    expect(await hasher.verify(hash, 'a long enough passphrasf')).toBe(false);
    expect(hasher.needsRehash(hash)).toBe(false);
  });

  it('asks for a rehash when parameters changed, and treats a malformed hash as a mismatch', async () => {
    const stronger = createPasswordHasher({ memoryCost: 24_576, timeCost: 2, parallelism: 1 });
    const hash = await hasher.hash('a long enough passphrase');
    expect(stronger.needsRehash(hash)).toBe(true);
    expect(await hasher.verify('not-a-hash', 'anything')).toBe(false);
    expect(hasher.needsRehash('not-a-hash')).toBe(true);
  });
});
