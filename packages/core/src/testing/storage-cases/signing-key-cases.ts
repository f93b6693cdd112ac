import { describe, expect } from 'vitest';
import { createAuth } from '../../auth.js';
import { isAuthError } from '../../errors.js';
import { silentLogger } from '../../ports/logger.js';
import type { SigningKey } from '../../tokens/signing-key-store.js';
import { randomSuffix, type StorageCases } from '../storage-fixtures.js';

export function signingKeyCases({ it, storage }: StorageCases): void {
  const anIssuer = () => `https://issuer-${randomSuffix()}.example.test/auth`;
  const at = (ms: number) => new Date(Math.floor(ms));
  const aKey = (issuer: string, overrides: Partial<SigningKey> = {}): SigningKey => ({
    id: `kid-${randomSuffix()}-${randomSuffix()}`,
    issuer,
    tenantId: null,
    algorithm: 'EdDSA',
    state: 'active',
    publicJwk: { kty: 'OKP', crv: 'Ed25519', x: 'pub' },
    wrappedPrivateKey: `v1.${randomSuffix()}`,
    keyEncryptionKeyVersion: 'k1',
    createdAt: at(Date.now()),
    activatedAt: at(Date.now()),
    retiredAt: null,
    revokedAt: null,
    ...overrides,
  });
  const conflictOf = (promise: Promise<unknown>) =>
    promise.then(
      () => 'created',
      (e: unknown) => (isAuthError(e, 'conflict') ? 'conflict' : e),
    );

  describe('signing keys', () => {
    it('creates keys and lists those of one issuer, oldest first, as written', async () => {
      const issuer = anIssuer();
      const t0 = Date.now();
      const active = aKey(issuer, { createdAt: at(t0), activatedAt: at(t0) });
      const next = aKey(issuer, { state: 'next', createdAt: at(t0 + 1000), activatedAt: null });
      const es = aKey(issuer, {
        algorithm: 'ES256',
        publicJwk: { kty: 'EC', crv: 'P-256', x: 'x', y: 'y' },
        createdAt: at(t0 + 2000),
        tenantId: null,
      });
      await storage().signingKeys.create(active);
      await storage().signingKeys.create(next);
      await storage().signingKeys.create(es);
      await storage().signingKeys.create(aKey(anIssuer()));

      expect(await storage().signingKeys.listByIssuer(issuer)).toEqual([active, next, es]);
      expect(await storage().signingKeys.listByIssuer(anIssuer())).toEqual([]);
    });

    it('refuses a second active or next key of one issuer and algorithm, and a duplicate kid', async () => {
      const issuer = anIssuer();
      const first = aKey(issuer);
      await storage().signingKeys.create(first);
      expect(await conflictOf(storage().signingKeys.create(aKey(issuer)))).toBe('conflict');
      expect(await conflictOf(storage().signingKeys.create({ ...aKey(anIssuer()), id: first.id }))).toBe(
        'conflict',
      );
      await storage().signingKeys.create(aKey(issuer, { state: 'next', activatedAt: null }));
      expect(await conflictOf(storage().signingKeys.create(aKey(issuer, { state: 'next' })))).toBe(
        'conflict',
      );
      // retired keys hold no slot; another algorithm has its own
      await storage().signingKeys.create(aKey(issuer, { state: 'retired', retiredAt: at(Date.now()) }));
      await storage().signingKeys.create(aKey(issuer, { state: 'retired', retiredAt: at(Date.now()) }));
      await storage().signingKeys.create(aKey(issuer, { algorithm: 'ES256' }));
      expect(await storage().signingKeys.listByIssuer(issuer)).toHaveLength(5);
    });

    it("keeps two issuers' keys apart: each lists only its own, and each has its own active and next slots", async () => {
      const install = anIssuer();
      const tenantId = `tenant-${randomSuffix()}`;
      const tenant = `${install}/tenants/${tenantId}`;
      const t0 = Date.now() - 60_000;
      const installActive = aKey(install, { createdAt: at(t0), activatedAt: at(t0) });
      const installNext = aKey(install, { state: 'next', createdAt: at(t0 + 1000), activatedAt: null });
      // the same algorithm and states under the other issuer: no conflict with the install's
      const tenantActive = aKey(tenant, { tenantId, createdAt: at(t0 + 2000), activatedAt: at(t0 + 2000) });
      const tenantNext = aKey(tenant, {
        tenantId,
        state: 'next',
        createdAt: at(t0 + 3000),
        activatedAt: null,
      });
      for (const key of [installActive, tenantActive, installNext, tenantNext])
        await storage().signingKeys.create(key);
      expect(await storage().signingKeys.listByIssuer(install)).toEqual([installActive, installNext]);
      expect(await storage().signingKeys.listByIssuer(tenant)).toEqual([tenantActive, tenantNext]);
      expect(await conflictOf(storage().signingKeys.create(aKey(tenant, { tenantId })))).toBe('conflict');
      // a transition under one issuer leaves the other's slots alone
      const now = at(Date.now());
      expect(await storage().signingKeys.transition(tenantActive.id, 'active', 'retired', now)).toBe(true);
      expect(await storage().signingKeys.transition(tenantNext.id, 'next', 'active', now)).toBe(true);
      expect((await storage().signingKeys.listByIssuer(install)).map((k) => k.state)).toEqual([
        'active',
        'next',
      ]);
      expect((await storage().signingKeys.listByIssuer(tenant)).map((k) => [k.state, k.tenantId])).toEqual([
        ['retired', tenantId],
        ['active', tenantId],
      ]);
    });

    it('of 10 concurrent first active keys of an empty issuer exactly one is created', async () => {
      const issuer = anIssuer();
      const outcomes = await Promise.all(
        Array.from({ length: 10 }, () => conflictOf(storage().signingKeys.create(aKey(issuer)))),
      );
      expect(outcomes.filter((o) => o === 'created')).toHaveLength(1);
      expect(outcomes.filter((o) => o === 'conflict')).toHaveLength(9);
      expect((await storage().signingKeys.listByIssuer(issuer)).map((k) => k.state)).toEqual(['active']);
    });

    it('rotates in a transaction: active → retired, next → active, a new next, with the times stamped', async () => {
      const issuer = anIssuer();
      const t0 = Date.now() - 60_000;
      const active = aKey(issuer, { createdAt: at(t0), activatedAt: at(t0) });
      const next = aKey(issuer, { state: 'next', createdAt: at(t0 + 1), activatedAt: null });
      await storage().signingKeys.create(active);
      await storage().signingKeys.create(next);
      const now = at(Date.now());
      const newNext = aKey(issuer, { state: 'next', createdAt: now, activatedAt: null });
      await storage().transaction(async (tx) => {
        expect(await tx.signingKeys.transition(active.id, 'active', 'retired', now)).toBe(true);
        expect(await tx.signingKeys.transition(next.id, 'next', 'active', now)).toBe(true);
        await tx.signingKeys.create(newNext);
      });
      const keys = await storage().signingKeys.listByIssuer(issuer);
      expect(keys).toEqual([
        { ...active, state: 'retired', retiredAt: now },
        { ...next, state: 'active', activatedAt: now },
        newNext,
      ]);
    });

    it('moves a key only from the state named: of concurrent transitions exactly one wins', async () => {
      const issuer = anIssuer();
      const key = aKey(issuer);
      await storage().signingKeys.create(key);
      const now = at(Date.now());
      const results = await Promise.all(
        Array.from({ length: 8 }, () => storage().signingKeys.transition(key.id, 'active', 'revoked', now)),
      );
      expect(results.filter(Boolean)).toHaveLength(1);
      expect(await storage().signingKeys.transition(key.id, 'active', 'retired', now)).toBe(false);
      expect(await storage().signingKeys.transition('kid-absent', 'active', 'retired', now)).toBe(false);
      const [stored] = await storage().signingKeys.listByIssuer(issuer);
      expect(stored).toMatchObject({ state: 'revoked', revokedAt: now, retiredAt: null });
    });

    it('refuses to make a key active while another of its issuer and algorithm is', async () => {
      const issuer = anIssuer();
      const t0 = Date.now();
      await storage().signingKeys.create(aKey(issuer, { createdAt: at(t0) }));
      const next = aKey(issuer, { state: 'next', activatedAt: null, createdAt: at(t0 + 1) });
      await storage().signingKeys.create(next);
      expect(
        await conflictOf(storage().signingKeys.transition(next.id, 'next', 'active', at(Date.now()))),
      ).toBe('conflict');
      expect((await storage().signingKeys.listByIssuer(issuer)).map((k) => k.state)).toEqual([
        'active',
        'next',
      ]);
    });

    it('issues access tokens with keys stored here that another instance verifies, one active key under concurrent first use', async () => {
      // a fresh issuer: an empty install as far as signing keys go
      const baseURL = `https://app-${randomSuffix()}.example.test`;
      const instance = () =>
        createAuth({
          storage: storage(),
          secret: 'conformance-secret-0123456789-abcdefghij',
          baseURL,
          logger: silentLogger,
          outbox: { autoStart: false },
          tokens: {
            signingKeys: {
              algorithms: ['ES256'],
              keyEncryptionKeys: [{ version: 'k1', secret: 'conformance-kek-0123456789-abcdefghijkl' }],
            },
          },
        });
      const [a, b] = [instance(), instance()];
      try {
        const issued = await Promise.all([
          ...Array.from({ length: 3 }, () =>
            a.api.issueAccessToken({ subject: 'client-1', clientId: 'client-1' }),
          ),
          ...Array.from({ length: 3 }, () =>
            b.api.issueAccessToken({ subject: 'client-1', clientId: 'client-1' }),
          ),
        ]);
        expect(new Set(issued.map((t) => t.kid)).size).toBe(1);
        for (const token of issued) {
          await expect(b.api.verifyAccessToken(token.token)).resolves.toMatchObject({
            id: 'client-1',
            type: 'client',
          });
          await expect(a.api.verifyAccessToken(token.token)).resolves.toMatchObject({
            tokenId: token.tokenId,
          });
        }
        const keys = await storage().signingKeys.listByIssuer(`${baseURL}/auth`);
        expect(keys.map((k) => k.state).sort()).toEqual(['active', 'next']);
        expect(keys.every((k) => !k.wrappedPrivateKey.includes('PRIVATE KEY'))).toBe(true);
      } finally {
        await Promise.all([a.close(), b.close()]);
      }
    });

    it('rewraps a private key only if it is still the one read', async () => {
      const issuer = anIssuer();
      const key = aKey(issuer);
      await storage().signingKeys.create(key);
      expect(await storage().signingKeys.rewrap(key.id, 'v1.stale', 'v1.new', 'k2')).toBe(false);
      expect(await storage().signingKeys.rewrap(key.id, key.wrappedPrivateKey, 'v1.new', 'k2')).toBe(true);
      expect(await storage().signingKeys.rewrap(key.id, key.wrappedPrivateKey, 'v1.newer', 'k3')).toBe(false);
      const [stored] = await storage().signingKeys.listByIssuer(issuer);
      expect(stored).toMatchObject({ wrappedPrivateKey: 'v1.new', keyEncryptionKeyVersion: 'k2' });
    });
  });
}
