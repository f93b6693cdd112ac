// The admin components: each file exports a headless hook (use<Name>) and the default look (<Name>).
export {
  ApiKeyManager,
  type ApiKeyManagerLabels,
  type ApiKeyManagerProps,
  type ApiKeyManagerState,
  type ApiKeyStatus,
  apiKeyStatus,
  DEFAULT_EXPIRY_CHOICES,
  DEFAULT_OVERLAP_CHOICES,
  type DurationChoice,
  type ShownSecret,
  useApiKeyManager,
} from './api-key-manager.js';
export { type JsonSource, parseJsonSource, type SourcePosition } from './json-source.js';
export {
  PermissionEditor,
  type PermissionEditorLabels,
  type PermissionEditorProps,
  type PermissionEditorState,
  type PermissionGroup,
  type PermissionOption,
  usePermissionEditor,
} from './permission-editor.js';
export {
  type ConditionProblem,
  PolicyEditor,
  type PolicyEditorLabels,
  type PolicyEditorProps,
  type PolicyEditorState,
  usePolicyEditor,
} from './policy-editor.js';
export {
  BUILT_IN_ROLES,
  type ManagedRole,
  RoleManager,
  type RoleManagerLabels,
  type RoleManagerProps,
  type RoleManagerState,
  useRoleManager,
} from './role-manager.js';
export { type GrantablePermissions, useGrantablePermissions } from './use-grantable-permissions.js';
