import { describe, expect, it } from 'vitest';
import { testAuth } from './support.js';

// `auth.api` is composed by spreading each domain service's `api` object. A service's internal
// methods (createSession, requirePermission, startChallenge…) live beside `api`, never in it: this
// pins the run-time keys to the `AuthApi` operations, so an internal method cannot leak into the
// public API and an operation cannot go missing. An addition here must be deliberate, with its
// declaration and JSDoc in the domain's `…Api` interface.
const AUTH_API_OPERATIONS = [
  'acceptInvitation',
  'authenticateWithPasskey',
  'authorizationFilter',
  'authorizationServerMetadata',
  'authorize',
  'authorizeMany',
  'changePassword',
  'checkStepUp',
  'completeOAuth',
  'confirmTotp',
  'createApiKey',
  'createClient',
  'createInvitation',
  'createPolicy',
  'createRole',
  'createTenant',
  'createUser',
  'deleteClient',
  'deletePasskey',
  'deletePolicy',
  'deleteRole',
  'disableTotp',
  'exchangeToken',
  'getJwks',
  'getMfaStatus',
  'getSession',
  'getTenant',
  'getUser',
  'introspectToken',
  'issueAccessToken',
  'issueTokens',
  'listApiKeys',
  'listClients',
  'listInvitations',
  'listMembers',
  'listOAuthAccounts',
  'listOAuthProviders',
  'listPasskeys',
  'listPermissions',
  'listPolicies',
  'listRateLimitOverrides',
  'listRoles',
  'listSessions',
  'listSigningKeys',
  'listTenants',
  'passkeyAuthenticationOptions',
  'passkeyRegistrationOptions',
  'previewInvitation',
  'reactivateUser',
  'reauthenticate',
  'receiveGitHubLeakReport',
  'refreshTokens',
  'regenerateRecoveryCodes',
  'registerPasskey',
  'removeMember',
  'removeRateLimitOverride',
  'renamePasskey',
  'replacePolicy',
  'requestClientToken',
  'requestEmailVerification',
  'requestMagicLink',
  'requestPasswordReset',
  'requirePermission',
  'resetPassword',
  'revokeAccessToken',
  'revokeAllSessions',
  'revokeApiKey',
  'revokeInvitation',
  'revokeOtherSessions',
  'revokeSession',
  'revokeSigningKey',
  'revokeToken',
  'rewrapSigningKeys',
  'rotateApiKey',
  'rotateClientSecret',
  'rotateSigningKeys',
  'setApiKeyLimits',
  'setRateLimitOverride',
  'setupTotp',
  'signIn',
  'signOut',
  'signUp',
  'startOAuth',
  'suspendUser',
  'unlinkOAuthAccount',
  'updateMember',
  'updateRole',
  'updateTenant',
  'validateSessionToken',
  'verifyAccessToken',
  'verifyApiKey',
  'verifyAuditChain',
  'verifyEmail',
  'verifyMagicLink',
  'verifyMfa',
];

describe('auth.api', () => {
  it('exposes exactly the AuthApi operations, each a function, and no internal method', () => {
    const { auth } = testAuth();
    expect(Object.keys(auth.api).sort()).toEqual(AUTH_API_OPERATIONS);
    for (const name of AUTH_API_OPERATIONS) {
      expect(typeof (auth.api as unknown as Record<string, unknown>)[name], name).toBe('function');
    }
  });
});

// What `createAuth` returns (`Auth` in api/auth.ts), pinned like `auth.api`: `health` joined it in
// issue 14.
const AUTH_MEMBERS = [
  'api',
  'assertTrustedOrigin',
  'callContext',
  'close',
  'config',
  'handler',
  'health',
  'openApiDocument',
  'outbox',
  'sessionCookieName',
];

describe('Auth', () => {
  it('has exactly the members the Auth interface declares', () => {
    const { auth } = testAuth();
    expect(Object.keys(auth).sort()).toEqual(AUTH_MEMBERS);
  });
});
