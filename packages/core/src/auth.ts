import { auditChainKey } from './audit/audit.js';
import { verifyAuditEvents } from './audit/audit-chain.js';
import type { AuthApi } from './auth-api.js';
import { createAuthorizationCache } from './authorization/authorization-cache.js';
import { createAuthorizationService } from './authorization/authorization-service.js';
import { createPolicyService } from './authorization/policy-service.js';
import { requireAllowed } from './authorization/require-allowed.js';
import { createRoleService } from './authorization/role-service.js';
import type { CallContext } from './call-context.js';
import { type AuthConfig, type ResolvedConfig, resolveConfig } from './config/index.js';
import { createOAuthService } from './credentials/oauth/oauth-service.js';
import { createPasskeyService } from './credentials/passkeys/passkey-service.js';
import { createPasswordHasher } from './credentials/passwords/password-hasher.js';
import { normalizeAndCheckPassword } from './credentials/passwords/password-policy.js';
import { createUserInputSchema } from './credentials/passwords/password-schemas.js';
import { createPasswordService } from './credentials/passwords/password-service.js';
import { createTotpService } from './credentials/totp/totp-service.js';
import { sha256Hex } from './crypto/random.js';
import { createSealedBox } from './crypto/sealed-box.js';
import { uuidv7 } from './crypto/uuid.js';
import { createEmailLinkService } from './email-links/email-link-service.js';
import { AuthError, isAuthError } from './errors.js';
import { readCookie, sessionCookieName } from './http/cookies.js';
import { assertTrustedOrigin } from './http/csrf.js';
import { type AuthHandler, clientIp, createHandler, type HandlerOptions } from './http/handler.js';
import { buildOpenApiDocument } from './http/openapi.js';
import type { RouteDefinition } from './http/route.js';
import { accountRoutes, sessionRoutes } from './http/routes/account-routes.js';
import { emailLinkRoutes } from './http/routes/email-link-routes.js';
import { invitationRoutes } from './http/routes/invitation-routes.js';
import { memberRoutes } from './http/routes/member-routes.js';
import { mfaRoutes } from './http/routes/mfa-routes.js';
import { oauthRoutes } from './http/routes/oauth-routes.js';
import { passkeyRoutes } from './http/routes/passkey-routes.js';
import { permissionRoutes } from './http/routes/permission-routes.js';
import { policyRoutes } from './http/routes/policy-routes.js';
import { roleRoutes } from './http/routes/role-routes.js';
import { tenantRoutes } from './http/routes/tenant-routes.js';
import { createInvitationService } from './invitations/invitation-service.js';
import { createMembershipService } from './memberships/membership-service.js';
import { memoryKeyValue } from './memory/memory-key-value.js';
import { createMailSubscriber } from './outbox/mail-subscriber.js';
import { createOutboxDispatcher, type OutboxDispatcher } from './outbox/outbox-dispatcher.js';
import { systemClock } from './ports/clock.js';
import { consoleLogger } from './ports/logger.js';
import { createLockout } from './rate-limit/lockout.js';
import { createRateLimiter } from './rate-limit/rate-limiter.js';
import type { ServiceDeps } from './service-deps.js';
import { createSessionCache } from './sessions/session-cache.js';
import { createSessionService } from './sessions/session-service.js';
import { checkStepUp } from './sessions/step-up.js';
import { createSignInService } from './sign-in/index.js';
import { fallbackKeyValue } from './storage/fallback-key-value.js';
import { wrapKeyValue } from './storage/wrap-key-value.js';
import { wrapStorage } from './storage/wrap-storage.js';
import { createTenantService } from './tenants/tenant-service.js';
import { createUserService } from './users/user-service.js';
import { parseInput } from './validation.js';

/** The version reported in the OpenAPI document. */
export const PORTCULLIS_VERSION = '0.1.0';

/**
 * A configured Portcullis instance.
 *
 * @example
 * const auth = createAuth({ storage: kyselyStorage(db), secret, baseURL: 'http://localhost:3000' })
 * app.all('/auth/*', toExpressHandler(auth))   // or mountAuth(app, auth) from @portcullis/express
 */
export interface Auth {
  /** Web-standard handler for every route under `basePath`. */
  handler: AuthHandler;
  /** The same operations for server-side code. */
  api: AuthApi;
  /** The in-process outbox dispatcher (started automatically unless `outbox.autoStart: false`). */
  outbox: OutboxDispatcher;
  /** The validated configuration. */
  config: ResolvedConfig;
  /** The name of the session cookie (with `__Host-` on https). */
  sessionCookieName: string;
  /**
   * The CSRF rule of Portcullis's own routes, for app routes authenticated by the session cookie:
   * throws `AuthError('csrf_origin_mismatch')` unless the request proves a trusted origin.
   * Framework middleware calls it on unsafe methods.
   */
  assertTrustedOrigin(headers: Headers, options?: { hasSessionCookie?: boolean }): void;
  /**
   * The call context of a request for `auth.api` calls made from server code (server actions,
   * route handlers): the client address by the same `trustProxy` rule as the handler, and the
   * user agent, so those calls are rate-limited per client and audited with their origin.
   *
   * @example
   * await auth.api.signIn(input, auth.callContext(await headers(), { clientIp }))
   */
  callContext(headers: Headers, options?: HandlerOptions): CallContext;
  /** The OpenAPI 3.1 document of the mounted routes. */
  openApiDocument(): Record<string, unknown>;
  /** Stops the dispatcher. Does not close the host app's database client. */
  close(): Promise<void>;
}

/**
 * Validates the config (throwing `AuthError('config_invalid')` at once when it is wrong), wires
 * the ports to the domain services and returns the handler and server-side API.
 */
export function createAuth(options: AuthConfig): Auth {
  const config = resolveConfig(options);
  const clock = options.clock ?? systemClock;
  const logger = options.logger ?? consoleLogger;
  const instanceId = uuidv7().slice(-12);
  const localKeyValue = memoryKeyValue({ clock });
  const authorizationCache = createAuthorizationCache(
    wrapKeyValue(options.keyValue ?? localKeyValue, { logger, timeoutMs: 250 }),
    { clock, logger, instanceId },
    {
      maxTenants: config.authorization.cacheSize,
      maxMemberships: config.authorization.membershipCacheSize,
      revalidateAfterMs: config.authorization.revalidateAfterMs,
    },
  );
  const sessionCache = config.session.cache.enabled
    ? createSessionCache(
        wrapKeyValue(options.keyValue ?? localKeyValue, { logger, timeoutMs: 250 }),
        { clock, logger, instanceId },
        config.session.cache,
      )
    : null;
  const storage = wrapStorage(options.storage, {
    logger,
    timeoutMs: config.storageTimeoutMs,
    effects: {
      // `outbox` is made below, from this storage; nothing is written before it exists
      outboxWritten: () => outbox.nudge(),
      sessionsRevoked: sessionCache?.revoked,
      authorizationChanged: authorizationCache.changed,
    },
  });
  const keyValue = options.keyValue
    ? // a shared store that goes down degrades rate limits to per-instance counting, never to 503s
      fallbackKeyValue(
        wrapKeyValue(options.keyValue, { logger, timeoutMs: Math.min(config.storageTimeoutMs, 1_000) }),
        localKeyValue,
        logger,
      )
    : localKeyValue;
  // mail payloads rest in the outbox in clear: secrets in them (invitation links) are sealed
  const mailBox = createSealedBox(config.secret, 'outbox-mail');
  const outbox = createOutboxDispatcher({
    storage,
    clock,
    logger,
    subscribers: [createMailSubscriber(options.mailer, logger, mailBox), ...config.outbox.subscribers],
    pollIntervalMs: config.outbox.pollIntervalMs,
    maxAttempts: config.outbox.maxAttempts,
  });
  const deps: ServiceDeps = {
    config,
    storage,
    keyValue,
    clock,
    logger,
    hasher: createPasswordHasher(config.password.argon2),
    rateLimiter: createRateLimiter(keyValue, clock, config.rateLimit),
    failures: createLockout(
      { kv: keyValue, store: storage.credentialFailures, clock, secret: config.secret },
      config.lockout,
    ),
    outbox,
    sessionCache,
  };

  const users = createUserService(deps);
  const sessions = createSessionService(deps);
  const authorization = createAuthorizationService(deps, {
    globalPolicies: config.authorization.policies,
    cache: authorizationCache,
    catalog: config.authorization.permissions,
  });
  const tenants = createTenantService(deps, authorization);
  const memberships = createMembershipService(deps, tenants);
  const invitations = createInvitationService(
    deps,
    { tenants },
    { enabled: options.mailer !== undefined, sealedBox: mailBox },
  );
  const mfa = createTotpService(deps);
  const signIn = createSignInService({
    storage,
    keyValue,
    clock,
    sessions,
    lockout: deps.failures,
    rateLimiter: deps.rateLimiter,
    totp: mfa,
  });
  const passkeys = createPasskeyService(deps, { sessions, signIn });
  const passwords = createPasswordService(deps, { users, sessions, tenants, invitations, signIn });
  const roles = createRoleService(deps, tenants);
  const emailLinks = createEmailLinkService(deps, { sessions, tenants, signIn }, { sealedBox: mailBox });
  const policies = createPolicyService(deps, tenants);
  const oauthLogins = createOAuthService(deps, { users, sessions, signIn });
  const cookieName = sessionCookieName({ name: config.session.cookieName, secure: config.secureCookies });
  const page = (p?: { limit?: number; cursor?: string }) => ({ limit: p?.limit ?? 50, cursor: p?.cursor });

  const api: AuthApi = {
    signUp: passwords.signUp,
    signIn: passwords.signIn,
    verifyMfa: signIn.verifyMfa,
    getMfaStatus: mfa.getStatus,
    setupTotp: mfa.setupTotp,
    confirmTotp: mfa.confirmTotp,
    disableTotp: mfa.disableTotp,
    regenerateRecoveryCodes: mfa.regenerateRecoveryCodes,
    async signOut(token, context = {}) {
      const found = await storage.sessions.findActiveByTokenHash(sha256Hex(token), clock.now());
      if (!found) return;
      await sessions
        .revokeSession(found.user.id, found.session.id, {
          actor: { type: 'user', id: found.user.id },
          ...context,
        })
        .catch((error) => {
          // a concurrent sign-out already revoked it: the outcome is the same. Anything else
          // (storage down) must not be answered as a successful sign-out.
          if (!isAuthError(error, 'not_found')) throw error;
        });
    },
    getSession(request) {
      const headers = request instanceof Headers ? request : request.headers;
      const token = readCookie(headers.get('cookie'), cookieName);
      return token ? sessions.validateSessionToken(token) : Promise.resolve(null);
    },
    validateSessionToken: sessions.validateSessionToken,
    listSessions: sessions.listSessions,
    revokeSession: sessions.revokeSession,
    revokeOtherSessions: sessions.revokeOtherSessions,
    revokeAllSessions: (userId, context) => sessions.revokeAllSessions(userId, context),
    changePassword: passwords.changePassword,
    reauthenticate: passwords.reauthenticate,
    checkStepUp: (session, requirement) => checkStepUp(session, requirement, clock.now()),
    createTenant: tenants.createTenant,
    listTenants: (userId, p) => tenants.listTenants(userId, page(p)),
    async getTenant(tenantId, userId, context) {
      return (await tenants.requirePermission(tenantId, userId, 'tenant.read', context)).tenant;
    },
    updateTenant: tenants.updateTenant,
    listMembers: (tenantId, userId, p, context) =>
      memberships.listMembers(tenantId, userId, page(p), context),
    updateMember: memberships.updateMember,
    removeMember: memberships.removeMember,
    createInvitation: invitations.createInvitation,
    listInvitations: (tenantId, userId, p, context) =>
      invitations.listInvitations(tenantId, userId, page(p), context),
    revokeInvitation: invitations.revokeInvitation,
    acceptInvitation: invitations.acceptInvitation,
    async createUser(rawInput, context = {}) {
      const input = parseInput(createUserInputSchema, rawInput);
      if (input.tenantId) {
        const tenant = await storage.tenants.findById(input.tenantId);
        if (!tenant || tenant.userPool !== 'isolated') {
          throw new AuthError('invalid_request', { detail: 'tenantId must name an isolated-pool tenant' });
        }
      }
      const passwordHash = input.password
        ? await deps.hasher.hash(await normalizeAndCheckPassword(input.password, config.password, input))
        : null;
      const user = await storage.transaction((tx) =>
        users.insertUser(tx, { ...input, tenantId: input.tenantId ?? null, passwordHash }, context),
      );
      return user;
    },
    getUser: users.getUser,
    suspendUser: users.suspendUser,
    reactivateUser: users.reactivateUser,
    listRoles: roles.listRoles,
    createRole: roles.createRole,
    updateRole: roles.updateRole,
    deleteRole: roles.deleteRole,
    listPolicies: policies.listPolicies,
    createPolicy: policies.createPolicy,
    replacePolicy: policies.replacePolicy,
    deletePolicy: policies.deletePolicy,
    listPermissions: () => config.authorization.permissions.listing(),
    authorize: authorization.authorize,
    authorizeMany: authorization.authorizeMany,
    requirePermission: async (input) => requireAllowed(await authorization.authorize(input), input.action),
    authorizationFilter: authorization.authorizationFilter,
    verifyAuditChain(scope) {
      const chainKey = auditChainKey(scope);
      return verifyAuditEvents((afterSeq, limit) => storage.audit.listChain(chainKey, afterSeq, limit));
    },
    requestEmailVerification: emailLinks.requestEmailVerification,
    verifyEmail: emailLinks.verifyEmail,
    requestPasswordReset: emailLinks.requestPasswordReset,
    resetPassword: emailLinks.resetPassword,
    requestMagicLink: emailLinks.requestMagicLink,
    verifyMagicLink: emailLinks.verifyMagicLink,
    passkeyRegistrationOptions: passkeys.registrationOptions,
    registerPasskey: passkeys.register,
    passkeyAuthenticationOptions: (input, current = null, context) =>
      passkeys.authenticationOptions(input, current, context),
    authenticateWithPasskey: (input, current = null, context) =>
      passkeys.authenticate(input, current, context),
    listPasskeys: passkeys.list,
    renamePasskey: passkeys.rename,
    deletePasskey: passkeys.remove,
    listOAuthProviders: oauthLogins.listProviders,
    startOAuth: oauthLogins.start,
    completeOAuth: oauthLogins.complete,
    listOAuthAccounts: oauthLogins.listAccounts,
    unlinkOAuthAccount: oauthLogins.unlinkAccount,
  };

  const routes: RouteDefinition[] = [
    ...accountRoutes,
    ...sessionRoutes,
    ...tenantRoutes,
    ...roleRoutes,
    ...policyRoutes,
    ...permissionRoutes,
    ...memberRoutes,
    ...invitationRoutes,
    ...emailLinkRoutes,
    ...mfaRoutes,
    ...passkeyRoutes,
    ...oauthRoutes,
  ];
  const serverUrl = new URL(config.basePath, config.baseURL).toString().replace(/\/$/, '');
  let openApi: Record<string, unknown> | undefined;
  const openApiDocument = () =>
    (openApi ??= buildOpenApiDocument(routes, {
      title: 'Portcullis',
      version: PORTCULLIS_VERSION,
      serverUrl,
      sessionCookieName: cookieName,
    }));
  const handler = createHandler({ config, api, routes, logger, clock, openApi: openApiDocument });

  if (config.outbox.autoStart) outbox.start();
  const cacheStarted = Promise.all([sessionCache?.start(), authorizationCache.start()]);

  return {
    handler,
    api,
    outbox,
    config,
    sessionCookieName: cookieName,
    callContext: (headers, handlerOptions = {}) => ({
      ip: clientIp({ headers }, handlerOptions, config.trustProxyHops),
      userAgent: headers.get('user-agent'),
      requestId: uuidv7(),
    }),
    assertTrustedOrigin: (headers, originOptions) =>
      assertTrustedOrigin(headers, config.trustedOrigins, originOptions?.hasSessionCookie ?? true),
    openApiDocument,
    async close() {
      await outbox.stop();
      await cacheStarted;
      await sessionCache?.stop();
      await authorizationCache.stop();
    },
  };
}
