import { randomBytes } from 'node:crypto';
import { type Auth, createAuth, oidcProvider, type Storage, silentLogger } from '@portcullis/core';
import type { StorageConformanceOptions } from '@portcullis/core/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type IdpAccount,
  signInThroughProvider,
  startTestIdentityProvider,
  type TestIdentityProvider,
} from './oidc-identity-provider.js';

const ORIGIN = 'http://localhost:3000';
const CALLBACK = `${ORIGIN}/auth/oauth/acme/callback`;

/**
 * The OIDC sign-in flow end to end on a real database: what it writes in one transaction (user,
 * provider account, session, audit and outbox rows), a returning sign-in, linking by verified
 * email, and a refused link that writes nothing. The adapter test files run it per database; the
 * protocol's own cases run once, on memory, in test/http-oauth.test.ts.
 *
 * @example
 * describeOAuthLoginOnStorage(`kysely + ${database.name}`, kyselyConformance(database))
 */
export function describeOAuthLoginOnStorage(name: string, options: StorageConformanceOptions): void {
  describe(`OIDC login on ${name}`, () => {
    let idp: TestIdentityProvider;
    let storage: Storage;
    let auth: Auth;

    beforeAll(async () => {
      idp = await startTestIdentityProvider({ redirectUris: [CALLBACK] });
      storage = await options.create();
      auth = createAuth({
        storage,
        secret: 'test-secret-0123456789-abcdefghijklmnop',
        baseURL: ORIGIN,
        logger: silentLogger,
        outbox: { autoStart: false },
        oauth: {
          providers: {
            acme: oidcProvider({
              issuer: idp.issuer,
              clientId: idp.clientId,
              clientSecret: idp.clientSecret,
            }),
          },
          linking: { mode: 'verified-email' },
        },
      });
    });
    afterAll(async () => {
      await auth?.close();
      if (storage) await options.destroy?.(storage);
      await idp?.close();
    });

    /** Starts at the app, logs in at the provider, and returns the app's answer to the callback. */
    async function signInAs(person: IdpAccount) {
      const { response: done, session } = await signInThroughProvider(auth, idp, person, {
        appOrigin: ORIGIN,
      });
      return {
        status: done.status,
        body: done.status === 302 ? null : await done.json(),
        session,
      };
    }

    const aPerson = (email?: string): IdpAccount => {
      const id = randomBytes(6).toString('hex');
      return { sub: `sub-${id}`, email: email ?? `person-${id}@idp.test`, emailVerified: true };
    };

    it('signs a new person up: user, account, session and audit written together', async () => {
      const person = aPerson();
      const result = await signInAs(person);
      expect(result.status).toBe(302);
      const current = await auth.api.validateSessionToken(result.session!);
      expect(current?.user.email).toBe(person.email);
      expect(current?.user.emailVerifiedAt).not.toBeNull();
      expect(current?.session.amr).toEqual(['fed']);
      const found = await storage.oauthAccounts.findByProviderSubject('acme', person.sub);
      expect(found?.user.id).toBe(current!.user.id);
      const audit = await storage.audit.list(`user:${current!.user.id}`, { limit: 10 });
      expect(audit.map((e) => e.action).sort()).toEqual(
        ['oauth.account_linked', 'oauth.signed_in', 'session.created', 'user.created'].sort(),
      );

      const again = await signInAs(person);
      expect((await auth.api.validateSessionToken(again.session!))?.user.id).toBe(current!.user.id);
    });

    it('links to a verified user by verified email, and claims an unverified one, removing its password', async () => {
      const verified = await auth.api.createUser({
        email: `verified-${randomBytes(4).toString('hex')}@example.test`,
        emailVerified: true,
      });
      const person = aPerson(verified.email);
      const linked = await signInAs(person);
      expect(linked.status).toBe(302);
      expect((await auth.api.validateSessionToken(linked.session!))?.user.id).toBe(verified.id);
      expect(await storage.oauthAccounts.listByUser(verified.id)).toMatchObject([{ subject: person.sub }]);

      // registered by someone else and never proven: the provider's proof gives it to the owner,
      // without the password set before (the pre-hijacking suite covers the rest)
      const unverified = await auth.api.createUser({
        email: `squatted-${randomBytes(4).toString('hex')}@example.test`,
        password: 'a squatter chose this passphrase',
      });
      const owner = aPerson(unverified.email);
      const claimed = await signInAs(owner);
      expect(claimed.status).toBe(302);
      expect((await auth.api.validateSessionToken(claimed.session!))?.user.id).toBe(unverified.id);
      expect(await storage.oauthAccounts.listByUser(unverified.id)).toMatchObject([{ subject: owner.sub }]);
      expect(await storage.passwords.findHash(unverified.id)).toBeNull();
    });
  });
}
