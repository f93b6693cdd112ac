import { recordChange } from '../audit/index.js';
import type { AuthorizationService, Decision } from '../authorization/index.js';
import { findGrantingRole } from '../authorization/index.js';
import type { CallContext } from '../call-context.js';
import { uuidv7 } from '../crypto/uuid.js';
import { AuthError, isAuthError } from '../errors.js';
import { type Membership, newMembership } from '../memberships/memberships.js';
import type { Clock } from '../ports/clock.js';
import { type Page, type PageRequest, pageRequest } from '../ports/pagination.js';
import type { Storage, StorageStores } from '../ports/storage.js';
import type { RateLimiter } from '../rate-limit/index.js';
import { parseInput } from '../validation.js';
import type { ResolvedTenantsOptions } from './tenant-options.js';
import { createTenantInputSchema, updateTenantInputSchema } from './tenant-schemas.js';
import type { Tenant, TenantStatus, TenantWithRoles, UserPool } from './tenants.js';

export interface CreateTenantInput {
  slug: string;
  name: string;
  userPool?: UserPool;
  metadata?: Record<string, unknown>;
}

export interface UpdateTenantInput {
  name?: string;
  status?: TenantStatus;
  metadata?: Record<string, unknown>;
}

/** A member's standing in a tenant, after a permission check. */
export interface TenantAccess {
  tenant: Tenant;
  membership: Membership;
  /** The engine's decision that allowed it (its `reason` names the granting role or policy). */
  decision: Decision;
}

/** The tenant operations of `auth.api`. */
export interface TenantsApi {
  /**
   * Creates a tenant with the configured default roles, the creator its first member with the
   * creator role (`tenants.creatorRole`, `owner` by default), atomically. `slug_taken` when the
   * slug is in use; users of an isolated pool cannot create tenants (`forbidden`). Limited per
   * creator (`rateLimit.rules.tenantCreate`, 20 an hour by default: `rate_limited`). Audited and
   * emitted as `tenant.created`.
   *
   * @example
   * const tenant = await auth.api.createTenant(userId, { slug: 'acme', name: 'Acme' })
   */
  createTenant(creatorUserId: string, input: CreateTenantInput, context?: CallContext): Promise<Tenant>;
  /**
   * The tenants the user belongs to, each with the user's roles there, by id, page by page (50
   * by default): what an organization switcher shows.
   *
   * @example
   * const { items } = await auth.api.listTenants(userId)
   * // [{ id, slug: 'acme', name: 'Acme', roles: ['owner'], … }]
   */
  listTenants(userId: string, page?: Partial<PageRequest>): Promise<Page<TenantWithRoles>>;
  /**
   * The tenant, if the user is a member (`not_found` otherwise). Like every tenant operation, it
   * takes the call's `context`: its `session` and `ip` are what the tenant's policies see as
   * `context.mfa`, `context.authAgeSeconds` and `context.ip` (absent without them).
   */
  getTenant(tenantId: string, userId: string, context?: CallContext): Promise<Tenant>;
  /**
   * Renames the tenant or replaces its metadata (needs `tenant.update`), or suspends or
   * reactivates it (needs `tenant.suspend`, the owners' by default). Suspending revokes the
   * sessions acting in the tenant in the same transaction.
   */
  updateTenant(
    tenantId: string,
    userId: string,
    input: UpdateTenantInput,
    context?: CallContext,
  ): Promise<Tenant>;
}

/** The tenants domain: its `auth.api` operations and the permission check of every tenant route. */
export interface TenantService {
  api: TenantsApi;
  /** A tenant by id or slug, or null. */
  resolveTenant(idOrSlug: string): Promise<Tenant | null>;
  /**
   * Checks that the user is a member of the tenant allowed `permission` by the authorization
   * engine (roles and policies alike: a tenant's deny policy can restrict its own admin routes).
   * A non-member (or an unknown tenant) gets `not_found`, so tenant ids reveal nothing; a member
   * without the permission gets `forbidden`. The call's session and IP (from `context`) are the
   * decision's `context.mfa`, `context.authAgeSeconds` and `context.ip`.
   */
  requirePermission(
    tenantId: string,
    userId: string,
    permission: string,
    context?: CallContext,
  ): Promise<TenantAccess>;
}

/** What the tenant service uses. */
export interface TenantServiceDeps {
  storage: Storage;
  clock: Clock;
  authorization: AuthorizationService;
  rateLimiter: RateLimiter;
}

export function createTenantService(deps: TenantServiceDeps, options: ResolvedTenantsOptions): TenantService {
  const { storage, clock, authorization, rateLimiter } = deps;

  const api: TenantsApi = {
    async createTenant(creatorUserId, rawInput, context = {}) {
      const input = parseInput(createTenantInputSchema, rawInput);
      // per creator, not per address: every caller has one, server-side calls included
      const limited = await rateLimiter.consume('tenantCreate', `user:${creatorUserId}`, { ip: context.ip });
      if (limited) (context.rateLimits ??= []).push(limited);
      const creator = await storage.users.findById(creatorUserId);
      if (!creator || creator.status !== 'active') throw new AuthError('unauthenticated');
      if (creator.tenantId !== null) {
        // users of an isolated pool live inside their tenant and cannot found others
        throw new AuthError('forbidden', { detail: 'users of an isolated tenant cannot create tenants' });
      }
      const now = clock.now();
      const tenant: Tenant = {
        id: uuidv7(now.getTime()),
        slug: input.slug.toLowerCase(),
        name: input.name,
        status: 'active',
        userPool: input.userPool ?? 'shared',
        metadata: input.metadata ?? {},
        createdAt: now,
        updatedAt: now,
      };
      try {
        await storage.transaction(async (tx) => {
          await tx.tenants.create(tenant);
          await provisionDefaultRoles(tx, tenant.id, now);
          await tx.memberships.create(newMembership(tenant.id, creatorUserId, [options.creatorRole], now));
          await recordChange(tx, clock, context, {
            tenantId: tenant.id,
            action: 'tenant.created',
            target: { type: 'tenant', id: tenant.id },
            data: { slug: tenant.slug, userPool: tenant.userPool, ownerId: creatorUserId },
          });
        });
      } catch (error) {
        if (isAuthError(error, 'conflict')) throw new AuthError('slug_taken', { cause: error });
        throw error;
      }
      return tenant;
    },

    listTenants: (userId, page) => storage.tenants.listForUser(userId, pageRequest(page)),

    async getTenant(tenantId, userId, context) {
      return (await requirePermission(tenantId, userId, 'tenant.read', context)).tenant;
    },

    async updateTenant(tenantId, userId, rawInput, context = {}) {
      const input = parseInput(updateTenantInputSchema, rawInput) as UpdateTenantInput;
      // suspending or reactivating is its own permission (owners' by default): an admin who may
      // rename the tenant must not be able to switch it off for everyone
      if (input.status !== undefined) await requirePermission(tenantId, userId, 'tenant.suspend', context);
      if (input.name !== undefined || input.metadata !== undefined)
        await requirePermission(tenantId, userId, 'tenant.update', context);
      const updated = await storage.transaction(async (tx) => {
        const now = clock.now();
        const row = await tx.tenants.update(tenantId, { ...input, updatedAt: now });
        if (!row) throw new AuthError('not_found', { detail: 'no such tenant' });
        // a suspended tenant's sessions end with the suspension, in the same transaction
        const revokedSessions =
          input.status === 'suspended'
            ? await tx.sessions.revokeAllForTenant(tenantId, now, 'tenant_suspended')
            : 0;
        // decisions are cached with the tenant's status: a status change is an authorization change
        if (input.status !== undefined) await tx.authorizationVersions.bumpRolesVersion(tenantId);
        await recordChange(tx, clock, context, {
          tenantId,
          action: input.status === 'suspended' ? 'tenant.suspended' : 'tenant.updated',
          target: { type: 'tenant', id: tenantId },
          data: { fields: Object.keys(input), ...(revokedSessions ? { revokedSessions } : {}) },
        });
        return row;
      });
      return updated;
    },
  };

  return { api, resolveTenant, requirePermission };

  async function resolveTenant(idOrSlug: string): Promise<Tenant | null> {
    const byId = /^[0-9a-f]{8}-[0-9a-f]{4}-/i.test(idOrSlug)
      ? await storage.tenants.findById(idOrSlug)
      : null;
    return byId ?? storage.tenants.findBySlug(idOrSlug.toLowerCase());
  }

  async function requirePermission(
    tenantId: string,
    userId: string,
    permission: string,
    context: CallContext = {},
  ): Promise<TenantAccess> {
    const [tenant, checked] = await Promise.all([
      storage.tenants.findById(tenantId),
      authorization.decideForMember({
        tenantId,
        userId,
        action: permission,
        ...(context.session ? { session: context.session } : {}),
        ...(context.ip !== undefined ? { ip: context.ip } : {}),
      }),
    ]);
    if (!tenant || !checked) throw new AuthError('not_found', { detail: 'no such tenant' });
    if (tenant.status !== 'active') {
      // the engine denies everything in a suspended tenant; its members may still read it, and
      // those whose roles allow may reactivate it
      if (permission !== 'tenant.suspend' && permission !== 'tenant.read')
        throw new AuthError('tenant_suspended');
      const decision = await decideByRoles(tenantId, checked.membership.roles, permission);
      if (!decision) throw new AuthError('forbidden', { detail: `missing permission ${permission}` });
      return { tenant, membership: checked.membership, decision };
    }
    const decision = checked.decision.allowed
      ? checked.decision
      : permission === 'policy.manage'
        ? await decideByRoles(tenantId, checked.membership.roles, permission)
        : null;
    if (!decision) throw new AuthError('forbidden', { detail: `missing permission ${permission}` });
    return { tenant, membership: checked.membership, decision };
  }

  /**
   * A decision by roles alone, for the two cases where policies must not decide: `policy.manage`
   * when policies deny it (a tenant's careless deny of `*` must never lock its admins out of the
   * one place it can be repaired), and reading or reactivating a suspended tenant.
   */
  async function decideByRoles(
    tenantId: string,
    roleKeys: readonly string[],
    permission: string,
  ): Promise<Decision | null> {
    const role = findGrantingRole(await storage.roles.listByTenant(tenantId), [...roleKeys], permission);
    return role ? { allowed: true, reason: { kind: 'role', id: role.id, key: role.key } } : null;
  }

  async function provisionDefaultRoles(tx: StorageStores, tenantId: string, now: Date) {
    await tx.roles.createMany(
      options.defaultRoles.map((template) => ({
        id: uuidv7(now.getTime()),
        tenantId,
        key: template.key,
        name: template.name,
        permissions: [...template.permissions],
        version: 1,
        createdAt: now,
        updatedAt: now,
      })),
    );
  }
}
