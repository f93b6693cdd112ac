export type { AuthorizationChange } from './authorization-cache.js';
export { type AuthorizationCache, createAuthorizationCache } from './authorization-cache.js';
export type { AuthorizationFilter, FilterRequest } from './authorization-filter.js';
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
  createAuthorizationService,
} from './authorization-service.js';
export type {
  AuthorizationVersionStore,
  AuthorizationVersions,
} from './authorization-version-store.js';
export {
  type AuthorizationResource,
  type AuthorizationSubject,
  type Authorizer,
  type AuthorizerInput,
  type AuthorizerRole,
  createAuthorizer,
  type Decision,
  type DecisionReason,
  type DecisionRequest,
  type ExplanationEntry,
} from './authorizer.js';
export { assertCanGrant, permissionsOfRoles } from './grant-rule.js';
export type {
  PermissionCatalog,
  PermissionCatalogConfig,
  PermissionCatalogListing,
} from './permission-catalog.js';
export { findGrantingRole, permissionCovers } from './permissions.js';
export {
  ATTRIBUTE_ROOTS,
  type AttributeRef,
  type AttributeRoot,
  CONDITION_OPERATORS,
  type ComparisonCondition,
  type Condition,
  type ConditionLiteral,
  type ConditionOperator,
  type Operand,
  type PolicyDefinition,
  type PolicyEffect,
  type RefOperand,
  type ResourceCondition,
  type ResourceRef,
  type ScalarLiteral,
} from './policy.js';
export {
  type CompiledCondition,
  compileCondition,
  FALSE,
  TRUE,
  type Truth,
  UNKNOWN,
} from './policy-compiler.js';
export {
  actionPatternSchema,
  type ConditionIssue,
  conditionSchema,
  findConditionIssues,
  MAX_ARRAY_LITERAL_LENGTH,
  MAX_CONDITION_DEPTH,
  MAX_CONDITION_NODES,
  type PolicyInput,
  policyDefinitionSchema,
  policyInputSchema,
} from './policy-schema.js';
export {
  createPolicyService,
  MAX_POLICIES_PER_TENANT,
  type PoliciesApi,
  type PolicyService,
} from './policy-service.js';
export type { PolicyReplacement, PolicyStore, StoredPolicy } from './policy-store.js';
export { createRoleService, type RoleService, type RolesApi, roleKeySchema } from './role-service.js';
export type { RolePatch, RoleStore } from './role-store.js';
export type { Role, RoleTemplate } from './roles.js';
export {
  lowerAuthorizationFilter,
  type SqlComparison,
  type SqlFilterNode,
  type SqlFilterValue,
} from './sql-filter.js';
