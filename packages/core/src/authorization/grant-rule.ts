import { AuthError } from '../errors.js';
import { permissionCovers } from './permissions.js';
import type { Role } from './roles.js';

/**
 * The grant rule of every authorization write (custom roles, allow policies, a member's roles,
 * an invitation's roles): an admin cannot
 * hand out more than they hold. Each of `permissions` must be covered by a permission of one of
 * the caller's roles (`*` covers everything, `document.*` covers `document.read` and
 * `document.*`); otherwise `forbidden`, naming what is beyond the caller.
 *
 * Only the caller's roles count, not allow policies that happen to match them: a policy's
 * condition depends on the request, so it cannot prove that the caller holds an action.
 *
 * @param tenantRoles the tenant's roles (`storage.roles.listByTenant(tenantId)`)
 * @param callerRoleKeys the keys of the caller's roles in that tenant (`membership.roles`)
 * @param permissions what the write would grant: role permissions or an allow policy's actions
 * @throws AuthError `forbidden` when something is not covered
 *
 * @example
 * const { membership } = await tenants.requirePermission(tenantId, userId, 'role.manage');
 * assertCanGrant(await storage.roles.listByTenant(tenantId), membership.roles, ['document.read']);
 */
export function assertCanGrant(
  tenantRoles: readonly Role[],
  callerRoleKeys: readonly string[],
  permissions: readonly string[],
): void {
  const held = tenantRoles.filter((r) => callerRoleKeys.includes(r.key)).flatMap((r) => r.permissions);
  const beyond = permissions.filter((p) => !held.some((h) => permissionCovers(h, p)));
  if (beyond.length > 0) {
    throw new AuthError('forbidden', {
      detail: `cannot grant permissions you do not hold: ${[...new Set(beyond)].join(', ')}`,
    });
  }
}

/** Every permission the roles named by `keys` carry (keys naming no role carry nothing). */
export function permissionsOfRoles(roles: readonly Role[], keys: readonly string[]): string[] {
  return roles.filter((r) => keys.includes(r.key)).flatMap((r) => r.permissions);
}
