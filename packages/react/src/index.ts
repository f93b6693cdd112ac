// `@portcullis/react`: the provider, hooks and components.

export * from './components/admin/index.js';
export * from './components/auth/index.js';
export * from './components/organization/index.js';
export { ConfirmButton, type ConfirmButtonProps } from './components/shared/confirm-button.js';
export { Dialog, type DialogProps } from './components/shared/dialog.js';
export {
  ErrorMessage,
  type ErrorMessageProps,
  errorText,
  fieldErrorText,
} from './components/shared/error-message.js';
export {
  PermissionGate,
  type PermissionGateProps,
  RoleGate,
  type RoleGateProps,
} from './components/shared/gates.js';
export { type AsyncAction, useAsyncAction } from './components/shared/use-async-action.js';
export {
  useOAuthAccounts,
  useOAuthProviders,
  usePasskeys,
  useSessions,
  useTotp,
} from './hooks/use-account.js';
export { useApiKeys } from './hooks/use-api-keys.js';
export { type AuthState, useAuth, useUser } from './hooks/use-auth.js';
export { useInvitations, useOrganizationMembers, useOrganizations } from './hooks/use-organizations.js';
export {
  type PermissionCheck,
  type PermissionResource,
  type PermissionResult,
  usePermission,
  usePermissions,
} from './hooks/use-permission.js';
export {
  type Page,
  type PagedResult,
  type ResourceResult,
  usePagedResource,
  useResource,
} from './hooks/use-resource.js';
export { usePermissionCatalog, usePolicies, useRoles } from './hooks/use-roles.js';
export { useSessionState } from './hooks/use-session-state.js';
export { type ActiveTenant, useTenant } from './hooks/use-tenant.js';
export {
  PortcullisProvider,
  type PortcullisProviderProps,
  usePortcullis,
  usePortcullisClient,
} from './portcullis-provider.js';
