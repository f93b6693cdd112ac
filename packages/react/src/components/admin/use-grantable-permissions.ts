import { useMemo } from 'react';
import { useRoles } from '../../hooks/use-roles.js';
import { useMemberRoles } from '../shared/gates.js';

/** What {@link useGrantablePermissions} returns. */
export interface GrantablePermissions {
  /**
   * The permission patterns of the signed-in user's roles in the tenant: what they may put in a
   * role, an allow policy or an API key. `undefined` while (or when) that cannot be known.
   */
  permissions: string[] | undefined;
  isLoading: boolean;
}

/**
 * What the signed-in user may hand out in a tenant (default: the active one): the server's grant
 * rule counts only the caller's roles, so these are their roles' permissions. The editors use it
 * to disable what the server would refuse; the server still decides.
 *
 * @example
 * const { permissions } = useGrantablePermissions();
 * <PermissionEditor value={value} onChange={setValue} grantable={permissions} />
 */
export function useGrantablePermissions(tenantId?: string): GrantablePermissions {
  const mine = useMemberRoles(tenantId);
  const { roles, isLoading } = useRoles(tenantId);
  const permissions = useMemo(() => {
    if (!mine.roles || roles.length === 0) return undefined;
    return [...new Set(roles.filter((role) => mine.roles?.includes(role.key)).flatMap((r) => r.permissions))];
  }, [mine.roles, roles]);
  return { permissions, isLoading: mine.isLoading || isLoading };
}
