import { kyselyStorage, migrate } from '@portcullis/adapter-kysely';
import { createAuth, type Logger } from '@portcullis/core';
import { describe, expect, it } from 'vitest';
import { describeDatabase, randomTablePrefix, sqliteFileDatabase } from './support/test-databases.js';

// Regression (the bench logged "driver has already been destroyed"): work that `auth.close()` did
// not wait for ran on after it, so an app that destroyed its database right after
// `await auth.close()` had queries fail under it. Here the signing key ring publishes a successor
// for an active key in the background (signing does not wait for it); close must wait for that.

const ORIGIN = 'http://localhost:3000';
const PASSWORD = 'correct horse battery staple';
const KEK = { version: 'k1', secret: 'key-encryption-key-0123456789-abcdefghij' };

/** A logger that keeps what was said, with when (before or after the app closed). */
function recordingLogger(closed: () => boolean) {
  const said: { level: string; message: string; afterClose: boolean }[] = [];
  const note =
    (level: string) =>
    (_fields: Record<string, unknown>, message = '') =>
      void said.push({ level, message, afterClose: closed() });
  const logger: Logger = { debug: () => {}, info: () => {}, warn: note('warn'), error: note('error') };
  return { logger, said };
}

describeDatabase(sqliteFileDatabase(), (database) => {
  describe('auth.close()', () => {
    it('waits for the signing keys published in the background: no query runs once it resolved', async () => {
      const connection = await database.connect();
      const tablePrefix = randomTablePrefix();
      await migrate(connection.db, { direction: 'up', tablePrefix });
      let closed = false;
      const queriesAfterClose: string[] = [];
      // every query compiled through this instance, recorded once the app has closed
      const db = connection.db.withPlugin({
        transformQuery: (args) => {
          if (closed) queriesAfterClose.push(args.node.kind);
          return args.node;
        },
        transformResult: async (args) => args.result,
      });
      const storage = kyselyStorage(db, { tablePrefix });
      const { logger, said } = recordingLogger(() => closed);
      const config = {
        storage,
        secret: 'a-secret-that-is-long-enough-0123456789',
        baseURL: ORIGIN,
        logger,
        rateLimit: { enabled: false },
        outbox: { autoStart: false },
        // RSA: generating a key takes long enough that close would return before it is stored
        tokens: { signingKeys: { keyEncryptionKeys: [KEK], algorithms: ['RS256' as const] } },
      };

      const first = createAuth(config);
      const signedUp = await first.api.signUp({ email: 'one@example.com', password: PASSWORD });
      if (!('token' in signedUp)) throw new Error('pending sign-up');
      await first.api.issueTokens(signedUp.token); // the first keys: an active one and its successor
      await first.close();
      // an install whose active key has no successor (as after a revocation of the next key)
      await connection.db.deleteFrom(`${tablePrefix}signing_keys`).where('state', '=', 'next').execute();

      const auth = createAuth(config);
      // signs at once and publishes the active key's successor in the background
      await auth.api.issueTokens(signedUp.token);
      await auth.close();
      closed = true;
      await connection.close();
      // long enough for a key generation cut loose by close to reach the destroyed database
      await new Promise((resolve) => setTimeout(resolve, 3_000));

      expect(queriesAfterClose).toEqual([]);
      expect(said.filter((entry) => entry.afterClose)).toEqual([]);
      expect(said.map((entry) => entry.message)).not.toContain('could not publish a next signing key');
    }, 30_000);
  });
});
