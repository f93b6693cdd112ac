import type { ReactNode } from 'react';
import { useUser } from '../../hooks/use-auth.js';
import { useOrganizationMembers } from '../../hooks/use-organizations.js';
import { type PermissionResource, usePermission } from '../../hooks/use-permission.js';

/** Props of {@link PermissionGate}. */
export interface PermissionGateProps {
  /** The action, e.g. `member.invite`. */
  action: string;
  resource?: PermissionResource;
  /** Default: the active tenant. */
  tenantId?: string;
  children: ReactNode;
  /** Shown when not allowed (default nothing). */
  fallback?: ReactNode;
  /** Shown while the server has not answered (default nothing). */
  loading?: ReactNode;
}

/**
 * Renders its children when the signed-in user may do `action`. A UI hint: hide what would be
 * refused, but the server decides on every request.
 *
 * @example
 * <PermissionGate action="api_key.manage" fallback={<p>Ask an admin for API access.</p>}>
 *   <ApiKeyManager />
 * </PermissionGate>
 */
export function PermissionGate({
  action,
  resource,
  tenantId,
  children,
  fallback,
  loading,
}: PermissionGateProps) {
  const { allowed, isLoading } = usePermission(action, resource, tenantId ? { tenantId } : {});
  if (allowed === undefined && isLoading) return <>{loading ?? null}</>;
  return <>{allowed ? children : (fallback ?? null)}</>;
}

/** Props of {@link RoleGate}. */
export interface RoleGateProps {
  /** Any of these role keys lets the children render. */
  roles: readonly string[];
  tenantId?: string;
  children: ReactNode;
  fallback?: ReactNode;
}

/**
 * Renders its children when the signed-in user holds one of `roles` in the tenant. Prefer
 * {@link PermissionGate}: roles change meaning, permissions do not.
 */
export function RoleGate({ roles, tenantId, children, fallback }: RoleGateProps) {
  const user = useUser();
  const { items } = useOrganizationMembers(tenantId);
  const mine = items.find((member) => member.userId === user?.id);
  const allowed = mine?.roles.some((role) => roles.includes(role)) ?? false;
  return <>{allowed ? children : (fallback ?? null)}</>;
}
