import { describe, expect } from 'vitest';
import type { Client } from '../../clients/clients.js';
import { sha256Hex } from '../../crypto/random.js';
import { uuidv7 } from '../../crypto/uuid.js';
import { aTenant, expectConflict, later, randomSuffix, type StorageCases } from '../storage-fixtures.js';

const HOUR_MS = 3_600_000;

export function clientCases({ it, storage }: StorageCases): void {
  async function createTenant() {
    const tenant = aTenant();
    await storage().tenants.create(tenant);
    return tenant;
  }

  function aClient(tenantId: string, overrides: Partial<Client> = {}): Client {
    const now = new Date('2025-03-04T05:06:07.089Z');
    return {
      id: uuidv7(),
      tenantId,
      environment: 'live',
      name: `worker ${randomSuffix()}`,
      authMethod: 'client_secret',
      secretHash: sha256Hex(`secret-${randomSuffix()}`),
      secretCreatedAt: now,
      secretLastUsedAt: null,
      previousSecretHash: null,
      previousSecretExpiresAt: null,
      previousSecretLastUsedAt: null,
      jwks: null,
      allowedScopes: ['invoices:read', 'invoices:write'],
      status: 'active',
      createdBy: null,
      createdAt: now,
      updatedAt: now,
      lastUsedAt: null,
      ...overrides,
    };
  }

  describe('clients', () => {
    it('stores every client field and finds it by id from any tenant', async () => {
      const tenant = await createTenant();
      const secretClient = aClient(tenant.id, { environment: 'test', createdBy: uuidv7() });
      const keyClient = aClient(tenant.id, {
        authMethod: 'private_key_jwt',
        secretHash: null,
        secretCreatedAt: null,
        jwks: [{ kty: 'OKP', crv: 'Ed25519', x: '11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo', kid: 'k1' }],
        allowedScopes: [],
        lastUsedAt: new Date('2025-03-04T06:00:00.001Z'),
      });
      await storage().clients.create(secretClient);
      await storage().clients.create(keyClient);

      expect(await storage().clients.findById(secretClient.id)).toEqual(secretClient);
      expect(await storage().clients.findById(keyClient.id)).toEqual(keyClient);
      expect(await storage().clients.findById(uuidv7())).toBeNull();
    });

    it('refuses a second client with the same id', async () => {
      const tenant = await createTenant();
      const client = aClient(tenant.id);
      await storage().clients.create(client);
      await expectConflict(() => storage().clients.create(aClient(tenant.id, { id: client.id })));
    });

    it("lists a tenant's active clients by id, page by page, and nothing of another tenant", async () => {
      const tenant = await createTenant();
      const other = await createTenant();
      const clients = [aClient(tenant.id), aClient(tenant.id), aClient(tenant.id)];
      for (const client of clients) await storage().clients.create(client);
      await storage().clients.create(aClient(other.id));
      const gone = aClient(tenant.id);
      await storage().clients.create(gone);
      await storage().clients.delete(tenant.id, gone.id, new Date());

      const first = await storage().clients.listByTenant(tenant.id, { limit: 2 });
      expect(first.items.map((c) => c.id)).toEqual(clients.slice(0, 2).map((c) => c.id));
      const second = await storage().clients.listByTenant(tenant.id, {
        limit: 2,
        cursor: first.nextCursor ?? undefined,
      });
      expect(second.items.map((c) => c.id)).toEqual([clients[2]?.id]);
      expect(second.nextCursor).toBeNull();
    });

    it('rotates the secret: the current one becomes the previous one with its last use', async () => {
      const tenant = await createTenant();
      const usedAt = new Date('2025-03-04T07:00:00.123Z');
      const client = aClient(tenant.id);
      await storage().clients.create(client);
      await storage().clients.recordUse(client.id, 'current', usedAt);
      const at = new Date('2025-03-05T00:00:00.000Z');
      const newHash = sha256Hex(`new-${randomSuffix()}`);

      const rotated = await storage().clients.rotateSecret(tenant.id, client.id, {
        expectedSecretHash: client.secretHash ?? '',
        secretHash: newHash,
        previousSecretExpiresAt: later(at, HOUR_MS),
        at,
      });

      const expected: Client = {
        ...client,
        secretHash: newHash,
        secretCreatedAt: at,
        secretLastUsedAt: null,
        previousSecretHash: client.secretHash,
        previousSecretExpiresAt: later(at, HOUR_MS),
        previousSecretLastUsedAt: usedAt,
        lastUsedAt: usedAt,
        updatedAt: at,
      };
      expect(rotated).toEqual(expected);
      expect(await storage().clients.findById(client.id)).toEqual(expected);
    });

    it("refuses to rotate another tenant's, a deleted, or an already rotated client's secret", async () => {
      const tenant = await createTenant();
      const other = await createTenant();
      const client = aClient(tenant.id);
      await storage().clients.create(client);
      const change = (expectedSecretHash: string) => ({
        expectedSecretHash,
        secretHash: sha256Hex(randomSuffix()),
        previousSecretExpiresAt: new Date(Date.now() + HOUR_MS),
        at: new Date(),
      });

      expect(
        await storage().clients.rotateSecret(other.id, client.id, change(client.secretHash ?? '')),
      ).toBeNull();
      expect(await storage().clients.rotateSecret(tenant.id, client.id, change('0'.repeat(64)))).toBeNull();
      expect(await storage().clients.findById(client.id)).toEqual(client);
      await storage().clients.delete(tenant.id, client.id, new Date());
      expect(
        await storage().clients.rotateSecret(tenant.id, client.id, change(client.secretHash ?? '')),
      ).toBeNull();
    });

    it('lets exactly one of 10 concurrent rotations of the same secret win', async () => {
      const tenant = await createTenant();
      const client = aClient(tenant.id);
      await storage().clients.create(client);
      const results = await Promise.all(
        Array.from({ length: 10 }, () =>
          storage().clients.rotateSecret(tenant.id, client.id, {
            expectedSecretHash: client.secretHash ?? '',
            secretHash: sha256Hex(randomSuffix()),
            previousSecretExpiresAt: new Date(Date.now() + HOUR_MS),
            at: new Date(),
          }),
        ),
      );
      const winners = results.filter((r) => r !== null);
      expect(winners).toHaveLength(1);
      expect(await storage().clients.findById(client.id)).toMatchObject({
        secretHash: winners[0]?.secretHash,
        previousSecretHash: client.secretHash,
      });
    });

    it('deletes once: clears the secret hashes, keeps the row, and only in its own tenant', async () => {
      const tenant = await createTenant();
      const other = await createTenant();
      const client = aClient(tenant.id, {
        previousSecretHash: sha256Hex(randomSuffix()),
        previousSecretExpiresAt: new Date('2030-01-01T00:00:00.000Z'),
      });
      await storage().clients.create(client);
      const at = new Date('2025-04-01T00:00:00.000Z');

      expect(await storage().clients.delete(other.id, client.id, at)).toBe(false);
      const results = await Promise.all(
        [1, 2, 3].map(() => storage().clients.delete(tenant.id, client.id, at)),
      );
      expect(results.filter(Boolean)).toHaveLength(1);
      expect(await storage().clients.findById(client.id)).toEqual({
        ...client,
        status: 'deleted',
        secretHash: null,
        previousSecretHash: null,
        previousSecretExpiresAt: null,
        updatedAt: at,
      });
    });

    it("records a use on the slot's last use and the client's, never on a deleted client", async () => {
      const tenant = await createTenant();
      const client = aClient(tenant.id);
      await storage().clients.create(client);
      const first = new Date('2025-03-04T08:00:00.000Z');
      const second = new Date('2025-03-04T09:00:00.000Z');

      await storage().clients.recordUse(client.id, 'previous', first);
      await storage().clients.recordUse(client.id, null, second);
      expect(await storage().clients.findById(client.id)).toMatchObject({
        lastUsedAt: second,
        secretLastUsedAt: null,
        previousSecretLastUsedAt: first,
      });

      await storage().clients.delete(tenant.id, client.id, second);
      await storage().clients.recordUse(client.id, 'current', later(second, 1000));
      expect((await storage().clients.findById(client.id))?.lastUsedAt).toEqual(second);
    });
  });
}
