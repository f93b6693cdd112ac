import { recordChange } from '../audit/index.js';
import { assertCanGrant, permissionsOfRoles } from '../authorization/index.js';
import type { CallContext } from '../call-context.js';
import { AuthError } from '../errors.js';
import type { Clock } from '../ports/clock.js';
import { type Page, type PageRequest, pageRequest } from '../ports/pagination.js';
import type { Storage, StorageStores } from '../ports/storage.js';
import type { TenantService } from '../tenants/index.js';
import { parseInput } from '../validation.js';
import { type UpdateMemberInput, updateMemberInputSchema } from './membership-schemas.js';
import type { Member, Membership } from './memberships.js';

/** The member operations of `auth.api`. */
export interface MembersApi {
  /**
   * The tenant's members with their roles, page by page (50 by default); the caller needs
   * `member.read` there (`not_found` if not a member).
   *
   * @example
   * const { items, nextCursor } = await auth.api.listMembers(tenantId, userId, { limit: 20 })
   */
  listMembers(
    tenantId: string,
    userId: string,
    page?: Partial<PageRequest>,
    context?: CallContext,
  ): Promise<Page<Member>>;
  /**
   * Replaces a member's roles and/or ABAC attributes; the caller (`userId`) needs `member.update`.
   * Every role must exist in the tenant (`unknown_role`) and carry only permissions the caller
   * holds (`forbidden`), and a member holding permissions beyond the caller's cannot be changed
   * by them (`forbidden`). At least one role; attributes are a JSON object of at most 8 KiB,
   * 8 levels deep. Demoting the tenant's last owner (`tenants.creatorRole`) is `last_owner`,
   * decided under a lock on the tenant so two concurrent demotions cannot both pass. Takes effect
   * on the member's next request (authorization reads the membership every time). Audited and
   * emitted as `member.updated`.
   *
   * @example
   * await auth.api.updateMember(tenantId, adminId, userId, { roles: ['admin'], attributes: { team: 'eu' } })
   */
  updateMember(
    tenantId: string,
    userId: string,
    memberUserId: string,
    input: UpdateMemberInput,
    context?: CallContext,
  ): Promise<Membership>;
  /**
   * Removes a member (the caller needs `member.remove` and to hold every permission the member
   * holds), or — when `memberUserId` is the caller — leaves the tenant, which needs no
   * permission. The last owner can do neither (`last_owner`). In the same transaction the
   * member's sessions acting in this tenant are revoked; every other authorization path reads the
   * membership, so the next request to the tenant answers `not_found`. Audited and emitted as
   * `member.removed` or `member.left`.
   *
   * In an isolated-pool tenant the user is not suspended or deleted: they stay in the tenant's
   * pool, can still sign in, but hold no membership (every tenant route answers `not_found`)
   * until invited back. Suspend them with `suspendUser` to stop sign-ins as well.
   *
   * @example
   * await auth.api.removeMember(tenantId, adminId, userId)   // remove someone
   * await auth.api.removeMember(tenantId, userId, userId)    // leave
   */
  removeMember(tenantId: string, userId: string, memberUserId: string, context?: CallContext): Promise<void>;
}

/** The memberships domain: its `auth.api` operations. */
export interface MembershipService {
  api: MembersApi;
}

/** What the membership service uses. */
export interface MembershipServiceDeps {
  storage: Storage;
  clock: Clock;
  tenants: TenantService;
}

export function createMembershipService(
  deps: MembershipServiceDeps,
  { creatorRole }: { creatorRole: string },
): MembershipService {
  const { storage, clock, tenants } = deps;

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

  const api: MembersApi = {
    async listMembers(tenantId, userId, page, context = {}) {
      await tenants.requirePermission(tenantId, userId, 'member.read', context);
      return storage.memberships.listByTenant(tenantId, pageRequest(page));
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
        // the API keys they own in this tenant end with their membership
        const revokedApiKeys = await tx.apiKeys.revokeOwnedBy(
          memberUserId,
          tenantId,
          clock.now(),
          'owner_removed',
        );
        await recordChange(tx, clock, context, {
          tenantId,
          action: leaving ? 'member.left' : 'member.removed',
          target: { type: 'user', id: memberUserId },
          data: { roles: member.roles, revokedSessions: revoked, revokedApiKeys },
        });
      });
    },
  };

  return { api };
}
