import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Auth } from '../../api/index.js';
import { createAuth } from '../../auth.js';
import type { Storage } from '../../ports/storage.js';
import type { StorageConformanceOptions } from '../storage-conformance.js';
import { httpClient, ORIGIN } from './http-client.js';

const random = () => Math.random().toString(36).slice(2, 10);

/**
 * Declares the authorization administration suite: the policies and roles routes, member role
 * changes and decisions (`/authorize`, `auth.api.authorizeMany`) over HTTP through `createAuth()` on the given storage, so the service's transactions (the
 * change, its audit entry, its outbox event and the authorization version bump) and the
 * authorizer's cache invalidation are proven on every database, not only in memory. Takes the
 * same options as {@link describeStorageConformance}; call it with a storage of its own (its own
 * table prefix).
 *
 * @example
 * // packages/adapter-kysely/test/postgres.test.ts
 * describeAuthorizationAdministrationConformance(`kysely + ${database.name}`, kyselyConformance(database))
 */
export function describeAuthorizationAdministrationConformance(
  name: string,
  options: StorageConformanceOptions,
): void {
  describe(`authorization administration: ${name}`, () => {
    let storage: Storage | undefined;
    let auth: Auth | undefined;
    let call: ReturnType<typeof httpClient>;

    beforeAll(async () => {
      storage = await options.create();
      auth = createAuth({
        storage,
        secret: 'policy-administration-conformance-0123456789',
        baseURL: ORIGIN,
        rateLimit: { enabled: false },
        outbox: { autoStart: false },
        logger: { debug() {}, info() {}, warn() {}, error() {} },
      });
      call = httpClient(auth);
    });
    afterAll(async () => {
      await auth?.close();
      if (storage) await options.destroy?.(storage);
    });

    const test = (title: string, fn: () => Promise<void>) => {
      const reason = options.skip?.[title];
      if (reason === undefined) it(title, fn);
      else it.skip(`${title} (skipped: ${reason})`, fn);
    };

    /** An owner and a plain member of a fresh isolated-pool tenant. */
    async function tenantWithMember() {
      const owner = await call('POST', '/signup', {
        email: `owner.${random()}@example.com`,
        password: 'correct horse battery staple',
      });
      const slug = `pac-${random()}`;
      const tenant = await call(
        'POST',
        '/tenants',
        { slug, name: 'Policies', userPool: 'isolated' },
        owner.cookie,
      );
      const member = await call('POST', '/signup', {
        email: `member.${random()}@example.com`,
        password: 'correct horse battery staple',
        tenant: slug,
      });
      expect([owner.status, tenant.status, member.status]).toEqual([201, 201, 201]);
      const tenantId = tenant.body.id as string;
      return { owner, member, tenantId, base: `/tenants/${tenantId}/policies` };
    }

    const ownDocuments = {
      effect: 'allow',
      actions: ['document.update'],
      resource: 'document',
      condition: { eq: [{ ref: 'resource.ownerId' }, { ref: 'subject.id' }] },
      description: 'Members edit their own documents',
    };

    test('creates, lists, replaces and deletes a policy, with its audit entries and version bumps', async () => {
      const { owner, tenantId, base } = await tenantWithMember();
      const created = await call('POST', base, ownDocuments, owner.cookie);
      expect(created.status).toBe(201);
      expect(created.body).toMatchObject({ ...ownDocuments, tenantId, version: 1, warnings: [] });
      // the list shows the stored policy; `warnings` are about the write, so only its answer has them
      const { warnings: _warnings, ...stored } = created.body;
      expect((await call('GET', base, undefined, owner.cookie)).body.items).toEqual([stored]);

      const replaced = await call(
        'PUT',
        `${base}/${created.body.id}`,
        { effect: 'deny', actions: ['document.delete'], resource: 'document' },
        owner.cookie,
      );
      expect(replaced.status).toBe(200);
      expect(replaced.body).toMatchObject({ effect: 'deny', actions: ['document.delete'], version: 2 });
      expect(replaced.body.condition).toBeUndefined();
      expect(replaced.body.description).toBeUndefined();

      expect((await call('DELETE', `${base}/${created.body.id}`, undefined, owner.cookie)).status).toBe(204);
      expect((await call('DELETE', `${base}/${created.body.id}`, undefined, owner.cookie)).status).toBe(404);
      expect((await call('GET', base, undefined, owner.cookie)).body.items).toEqual([]);

      const stores = storage!;
      expect((await stores.authorizationVersions.getVersions(tenantId)).policies).toBe(3);
      const audit = await stores.audit.list(tenantId, { limit: 3 });
      expect(audit.map((e) => e.action)).toEqual(['policy.deleted', 'policy.updated', 'policy.created']);
      expect(await auth!.api.verifyAuditChain({ tenantId })).toMatchObject({ valid: true });
    });

    test('the next decision sees a stored policy, its replacement and its removal', async () => {
      const { owner, member, tenantId, base } = await tenantWithMember();
      const decide = async () =>
        (
          await call(
            'POST',
            `/tenants/${tenantId}/authorize`,
            { action: 'document.update', resource: { type: 'document', ownerId: member.body.user.id } },
            member.cookie,
          )
        ).body;
      expect((await decide()).allowed).toBe(false);
      const created = await call('POST', base, ownDocuments, owner.cookie);
      // a member who cannot read policies is told that a policy decided, not which
      expect(await decide()).toEqual({
        allowed: true,
        reason: { kind: 'undisclosed_policy', effect: 'allow' },
      });
      await call(
        'PUT',
        `${base}/${created.body.id}`,
        { ...ownDocuments, actions: ['document.read'] },
        owner.cookie,
      );
      expect((await decide()).allowed).toBe(false);
      await call('PUT', `${base}/${created.body.id}`, ownDocuments, owner.cookie);
      expect((await decide()).allowed).toBe(true);
      await call('DELETE', `${base}/${created.body.id}`, undefined, owner.cookie);
      expect((await decide()).allowed).toBe(false);
    });

    test('a custom role given to a member decides from the next request, and is undeletable while held', async () => {
      const { owner, member, tenantId } = await tenantWithMember();
      const memberId = member.body.user.id as string;
      const decide = async () =>
        (await call('POST', `/tenants/${tenantId}/authorize`, { action: 'document.publish' }, member.cookie))
          .body;
      expect(await decide()).toMatchObject({ allowed: false, reason: { kind: 'no_rule' } });
      const role = await call(
        'POST',
        `/tenants/${tenantId}/roles`,
        { key: 'publisher', name: 'Publisher', permissions: ['document.publish', 'tenant.read'] },
        owner.cookie,
      );
      expect(role.status).toBe(201);
      const member_ = `/tenants/${tenantId}/members/${memberId}`;
      expect((await call('PATCH', member_, { roles: ['viewer', 'publisher'] }, owner.cookie)).status).toBe(
        200,
      );
      expect(await decide()).toMatchObject({ allowed: true, reason: { kind: 'role', key: 'publisher' } });
      const held = await call(
        'DELETE',
        `/tenants/${tenantId}/roles/${role.body.id}`,
        undefined,
        owner.cookie,
      );
      expect([held.status, held.body.code]).toEqual([409, 'conflict']);
      expect((await call('PATCH', member_, { roles: ['viewer'] }, owner.cookie)).status).toBe(200);
      expect((await decide()).allowed).toBe(false);
      expect(
        (await call('DELETE', `/tenants/${tenantId}/roles/${role.body.id}`, undefined, owner.cookie)).status,
      ).toBe(204);
      const audit = await storage!.audit.list(tenantId, { limit: 4 });
      expect(audit.map((e) => e.action)).toEqual([
        'role.deleted',
        'member.updated',
        'member.updated',
        'role.created',
      ]);
      expect(await auth!.api.verifyAuditChain({ tenantId })).toMatchObject({ valid: true });
    });

    test('decides a batch of resources in one call, in order', async () => {
      const { owner, member, tenantId, base } = await tenantWithMember();
      await call('POST', base, ownDocuments, owner.cookie);
      const memberId = member.body.user.id as string;
      const decisions = await auth!.api.authorizeMany({
        userId: memberId,
        tenantId,
        action: 'document.update',
        resources: [
          { type: 'document', ownerId: memberId },
          { type: 'document', ownerId: 'someone-else' },
          { type: 'document' },
        ],
      });
      expect(decisions.map((d) => [d.allowed, d.reason.kind])).toEqual([
        [true, 'policy'],
        [false, 'no_rule'],
        [false, 'missing_attribute'],
      ]);
      const outsider = await auth!.api.authorizeMany({
        userId: 'not-a-member',
        tenantId,
        action: 'document.update',
        resources: [{ type: 'document', ownerId: memberId }],
      });
      expect(outsider).toEqual([{ allowed: false, reason: { kind: 'not_member' } }]);
    });

    test("answers 404 for another tenant's policy and leaves it untouched", async () => {
      const a = await tenantWithMember();
      const b = await tenantWithMember();
      const policy = await call('POST', a.base, ownDocuments, a.owner.cookie);
      const foreign = `${b.base}/${policy.body.id}`;
      expect((await call('PUT', foreign, { ...ownDocuments, effect: 'deny' }, b.owner.cookie)).status).toBe(
        404,
      );
      expect((await call('DELETE', foreign, undefined, b.owner.cookie)).status).toBe(404);
      expect((await call('GET', a.base, undefined, b.owner.cookie)).status).toBe(404);
      const { warnings: _warnings, ...stored } = policy.body;
      expect((await call('GET', a.base, undefined, a.owner.cookie)).body.items).toEqual([stored]);
      expect((await storage!.authorizationVersions.getVersions(b.tenantId)).policies).toBe(0);
    });

    test('stores nothing for a refused write: no policy, no audit entry, no version bump', async () => {
      const { owner, member, tenantId, base } = await tenantWithMember();
      const before = await storage!.audit.list(tenantId, { limit: 1 });
      const invalid = await call(
        'POST',
        base,
        { ...ownDocuments, condition: { regex: [{ ref: 'subject.id' }, 'x'] } },
        owner.cookie,
      );
      expect([invalid.status, invalid.body.code]).toEqual([422, 'invalid_policy']);
      const forbidden = await call(
        'POST',
        base,
        { effect: 'deny', actions: ['*'], resource: '*' },
        member.cookie,
      );
      expect(forbidden.status).toBe(403);
      expect(await storage!.policies.listByTenant(tenantId)).toEqual([]);
      expect((await storage!.authorizationVersions.getVersions(tenantId)).policies).toBe(0);
      expect((await storage!.audit.list(tenantId, { limit: 1 }))[0]?.id).toBe(before[0]?.id);
    });
  });
}
