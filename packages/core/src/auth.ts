import type { Auth, AuthApi } from './api/index.js';
import { createApiKeyService, resolvePeppers } from './api-keys/index.js';
import { createAuditService } from './audit/index.js';
import { createAuthorizationService, createPolicyService, createRoleService } from './authorization/index.js';
import {
  createClientAuthenticator,
  createClientService,
  createClientTokenService,
  oauthServerUrls,
} from './clients/index.js';
import { type AuthConfig, resolveConfig } from './config/index.js';
import { createOAuthService } from './credentials/oauth/index.js';
import { createPasskeyService } from './credentials/passkeys/index.js';
import { createPasswordService } from './credentials/passwords/index.js';
import { createTotpService } from './credentials/totp/index.js';
import { createEmailLinkService } from './email-links/index.js';
import { createHandler, serverRequestChecks } from './http/handler.js';
import { lazyOpenApiDocument } from './http/openapi.js';
import { routes } from './http/routes/index.js';
import { createInfrastructure } from './infrastructure.js';
import { createInvitationService } from './invitations/index.js';
import { createMembershipService } from './memberships/index.js';
import { createRateLimitOverrideService } from './rate-limit/rate-limit-override-service.js';
import { createSecretScanningService } from './secret-scanning/index.js';
import { createSessionService, sessionCookieName } from './sessions/index.js';
import { createSignInService } from './sign-in/index.js';
import { createHealthCheck } from './storage/index.js';
import { createTenantService } from './tenants/index.js';
import {
  createAccessTokenService,
  createAuthorizationCodeService,
  createRefreshTokenService,
  createSigningKeyService,
  createTokenExchangeService,
  createTokenIssuers,
} from './tokens/index.js';
import { createUserService } from './users/index.js';

/**
 * Validates the config (throwing `AuthError('config_invalid')` at once when it is wrong), wires
 * the ports to the domain services and returns the handler and server-side API.
 */
export function createAuth(options: AuthConfig): Auth {
  const config = resolveConfig(options);

  const infrastructure = createInfrastructure(options, config);
  const { clock, logger, storage, keyValue, boxes, outbox, mailRequests, hasher, rateLimiter, lockout } =
    infrastructure;
  const { mail: mailBox, totpSecret: secretBox, oauthState: stateBox } = boxes;

  // domain services, each after the ones it uses, each given only what it uses
  const cookieName = sessionCookieName({ name: config.session.cookieName, secure: config.secureCookies });
  const { creatorRole, isolatedSignupRole } = config.tenants;
  const catalog = config.authorization.permissions;
  // tokens: the signing keys, then the access tokens signed with them (sessions revoke them)
  // (the install's issuer, and isolated-pool tenants' own with `tokens.tenantIssuers`)
  const issuers = createTokenIssuers({ tenants: storage.tenants }, config.tokens);
  const signingKeys = createSigningKeyService({ storage, clock, logger, issuers }, config.tokens);
  const accessTokens = createAccessTokenService(
    {
      clock,
      issuers,
      keyRingOf: signingKeys.keyRingOf,
      revocations: infrastructure.accessTokenRevocations,
    },
    { ...config.tokens, algorithms: config.tokens.signingKeys.algorithms },
  );
  const users = createUserService({ storage, clock });
  const sessions = createSessionService(
    { storage, clock, sessionCache: infrastructure.sessionCache, accessTokens },
    {
      session: config.session,
      cookieName,
      // token mode's apps: the default first-party client and the configured native ones
      firstPartyClientIds: [
        config.refreshTokens.firstPartyClientId,
        ...config.refreshTokens.nativeClients.map((client) => client.id),
      ],
    },
  );
  const authorization = createAuthorizationService(
    { storage, clock, cache: infrastructure.authorizationCache },
    // M2M clients' scopes grant the permissions `clients.scopes` maps them to
    { ...config.authorization, scopePermissions: config.clients.scopes },
  );
  const tenants = createTenantService({ storage, clock, authorization, rateLimiter }, config.tenants);
  const members = createMembershipService({ storage, clock, tenants }, { creatorRole });
  const invitations = createInvitationService(
    { storage, clock, tenants, rateLimiter, mailBox },
    { ...config.invitations, mailEnabled: options.mailer !== undefined },
  );
  const roles = createRoleService(
    { storage, clock, tenants },
    { catalog, creatorRole, maxRolesPerTenant: config.authorization.limits.maxRolesPerTenant },
  );
  const policies = createPolicyService({ storage, clock, tenants }, config.authorization);
  // credential changes mail their owner in the app's name
  const { appName } = config.emailLinks;
  const totp = createTotpService({ storage, clock, lockout, secretBox }, { ...config.totp, appName });
  const signIn = createSignInService({ storage, keyValue, clock, sessions, lockout, rateLimiter, totp });
  const passkeys = createPasskeyService(
    { storage, clock, keyValue, lockout, rateLimiter, sessions, signIn },
    { ...config.passkeys, appName },
  );
  const passwords = createPasswordService(
    { storage, clock, hasher, rateLimiter, lockout, users, sessions, tenants, invitations, signIn },
    { password: config.password, signup: config.signup, isolatedSignupRole, appName },
  );
  const emailLinks = createEmailLinkService(
    { storage, clock, hasher, rateLimiter, lockout, tenants, signIn, mailBox, mailRequests },
    { emailLinks: config.emailLinks, password: config.password },
  );
  const audit = createAuditService({ storage });
  const refreshTokens = createRefreshTokenService(
    { storage, clock, rateLimiter, accessTokens, secret: config.secret },
    { refreshTokens: config.refreshTokens, idleTtlSeconds: config.session.idleTtlSeconds },
  );
  // native apps' provider sign-ins end with a one-time code, traded at /oauth/token for a pair
  const authorizationCodes = createAuthorizationCodeService({
    keyValue,
    box: stateBox,
    issueTokens: refreshTokens.api.issueTokens,
    signOut: sessions.api.signOut,
  });
  const oauth = createOAuthService(
    { storage, clock, keyValue, rateLimiter, logger, users, sessions, signIn, stateBox, authorizationCodes },
    {
      oauth: config.oauth,
      signup: config.signup,
      baseURL: config.baseURL,
      basePath: config.basePath,
      appName,
      nativeClients: config.refreshTokens.nativeClients,
    },
  );
  // M2M clients and the OAuth endpoints
  const clients = createClientService({ storage, clock, tenants }, config);
  const oauthUrls = oauthServerUrls(config.tokens.issuer, config.baseURL, config.basePath);
  const clientAuthenticator = createClientAuthenticator(
    { storage, clock, keyValue, rateLimiter },
    { assertionAudiences: [oauthUrls.issuer, oauthUrls.tokenEndpoint] },
  );
  // API keys: verified through the cache, their last uses written in batches
  const apiKeyPeppers = resolvePeppers(config.apiKeys.peppers, config.secret);
  const apiKeys = createApiKeyService(
    {
      storage,
      clock,
      tenants,
      authorization,
      cache: infrastructure.apiKeyCache,
      uses: infrastructure.apiKeyUses,
      rateLimiter,
    },
    {
      apiKeys: config.apiKeys,
      environments: config.environments,
      peppers: apiKeyPeppers,
      catalog,
    },
  );
  // the operator's per-tenant and per-key numbers, read by the limiter through the same cache
  const rateLimitOverrides = createRateLimitOverrideService(
    { storage, clock, cache: infrastructure.rateLimitOverrideCache },
    { policyNames: rateLimiter.policies.map((policy) => policy.name) },
  );
  // leak reports from secret scanners revoke (or flag) the keys they found
  const secretScanning = createSecretScanningService(
    { storage, clock, logger },
    {
      secretScanning: config.secretScanning,
      apiKeyPrefix: config.apiKeys.prefix,
      environments: config.environments,
      peppers: apiKeyPeppers,
    },
  );
  // token exchange (RFC 8693): besides the tokens' own audiences, the resources M2M clients know
  const tokenExchange = createTokenExchangeService(
    { storage, clock, rateLimiter, accessTokens, authorization },
    { ...config.tokens, resources: config.clients.resources },
  );
  const clientTokens = createClientTokenService(
    {
      storage,
      clock,
      authenticator: clientAuthenticator,
      accessTokens,
      rateLimiter,
      refreshTokens,
      exchangeToken: tokenExchange.api.exchangeToken,
      issuers,
      authorizationCodes,
    },
    {
      clients: config.clients,
      urls: oauthUrls,
      firstPartyClientId: config.refreshTokens.firstPartyClientId,
      nativeClients: config.refreshTokens.nativeClients,
    },
  );

  // the server-side API: every domain's operations, under the names its interface declares
  const api: AuthApi = {
    ...passwords.api,
    ...signIn.api,
    ...totp.api,
    ...sessions.api,
    ...users.api,
    ...tenants.api,
    ...members.api,
    ...invitations.api,
    ...roles.api,
    ...policies.api,
    ...authorization.api,
    ...audit.api,
    ...emailLinks.api,
    ...passkeys.api,
    ...oauth.api,
    ...clients.api,
    ...apiKeys.api,
    ...rateLimitOverrides.api,
    ...secretScanning.api,
    ...clientTokens.api,
    ...accessTokens.api,
    ...signingKeys.api,
    ...refreshTokens.api,
    ...tokenExchange.api,
  };

  // readiness: the infrastructure's probes, and whether the install's issuer can sign
  const health = createHealthCheck({
    ...infrastructure.healthProbes,
    signingKey: signingKeys.assertCanSign,
    clock,
    maxOutboxLagSeconds: config.outbox.maxReadyLagSeconds,
  });

  // HTTP: the routes over that API, their OpenAPI document and the handler
  const openApiDocument = lazyOpenApiDocument(routes, config, cookieName);
  const handler = createHandler({
    config,
    api,
    routes,
    logger,
    clock,
    openApi: openApiDocument,
    health,
    rateLimiter: infrastructure.rateLimiter,
  });

  const closeInfrastructure = infrastructure.start();
  // the services' background work first: it writes through the storage and the outbox
  const close = async () => {
    await signingKeys.stop();
    await closeInfrastructure();
  };

  return {
    handler,
    api,
    outbox,
    config,
    sessionCookieName: cookieName,
    ...serverRequestChecks(config),
    openApiDocument,
    health,
    close,
  };
}
