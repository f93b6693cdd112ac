export { DEFAULT_ROLES, TENANT_PERMISSIONS, type TenantPermission } from './default-roles.js';
export {
  type ResolvedTenantsOptions,
  resolveTenantsOptions,
  type TenantsOptions,
  tenantsOptionsSchema,
} from './tenant-options.js';
export {
  createTenantInputSchema,
  pageQuerySchema,
  tenantSlugSchema,
  updateTenantInputSchema,
} from './tenant-schemas.js';
export {
  type CreateTenantInput,
  createTenantService,
  type TenantAccess,
  type TenantService,
  type TenantsApi,
  type UpdateTenantInput,
} from './tenant-service.js';
export type { TenantPatch, TenantStore } from './tenant-store.js';
export type { Tenant, TenantStatus, TenantWithRoles, UserPool } from './tenants.js';
