// The public `@portcullis/core/authorization` subpath: the engine, the policy language and the SQL
// filter lowering, for apps and resource servers that decide or filter on their own. It is not
// the domain's index.ts: that one is the face other domains import (services, option schemas,
// internal rules), which must not leak into a public entry point.
export type { AuthorizationFilter, FilterRequest } from './authorization-filter.js';
export { MAX_POLICIES_PER_TENANT } from './authorization-options.js';
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
  type PolicyWarning,
  SERVER_CONTEXT_ATTRIBUTES,
  SUBJECT_ATTRIBUTES,
} from './policy-references.js';
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
export type { PolicyService, WrittenPolicy } from './policy-service.js';
export type { PolicyReplacement, PolicyStore, StoredPolicy } from './policy-store.js';
export type { RolePatch, RoleStore } from './role-store.js';
export type { Role, RoleTemplate } from './roles.js';
export {
  lowerAuthorizationFilter,
  type SqlComparison,
  type SqlFilterNode,
  type SqlFilterValue,
} from './sql-filter.js';
