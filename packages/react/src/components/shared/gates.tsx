import type { Tenant } from '@portcullis/client';
import type { ReactNode } from 'react';
import { useUser } from '../../hooks/use-auth.js';
import { useOrganizations } from '../../hooks/use-organizations.js';
import { type PermissionResource, usePermission } from '../../hooks/use-permission.js';
import { useResource } from '../../hooks/use-resource.js';
import { useTenantId } from '../../hooks/use-tenant.js';
import { usePortcullis } from '../../portcullis-provider.js';

/** Props of {@link PermissionGate}. */
export interface PermissionGateProps {
  /** The action, e.g. `invitation.manage`. */
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
  /** Shown while the roles are not known yet (default nothing). */
  loading?: ReactNode;
}

/**
 * Renders its children when the signed-in user holds one of `roles` in the tenant. Prefer
 * {@link PermissionGate}: roles change meaning, permissions do not.
 *
 * @example
 * <RoleGate roles={['owner']} fallback={<p>Only owners can close the organization.</p>}>
 *   <DeleteOrganizationButton />
 * </RoleGate>
 */
export function RoleGate({ roles, tenantId, children, fallback, loading }: RoleGateProps) {
  const mine = useMemberRoles(tenantId);
  if (mine.roles === undefined && mine.isLoading) return <>{loading ?? null}</>;
  const allowed = mine.roles?.some((role) => roles.includes(role)) ?? false;
  return <>{allowed ? children : (fallback ?? null)}</>;
}

/** What {@link useMemberRoles} returns. */
export interface MemberRoles {
  /** The signed-in user's role keys in the tenant; `undefined` until known (or not a member). */
  roles: string[] | undefined;
  isLoading: boolean;
}

/**
 * The signed-in user's role keys in a tenant (default: the active one). Read from the tenant
 * list when it carries the caller's roles (every member may read it, viewers included), else
 * from the member list (needs `member.read`).
 */
export function useMemberRoles(tenantId?: string): MemberRoles {
  const { client } = usePortcullis();
  const user = useUser();
  const id = useTenantId(tenantId);
  const tenants = useOrganizations();
  const listed = tenants.items.find((tenant) => tenant.id === id) as
    | (Tenant & { roles?: string[] })
    | undefined;
  const fromTenantList = Array.isArray(listed?.roles) ? listed.roles : undefined;
  const listCarriesRoles = tenants.items.some((tenant) =>
    Array.isArray((tenant as { roles?: unknown }).roles),
  );
  // not in a complete list that carries roles: not a member
  const notMember = listCarriesRoles && !listed && !tenants.hasMore;
  // the member list only when the tenant list could not tell (servers whose GET /tenants answers
  // no roles): the key stays null until then, so nothing is fetched for nothing
  const needMembers = Boolean(id && user) && !tenants.isLoading && fromTenantList === undefined && !notMember;
  const members = useResource(needMembers ? `members:${id}:${MEMBER_PAGE}` : null, () =>
    client.tenants.members.list(id as string, { limit: MEMBER_PAGE }),
  );
  if (fromTenantList) return { roles: fromTenantList, isLoading: false };
  if (notMember) return { roles: undefined, isLoading: false };
  const me = members.data?.items.find((member) => member.userId === user?.id);
  return {
    roles: me?.roles,
    isLoading: Boolean(id && user) && (tenants.isLoading || members.isLoading),
  };
}

// the page size useOrganizationMembers() asks for by default: the same key shares its cache entry
const MEMBER_PAGE = 50;
