import { useCallback } from 'react';
import { useRoles } from '../../hooks/use-roles.js';

/**
 * A tenant's role keys in words (`admin` → "Admin"): members and invitations carry keys, people
 * read names. A key the tenant no longer has shows as itself.
 */
export function useRoleNames(tenantId?: string): (key: string) => string {
  const { roles } = useRoles(tenantId);
  return useCallback((key: string) => roles.find((role) => role.key === key)?.name ?? key, [roles]);
}
