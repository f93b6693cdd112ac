import type { Tenant } from '@portcullis/client';
import { usePortcullis } from '../portcullis-provider.js';
import { useResource } from './use-resource.js';

/** What {@link useTenant} returns. */
export interface ActiveTenant {
  /** The active tenant's id: from the URL when the provider is given `activeTenantId`, else app state. */
  tenantId: string | null;
  tenant: Tenant | undefined;
  isLoading: boolean;
  error: unknown;
  /** Switches the active tenant (the provider's `onActiveTenantChange` can navigate). */
  setActiveTenant(tenantId: string | null): void;
}

/**
 * The active tenant. It lives in the URL or in app state, never in the session: two tabs can show
 * two organizations.
 *
 * @example
 * const { tenant, setActiveTenant } = useTenant();
 */
export function useTenant(): ActiveTenant {
  const { client, activeTenantId, setActiveTenant } = usePortcullis();
  const tenant = useResource(activeTenantId ? `tenant:${activeTenantId}` : null, () =>
    client.tenants.get(activeTenantId as string),
  );
  return {
    tenantId: activeTenantId,
    tenant: tenant.data,
    isLoading: tenant.isLoading,
    error: tenant.error,
    setActiveTenant,
  };
}

/** The tenant a tenant-scoped hook works on: its argument, else the active tenant. */
export function useTenantId(tenantId: string | undefined): string | null {
  const { activeTenantId } = usePortcullis();
  return tenantId ?? activeTenantId;
}
