import { z } from 'zod';
import { recordChange } from '../audit/index.js';
import type { CallContext } from '../call-context.js';
import { uuidv7 } from '../crypto/uuid.js';
import { AuthError, isAuthError } from '../errors.js';
import type { Clock } from '../ports/clock.js';
import type { Storage } from '../ports/storage.js';
import { parseInput, singleLineTextSchema } from '../validation.js';
import { assertCanGrant } from './grant-rule.js';
import { assertKnownPermissions, type PermissionCatalog } from './permission-catalog.js';
import { actionPatternSchema } from './policy-schema.js';
import type { Role } from './roles.js';
import type { TenantPermissionCheck } from './tenant-permission-check.js';

/** A role permission has the grammar of a policy action: `document.read`, `document.*` or `*`. */
const permissionSchema = actionPatternSchema;

/** A role key: what memberships and invitations name roles by. */
export const roleKeySchema = z
  .string()
  .regex(/^[a-z][a-z0-9_-]{0,62}$/, 'lower-case letters, digits, `_` and `-`, starting with a letter');

export const createRoleInputSchema = z
  .object({
    key: roleKeySchema,
    name: singleLineTextSchema(1, 100),
    permissions: z.array(permissionSchema).max(500),
  })
  .strict();

export const updateRoleInputSchema = z
  .object({
    name: singleLineTextSchema(1, 100).optional(),
    permissions: z.array(permissionSchema).max(500).optional(),
  })
  .strict()
  .refine((v) => v.name !== undefined || v.permissions !== undefined, 'nothing to update');

/** The role operations of `auth.api`: a tenant's roles as its admins edit them. */
export interface RolesApi {
  /**
   * The tenant's roles; the caller needs `member.read` there.
   *
   * @example
   * const roles = await auth.api.listRoles(tenantId, userId)
   */
  listRoles(tenantId: string, userId: string, context?: CallContext): Promise<Role[]>;
  /**
   * Creates a custom role (needs `role.manage`). Only permissions the caller holds may be granted
   * (`forbidden` otherwise), and only permissions in the catalog when one is configured
   * (`unknown_permission`); a taken key is a `conflict`. Bumps the tenant's authorization version.
   *
   * @example
   * await auth.api.createRole(tenantId, adminId, { key: 'billing', name: 'Billing', permissions: ['invoice.*'] })
   */
  createRole(
    tenantId: string,
    userId: string,
    input: { key: string; name: string; permissions: string[] },
    context?: CallContext,
  ): Promise<Role>;
  /**
   * Renames a role or replaces its permissions (same rules as {@link createRole}; the creator
   * role's permissions cannot change, and a role holding more than the caller is out of their
   * reach); bumps its version.
   */
  updateRole(
    tenantId: string,
    userId: string,
    roleId: string,
    input: { name?: string; permissions?: string[] },
    context?: CallContext,
  ): Promise<Role>;
  /** Deletes a role no member holds; the creator role (`owner`) cannot be deleted (`conflict`). */
  deleteRole(tenantId: string, userId: string, roleId: string, context?: CallContext): Promise<void>;
}

/** The roles part of the authorization domain: its `auth.api` operations. */
export interface RoleService {
  api: RolesApi;
}

/** What the role service uses. */
export interface RoleServiceDeps {
  storage: Storage;
  clock: Clock;
  tenants: TenantPermissionCheck;
}

export interface RoleServiceOptions {
  /** The permission catalog every granted permission must be in (when it is enforced). */
  catalog: PermissionCatalog;
  /** `tenants.creatorRole`: its permissions never change and it is never deleted. */
  creatorRole: string;
  /** `authorization.limits.maxRolesPerTenant`: one more is `role_limit_reached`. */
  maxRolesPerTenant: number;
}

export function createRoleService(
  { storage, clock, tenants }: RoleServiceDeps,
  { catalog, creatorRole, maxRolesPerTenant }: RoleServiceOptions,
): RoleService {
  /**
   * Needs `role.manage`; every permission must be in the catalog (when one is configured) and
   * held by the caller (see grant-rule.ts).
   */
  async function assertGrantable(
    tenantId: string,
    userId: string,
    permissions: string[],
    context: CallContext,
  ) {
    const { membership } = await tenants.requirePermission(tenantId, userId, 'role.manage', context);
    assertKnownPermissions(catalog, 'permissions', permissions);
    assertCanGrant(await storage.roles.listByTenant(tenantId), membership.roles, permissions);
  }

  const api: RolesApi = {
    async listRoles(tenantId, userId, context = {}) {
      await tenants.requirePermission(tenantId, userId, 'member.read', context);
      return storage.roles.listByTenant(tenantId);
    },

    async createRole(tenantId, userId, rawInput, context = {}) {
      const input = parseInput(createRoleInputSchema, rawInput);
      await assertGrantable(tenantId, userId, input.permissions, context);
      const now = clock.now();
      const role: Role = {
        id: uuidv7(now.getTime()),
        tenantId,
        ...input,
        version: 1,
        createdAt: now,
        updatedAt: now,
      };
      try {
        await storage.transaction(async (tx) => {
          // bumped first: the bump locks the tenant's versions row, so concurrent creators queue
          // and the count below is not stale
          await tx.authorizationVersions.bumpRolesVersion(tenantId);
          if ((await tx.roles.listByTenant(tenantId)).length >= maxRolesPerTenant) {
            throw new AuthError('role_limit_reached', {
              detail: `a tenant holds at most ${maxRolesPerTenant} roles`,
            });
          }
          await tx.roles.createMany([role]);
          await recordChange(tx, clock, context, {
            tenantId,
            action: 'role.created',
            target: { type: 'role', id: role.id },
            data: { key: role.key, permissions: role.permissions },
          });
        });
      } catch (error) {
        if (isAuthError(error, 'conflict'))
          throw new AuthError('conflict', { detail: `role "${input.key}" exists` });
        throw error;
      }
      return role;
    },

    async updateRole(tenantId, userId, roleId, rawInput, context = {}) {
      const input = parseInput(updateRoleInputSchema, rawInput);
      const { membership } = await tenants.requirePermission(tenantId, userId, 'role.manage', context);
      if (input.permissions) assertKnownPermissions(catalog, 'permissions', input.permissions);
      return storage.transaction(async (tx) => {
        // first statement: the tenant lock orders this against member and role changes
        await tx.tenants.lock(tenantId);
        const current = await tx.roles.findById(tenantId, roleId);
        if (!current) throw new AuthError('not_found', { detail: 'no such role' });
        if (input.permissions && current.key === creatorRole) {
          throw new AuthError('forbidden', {
            detail: `the "${current.key}" role's permissions cannot change`,
          });
        }
        // neither widen a role beyond the caller nor narrow one that holds more than the caller
        // (narrowing the owner role and then claiming it would hand the tenant over)
        const roles = await tx.roles.listByTenant(tenantId);
        assertCanGrant(roles, membership.roles, [...current.permissions, ...(input.permissions ?? [])]);
        const role = await tx.roles.update(tenantId, roleId, { ...input, updatedAt: clock.now() });
        if (!role) throw new AuthError('not_found', { detail: 'no such role' });
        await tx.authorizationVersions.bumpRolesVersion(tenantId);
        await recordChange(tx, clock, context, {
          tenantId,
          action: 'role.updated',
          target: { type: 'role', id: roleId },
          data: { key: role.key, fields: Object.keys(input), version: role.version },
        });
        return role;
      });
    },

    async deleteRole(tenantId, userId, roleId, context = {}) {
      const { membership } = await tenants.requirePermission(tenantId, userId, 'role.manage', context);
      await storage.transaction(async (tx) => {
        // first statement: a member assigned this role concurrently waits, then sees it gone
        await tx.tenants.lock(tenantId);
        const role = await tx.roles.findById(tenantId, roleId);
        if (!role) throw new AuthError('not_found', { detail: 'no such role' });
        if (role.key === creatorRole) {
          throw new AuthError('conflict', { detail: `the "${role.key}" role cannot be deleted` });
        }
        assertCanGrant(await tx.roles.listByTenant(tenantId), membership.roles, role.permissions);
        if ((await tx.memberships.countWithRole(tenantId, role.key)) > 0) {
          throw new AuthError('conflict', { detail: 'members still hold this role' });
        }
        if (!(await tx.roles.delete(tenantId, roleId)))
          throw new AuthError('not_found', { detail: 'no such role' });
        await tx.authorizationVersions.bumpRolesVersion(tenantId);
        await recordChange(tx, clock, context, {
          tenantId,
          action: 'role.deleted',
          target: { type: 'role', id: roleId },
          data: { key: role.key },
        });
      });
    },
  };

  return { api };
}
