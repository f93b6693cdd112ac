import { createAuth, silentLogger } from '@portcullis/core';
import { memoryKeyValue } from '@portcullis/core/memory';
import type { Storage, StorageStores } from '@portcullis/core/ports';
import { describe, expect, it } from 'vitest';
import { SoftAuthenticator } from '../../../test-support/soft-authenticator.js';
import { kyselyConformance } from './support/kysely-conformance.js';
import { describeDatabase, serverDatabase } from './support/test-databases.js';

// Regression: two first passkeys registered at once were each told they were the user's first
// second factor (the check ran before either transaction) and each came with recovery codes;
// the second set replaced the first, so the codes one screen showed never worked. The decision
// now runs inside the transaction, with the user's row locked. Only a database whose reads do not
// queue behind a write (not SQLite, not the memory adapter) could show it.

const ORIGIN = 'http://localhost:3000';

type RegistrationResponse = Parameters<
  ReturnType<typeof createAuth>['api']['registerPasskey']
>[1]['response'];

/** The storage, with each transaction's passkey insert held back: the other registration's checks run meanwhile. */
function slowPasskeyInserts(storage: Storage): Storage {
  const slowTx = (tx: StorageStores): StorageStores =>
    new Proxy(tx, {
      get(target, name, receiver) {
        const store = Reflect.get(target, name, receiver);
        if (name !== 'passkeys') return store;
        return new Proxy(store, {
          get(passkeys, method, r) {
            const value = Reflect.get(passkeys, method, r);
            if (method !== 'create' || typeof value !== 'function') return value;
            return async (...args: unknown[]) => {
              await new Promise((resolve) => setTimeout(resolve, 200));
              return value.apply(passkeys, args);
            };
          },
        });
      },
    });
  return new Proxy(storage, {
    get(target, name, receiver) {
      const value = Reflect.get(target, name, receiver);
      if (name !== 'transaction' || typeof value !== 'function') return value;
      return <T>(fn: (tx: StorageStores) => Promise<T>) =>
        value.call(target, (tx: StorageStores) => fn(slowTx(tx)));
    },
  });
}

for (const database of [
  serverDatabase('PostgreSQL', 'PORTCULLIS_TEST_POSTGRES_URL'),
  serverDatabase('MariaDB/MySQL', 'PORTCULLIS_TEST_MYSQL_URL'),
]) {
  describeDatabase(database, (db) => {
    describe(`recovery codes with two first passkeys at once (kysely + ${db.name})`, () => {
      it('hands out one set, and it works', async () => {
        const conformance = kyselyConformance(db);
        const storage = await conformance.create();
        const auth = createAuth({
          storage: slowPasskeyInserts(storage),
          keyValue: memoryKeyValue(),
          secret: 'test-secret-0123456789-abcdefghijklmnop',
          baseURL: ORIGIN,
          logger: silentLogger,
          outbox: { autoStart: false },
          rateLimit: { enabled: false },
        });
        try {
          const email = `race.${Date.now()}.${Math.random().toString(36).slice(2)}@example.com`;
          const password = 'correct horse battery staple';
          const signedUp = await auth.api.signUp({ email, password });
          if ('pending' in signedUp) throw new Error('unexpected pending sign-up');
          const current = await auth.api.validateSessionToken(signedUp.token);
          if (!current) throw new Error('no session');
          const authenticator = new SoftAuthenticator({ origin: ORIGIN });
          const first = await auth.api.passkeyRegistrationOptions(current);
          const second = await auth.api.passkeyRegistrationOptions(current);
          const responses = [
            await authenticator.create(first.options),
            await authenticator.create(second.options),
          ];

          const registered = await Promise.all(
            responses.map((response, i) =>
              auth.api.registerPasskey(current, {
                response: response as RegistrationResponse,
                name: `Key ${i}`,
              }),
            ),
          );

          const shown = registered.flatMap((r) => r.recoveryCodes ?? []);
          expect(shown).toHaveLength(10); // one set, from one of the two
          expect((await auth.api.getMfaStatus(signedUp.user.id)).recoveryCodesRemaining).toBe(10);
          const login = await auth.api.signIn({ email, password });
          if (!('challengeId' in login)) throw new Error('expected a second-factor challenge');
          const verified = await auth.api.verifyMfa({
            challengeId: login.challengeId,
            method: 'recovery_code',
            code: shown[0]!,
          });
          expect(verified).toHaveProperty('session');
        } finally {
          await auth.close();
          await conformance.destroy?.(storage);
        }
      });
    });
  });
}
