import { AuthError } from '../errors.js';
import { permissionCovers } from './permissions.js';
import type { Role } from './roles.js';

/**
 * An administrator cannot hand out more than they hold: every permission in `permissions` must be
 * covered by a permission of one of the caller's roles (`heldRoleKeys`, looked up in the tenant's
 * `roles`), wildcards included. Throws `forbidden` naming the permissions beyond the caller's.
 *
 * The one rule for every grant: creating or changing a role, assigning roles to a member, and
 * inviting with roles.
 *
 * @example
 * assertGrantable(await storage.roles.listByTenant(tenantId), access.membership.roles, ['document.*'])
 */
export function assertGrantable(
  roles: readonly Role[],
  heldRoleKeys: readonly string[],
  permissions: readonly string[],
): void {
  const held = roles.filter((r) => heldRoleKeys.includes(r.key)).flatMap((r) => r.permissions);
  const beyond = permissions.filter((p) => !held.some((h) => permissionCovers(h, p)));
  if (beyond.length > 0) {
    throw new AuthError('forbidden', {
      detail: `cannot grant permissions you do not hold: ${beyond.join(', ')}`,
    });
  }
}
