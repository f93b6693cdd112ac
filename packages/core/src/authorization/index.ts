export type { AuthorizationChange } from './authorization-cache.js';
export { type AuthorizationCache, createAuthorizationCache } from './authorization-cache.js';
export {
  type AuthorizationOptions,
  authorizationOptionsSchema,
  type ResolvedAuthorizationOptions,
  resolveAuthorizationOptions,
} from './authorization-options.js';
export {
  type AuthorizationApi,
  type AuthorizationResult,
  type AuthorizationService,
  type AuthorizeInput,
  type AuthorizeManyInput,
  authorizeInputSchema,
  type ClientAuthorizeInput,
  createAuthorizationService,
  type MachineAuthorizeInput,
  type MachinePrincipal,
} from './authorization-service.js';
export { readVersionsMany } from './authorization-version-store.js';
export { assertCanGrant, permissionsOfRoles } from './grant-rule.js';
export { assertKnownPermissions } from './permission-catalog.js';
export { createPolicyService, type PoliciesApi } from './policy-service.js';
// what the public subpath exports (public.ts), and below and above what other domains use besides
export * from './public.js';
export { createRoleService, type RoleService, type RolesApi, roleKeySchema } from './role-service.js';
