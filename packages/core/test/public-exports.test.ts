import { readFileSync } from 'node:fs';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

// Every name below is a promise: apps build on the root's, adapter authors on `/ports`', and
// removing one breaks them. So adding one is a decision, never the side effect of a re-export:
// extend the list in the same change and say why in its changeset. The root exports what an app
// uses (keep it near 70 names); what only an adapter needs belongs in `/ports`.

const ROOT_VALUES = [
  'AUTH_ERROR_CODES',
  'AuthError',
  'DEFAULT_ROLES',
  'MAX_BODY_BYTES',
  'MIN_ARGON2_PARAMS',
  'PORTCULLIS_VERSION',
  'STATUS_BY_CODE',
  'TITLE_BY_CODE',
  'consoleLogger',
  'consoleMailer',
  'createAuth',
  'githubProvider',
  'googleProvider',
  'isAuthError',
  'microsoftProvider',
  'oidcProvider',
  'problemBody',
  'problemHeaders',
  'problemResponse',
  'rateLimitHeaders',
  'readApiKey',
  'serializeSession',
  'silentLogger',
  'uuidv7',
];

const ROOT_TYPES = [
  'AccessTokenInput',
  'AccessTokenPrincipal',
  'ApiKeyAuthorization',
  'ApiKeyCreditInterval',
  'ApiKeyCredits',
  'ApiKeyState',
  'ApiKeySummary',
  'ApiKeyToAuthorize',
  'ApiKeyWithSecret',
  'ApiKeysOptions',
  'Auth',
  'AuthApi',
  'AuthConfig',
  'AuthErrorCode',
  'AuthHandler',
  'AuthHealth',
  'AuthorizationResult',
  'AuthorizeInput',
  'CallContext',
  'ClientSummary',
  'ClientWithSecret',
  'Clock',
  'CreateApiKeyInput',
  'CreatedInvitation',
  'Decision',
  'GitHubLeakReport',
  'HandlerOptions',
  'InvitationPreview',
  'InvitationSummary',
  'IssueTokensOptions',
  'IssuedAccessToken',
  'KeyValue',
  'LogFields',
  'Logger',
  'MachineAuthorizeInput',
  'MachinePrincipal',
  'MagicLinkSignedIn',
  'MailMessage',
  'Mailer',
  'Member',
  'Membership',
  'MfaMethod',
  'MfaRequired',
  'MfaStatus',
  'NodeHeaders',
  'OAuthAccount',
  'OAuthProvider',
  'OutboxEvent',
  'OutboxSubscriber',
  'Page',
  'PasskeySummary',
  'PolicyOutcome',
  'ProblemBody',
  'PublicSession',
  'PublicUser',
  'RateLimitOverride',
  'RateLimitPolicy',
  'RateLimitState',
  'RefreshTokensOptions',
  'RemoveRateLimitOverrideInput',
  'RequestHeaders',
  'Role',
  'RotateApiKeyInput',
  'RotatedApiKey',
  'SecretLeakLabel',
  'SecretScanningOptions',
  'SerializedSession',
  'Session',
  'SessionWithUser',
  'SetApiKeyLimitsInput',
  'SetRateLimitOverrideInput',
  'SignInInput',
  'SignUpInput',
  'SignUpPending',
  'SignedIn',
  'Signer',
  'SigningKeyInfo',
  'SigningKeyIssuerOptions',
  'StepUpRequirement',
  'Storage',
  'StoredPolicy',
  'StoredRateLimitOverride',
  'Tenant',
  'TokenPair',
  'TotpSetup',
  'User',
  'VerifiedApiKey',
  'VerifyApiKeyOptions',
  'VerifyMfaInput',
];

const PORTS_VALUES = [
  'AuthError',
  'DEFAULT_TABLE_PREFIX',
  'GLOBAL_AUDIT_CHAIN',
  'IDS_PER_STATEMENT',
  'STORE_NAMES',
  'auditChainKey',
  'auditSealParts',
  'chunked',
  'consoleLogger',
  'gcraStep',
  'generateToken',
  'isAuthError',
  'lazyStores',
  'lowerAuthorizationFilter',
  'normalizeEmail',
  'readMany',
  'resolveTablePrefix',
  'sealAuditEvent',
  'sha256Hex',
  'silentLogger',
  'storeMethodNames',
  'systemClock',
  'userPoolKey',
  'uuidv7',
  'withAuthentication',
  'wrapStorage',
];

const PORTS_TYPES = [
  'ActorType',
  'ApiKey',
  'ApiKeyCondition',
  'ApiKeyCreditInterval',
  'ApiKeyLimitsChange',
  'ApiKeyRevocationReason',
  'ApiKeyStatus',
  'ApiKeyStore',
  'AuditChainHead',
  'AuditEvent',
  'AuditEventInput',
  'AuditQuery',
  'AuditSealParts',
  'AuditStore',
  'AuthErrorCode',
  'AuthorizationFilter',
  'AuthorizationVersionStore',
  'AuthorizationVersions',
  'Client',
  'ClientAuthMethod',
  'ClientSecretSlot',
  'ClientStatus',
  'ClientStore',
  'Clock',
  'CredentialFailureStore',
  'CredentialFailures',
  'Invitation',
  'InvitationStatus',
  'InvitationStore',
  'JsonWebKeyObject',
  'KeyValue',
  'KeyValueSetOptions',
  'LogFields',
  'Logger',
  'MailMessage',
  'Mailer',
  'Member',
  'Membership',
  'MembershipStore',
  'MfaStore',
  'OAuthAccount',
  'OAuthAccountStore',
  'OAuthAccountWithUser',
  'OneTimeToken',
  'OneTimeTokenPurpose',
  'OneTimeTokenStore',
  'OutboxEvent',
  'OutboxFailure',
  'OutboxStatus',
  'OutboxStore',
  'Page',
  'PageRequest',
  'Passkey',
  'PasskeyStore',
  'PasswordStore',
  'PolicyReplacement',
  'PolicyStore',
  'PublicJwk',
  'RateLimitOverrideStore',
  'RateLimitStep',
  'RateLimitStepResult',
  'RecoveryCode',
  'RefreshToken',
  'RefreshTokenStore',
  'RefreshTokenWithSession',
  'RevokedAccessToken',
  'RevokedAccessTokenStore',
  'Role',
  'RolePatch',
  'RoleStore',
  'RoleTemplate',
  'SecondFactors',
  'Session',
  'SessionStore',
  'SignInAccount',
  'SignInStore',
  'Signer',
  'SigningAlgorithm',
  'SigningKey',
  'SigningKeyState',
  'SigningKeyStore',
  'SqlComparison',
  'SqlFilterNode',
  'SqlFilterValue',
  'Storage',
  'StorageCapabilities',
  'StorageStores',
  'StoredPolicy',
  'StoredRateLimitOverride',
  'Tenant',
  'TenantPatch',
  'TenantStatus',
  'TenantStore',
  'TenantWithRoles',
  'TotpCredential',
  'User',
  'UserPool',
  'UserStatus',
  'UserStore',
];

/**
 * The type-only names an entry file exports, read from its source: types leave no trace at run
 * time. The entry files name every export (`export *` would let additions in unseen, so it is
 * refused here), and `verbatimModuleSyntax` makes each re-exported type say `type`.
 */
function typeExports(entry: URL): string[] {
  const source = ts.createSourceFile(entry.pathname, readFileSync(entry, 'utf8'), ts.ScriptTarget.Latest);
  const names: string[] = [];
  for (const statement of source.statements) {
    if (
      !ts.isExportDeclaration(statement) ||
      !statement.exportClause ||
      !ts.isNamedExports(statement.exportClause)
    ) {
      throw new Error(`${entry.pathname}: an entry file holds only \`export { … } from\` statements`);
    }
    for (const element of statement.exportClause.elements) {
      if (statement.isTypeOnly || element.isTypeOnly) names.push(element.name.text);
    }
  }
  return names.sort();
}

describe('public exports', () => {
  it('the root (@portcullis/core) exports exactly the pinned values and types', async () => {
    expect(Object.keys(await import('../src/index.js')).sort()).toEqual(ROOT_VALUES);
    expect(typeExports(new URL('../src/index.ts', import.meta.url))).toEqual(ROOT_TYPES);
  });

  it('@portcullis/core/ports exports exactly the pinned values and types', async () => {
    expect(Object.keys(await import('../src/ports/index.js')).sort()).toEqual(PORTS_VALUES);
    expect(typeExports(new URL('../src/ports/index.ts', import.meta.url))).toEqual(PORTS_TYPES);
  });

  it('@portcullis/core/authorization exports exactly the pinned values and types', async () => {
    // its own entry file, not the domain's index.ts, whose services and rules stay internal
    expect(Object.keys(await import('../src/authorization/public.js')).sort()).toMatchInlineSnapshot(`
      [
        "ATTRIBUTE_ROOTS",
        "CONDITION_OPERATORS",
        "FALSE",
        "MAX_ARRAY_LITERAL_LENGTH",
        "MAX_CONDITION_DEPTH",
        "MAX_CONDITION_NODES",
        "MAX_POLICIES_PER_TENANT",
        "SERVER_CONTEXT_ATTRIBUTES",
        "SUBJECT_ATTRIBUTES",
        "TRUE",
        "UNKNOWN",
        "actionPatternSchema",
        "compileCondition",
        "conditionSchema",
        "createAuthorizer",
        "findConditionIssues",
        "findGrantingRole",
        "lowerAuthorizationFilter",
        "permissionCovers",
        "policyDefinitionSchema",
        "policyInputSchema",
      ]
    `);
    expect(typeExports(new URL('../src/authorization/public.ts', import.meta.url))).toMatchInlineSnapshot(`
      [
        "AttributeRef",
        "AttributeRoot",
        "AuthorizationFilter",
        "AuthorizationResource",
        "AuthorizationSubject",
        "AuthorizationVersionStore",
        "AuthorizationVersions",
        "Authorizer",
        "AuthorizerInput",
        "AuthorizerRole",
        "ComparisonCondition",
        "CompiledCondition",
        "Condition",
        "ConditionIssue",
        "ConditionLiteral",
        "ConditionOperator",
        "Decision",
        "DecisionReason",
        "DecisionRequest",
        "ExplanationEntry",
        "FilterRequest",
        "Operand",
        "PermissionCatalog",
        "PermissionCatalogConfig",
        "PermissionCatalogListing",
        "PolicyDefinition",
        "PolicyEffect",
        "PolicyInput",
        "PolicyReplacement",
        "PolicyService",
        "PolicyStore",
        "PolicyWarning",
        "RefOperand",
        "ResourceCondition",
        "ResourceRef",
        "Role",
        "RolePatch",
        "RoleStore",
        "RoleTemplate",
        "ScalarLiteral",
        "SqlComparison",
        "SqlFilterNode",
        "SqlFilterValue",
        "StoredPolicy",
        "Truth",
        "WrittenPolicy",
      ]
    `);
  });

  it('@portcullis/core/tokens exports exactly the pinned values and types', async () => {
    // the edge-safe verifier's entry file, not the tokens domain's index.ts (the issuer side)
    expect(Object.keys(await import('../src/tokens/public.js')).sort()).toMatchInlineSnapshot(`
      [
        "ACCESS_TOKEN_TYPE",
        "AccessTokenError",
        "accessTokenErrorResponse",
        "createVerifier",
        "isAuthError",
      ]
    `);
    expect(typeExports(new URL('../src/tokens/public.ts', import.meta.url))).toMatchInlineSnapshot(`
      [
        "AccessTokenClaims",
        "AccessTokenErrorCode",
        "AccessTokenPrincipal",
        "AccessTokenProblem",
        "AccessTokenRequirements",
        "ActorClaim",
        "SigningAlgorithm",
        "UserAuthenticationRequirement",
        "Verifier",
        "VerifierOptions",
      ]
    `);
  });
});
