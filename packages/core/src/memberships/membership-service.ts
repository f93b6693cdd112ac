import { recordChange } from '../audit/record-change.js';
import { assertCanGrant, permissionsOfRoles } from '../authorization/grant-rule.js';
import type { CallContext } from '../call-context.js';
import { AuthError } from '../errors.js';
import type { Page, PageRequest } from '../ports/pagination.js';
import type { StorageStores } from '../ports/storage.js';
import type { ServiceDeps } from '../service-deps.js';
import type { TenantService } from '../tenants/tenant-service.js';
import { parseInput } from '../validation.js';
import { type UpdateMemberInput, updateMemberInputSchema } from './membership-schemas.js';
import type { Member, Membership } from './memberships.js';

export interface MembershipService {
  /** Members of the tenant; the caller needs `member.read` there (`not_found` if not a member). */
  listMembers(
    tenantId: string,
    userId: string,
    page: PageRequest,
    context?: CallContext,
  ): Promise<Page<Member>>;
  /**
   * Replaces a member's roles and/or attributes (the caller needs `member.update`). See
   * {@link AuthApi.updateMember} for the rules.
   */
  updateMember(
    tenantId: string,
    userId: string,
    memberUserId: string,
    input: UpdateMemberInput,
    context?: CallContext,
  ): Promise<Membership>;
  /** Removes a member (`member.remove`), or the caller themselves (leaving needs no permission). */
  removeMember(tenantId: string, userId: string, memberUserId: string, context?: CallContext): Promise<void>;
}

export function createMembershipService(deps: ServiceDeps, tenants: TenantService): MembershipService {
  const { storage, clock, config } = deps;
  const creatorRole = config.tenants.creatorRole;

  /**
   * Opens the tenant for a change to one member: locks the tenant first (so that the last-owner
   * count below and the write that follows act on the latest committed members, whatever the
   * database's isolation level), then reads the member. `not_found` when they are not one.
   */
  async function lockedMember(tx: StorageStores, tenantId: string, memberUserId: string) {
    if (!(await tx.tenants.lock(tenantId))) throw new AuthError('not_found', { detail: 'no such tenant' });
    const member = await tx.memberships.find(tenantId, memberUserId);
    if (!member) throw new AuthError('not_found', { detail: 'no such member' });
    return member;
  }

  /** The last holder of the creator role can be neither demoted nor removed. Call after the lock. */
  async function assertNotLastOwner(tx: StorageStores, tenantId: string) {
    if ((await tx.memberships.countWithRole(tenantId, creatorRole)) <= 1) {
      throw new AuthError('last_owner', {
        detail: `the tenant's last "${creatorRole}" cannot be removed or demoted; make another member "${creatorRole}" first`,
      });
    }
  }

  return {
    async listMembers(tenantId, userId, page, context = {}) {
      await tenants.requirePermission(tenantId, userId, 'member.read', context);
      return storage.memberships.listByTenant(tenantId, page);
    },

    async updateMember(tenantId, userId, memberUserId, rawInput, context = {}) {
      const input = parseInput(updateMemberInputSchema, rawInput);
      const access = await tenants.requirePermission(tenantId, userId, 'member.update', context);
      if (input.attributes) {
        // attributes are what policies read of a member: whoever sets them can satisfy an allow
        // policy (or dodge a deny), so they need a permission of their own, and never for oneself
        if (userId === memberUserId) {
          throw new AuthError('forbidden', { detail: 'members cannot set their own attributes' });
        }
        await tenants.requirePermission(tenantId, userId, 'member.attributes', context);
      }
      const roles = await storage.roles.listByTenant(tenantId);
      if (input.roles) {
        const unknown = input.roles.filter((key) => !roles.some((r) => r.key === key));
        if (unknown.length > 0) {
          throw new AuthError('unknown_role', {
            detail: `no such role in this tenant: ${unknown.join(', ')}`,
          });
        }
        assertCanGrant(roles, access.membership.roles, permissionsOfRoles(roles, input.roles));
      }
      const updated = await storage.transaction(async (tx) => {
        const member = await lockedMember(tx, tenantId, memberUserId);
        // a member who holds more than the caller is out of the caller's reach
        assertCanGrant(roles, access.membership.roles, permissionsOfRoles(roles, member.roles));
        const now = clock.now();
        let result = member;
        if (input.roles) {
          if (member.roles.includes(creatorRole) && !input.roles.includes(creatorRole)) {
            await assertNotLastOwner(tx, tenantId);
          }
          result = (await tx.memberships.updateRoles(tenantId, memberUserId, input.roles, now)) ?? result;
        }
        if (input.attributes) {
          result =
            (await tx.memberships.updateAttributes(tenantId, memberUserId, input.attributes, now)) ?? result;
        }
        await recordChange(tx, clock, context, {
          tenantId,
          action: 'member.updated',
          target: { type: 'user', id: memberUserId },
          // attribute values may be personal data: the log keeps which ones changed, not their values
          data: {
            ...(input.roles ? { roles: input.roles, previousRoles: member.roles } : {}),
            ...(input.attributes ? { attributeKeys: Object.keys(input.attributes) } : {}),
          },
        });
        return result;
      });
      return updated;
    },

    async removeMember(tenantId, userId, memberUserId, context = {}) {
      const leaving = userId === memberUserId;
      // leaving needs no permission; removing someone else needs member.remove
      const access = leaving
        ? null
        : await tenants.requirePermission(tenantId, userId, 'member.remove', context);
      const roles = access ? await storage.roles.listByTenant(tenantId) : [];
      await storage.transaction(async (tx) => {
        const member = await lockedMember(tx, tenantId, memberUserId);
        if (access) assertCanGrant(roles, access.membership.roles, permissionsOfRoles(roles, member.roles));
        if (member.roles.includes(creatorRole)) await assertNotLastOwner(tx, tenantId);
        if (!(await tx.memberships.remove(tenantId, memberUserId))) {
          throw new AuthError('not_found', { detail: 'no such member' });
        }
        const reason = leaving ? 'member_left' : 'member_removed';
        const revoked = await tx.sessions.revokeAllForTenantMember(
          tenantId,
          memberUserId,
          clock.now(),
          reason,
        );
        await recordChange(tx, clock, context, {
          tenantId,
          action: leaving ? 'member.left' : 'member.removed',
          target: { type: 'user', id: memberUserId },
          data: { roles: member.roles, revokedSessions: revoked },
        });
      });
    },
  };
}
