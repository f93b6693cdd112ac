import { createAuth, type Storage, silentLogger } from '@portcullis/core';
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';
import { kyselyConformance } from './support/kysely-conformance.js';
import { describeDatabase, sqliteFileDatabase } from './support/test-databases.js';

// Regression (found by the token-endpoint bench): a refresh signs its access token inside the
// transaction that rotates the refresh token. The key ring reloads its key list when it is more
// than 5 s old, and that read went through the storage, outside the transaction: on a database
// with one connection (SQLite) it waited for the very connection its transaction held, for ever;
// on a pool it did so once as many refreshes as connections were in flight. The keys are now read
// before the transaction opens (`prepare`), and the signature inside it reads nothing.

const ORIGIN = 'http://localhost:3000';
const PASSWORD = 'correct horse battery staple';
const KEK = { version: 'k1', secret: 'key-encryption-key-0123456789-abcdefghij' };

afterEach(() => vi.restoreAllMocks());

describeDatabase(sqliteFileDatabase(), (database) => {
  describe('signing an access token inside a transaction, on one connection', () => {
    const options = kyselyConformance(database);
    let storage: Storage | undefined;
    afterAll(async () => {
      if (storage) await options.destroy?.(storage);
    });

    it('issues and refreshes on a fresh install, even when the key list is due a reload at every look', async () => {
      storage = await options.create();
      const auth = createAuth({
        storage,
        secret: 'a-secret-that-is-long-enough-0123456789',
        baseURL: ORIGIN,
        logger: silentLogger,
        rateLimit: { enabled: false },
        outbox: { autoStart: false },
        tokens: { signingKeys: { keyEncryptionKeys: [KEK] } },
      });
      const signedUp = await auth.api.signUp({ email: 'one@example.com', password: PASSWORD });
      if (!('token' in signedUp)) throw new Error('pending sign-up');
      // the first token of an empty install creates its first keys
      const first = await auth.api.issueTokens(signedUp.token);
      // every reading of the clock the key ring keeps is 6 s after the last: its list is stale
      // whenever it looks, inside the transaction too
      let fakeNow = performance.now();
      vi.spyOn(performance, 'now').mockImplementation(() => {
        fakeNow += 6_000;
        return fakeNow;
      });
      const renewed = await auth.api.refreshTokens(first.refreshToken);
      const again = await auth.api.refreshTokens(renewed.refreshToken);
      expect(again.refreshToken).not.toBe(renewed.refreshToken);
      await expect(auth.api.verifyAccessToken(again.accessToken)).resolves.toMatchObject({
        sessionId: signedUp.session.id,
      });
      await auth.close();
    }, 10_000);
  });
});
