import { hash } from '@node-rs/argon2';
import { describe, expect, it } from 'vitest';
import { createPasswordHasher, MIN_ARGON2_PARAMS } from './password-hasher.js';

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

  it('asks for a rehash of another algorithm or cost even when the rest of the string matches', async () => {
    const argon2i = await hash('a long enough passphrase', { ...MIN_ARGON2_PARAMS, algorithm: 1 });
    expect(argon2i).toMatch(/^\$argon2i\$v=19\$m=19456,t=2,p=1\$/);
    expect(hasher.needsRehash(argon2i)).toBe(true);
    const moreTime = await hash('a long enough passphrase', {
      ...MIN_ARGON2_PARAMS,
      timeCost: 3,
      algorithm: 2,
    });
    expect(hasher.needsRehash(moreTime)).toBe(true);
    expect(createPasswordHasher({ ...MIN_ARGON2_PARAMS, timeCost: 3 }).needsRehash(moreTime)).toBe(false);
  });
});
