import type { Auth, AuthApi } from './api/index.js';
import { createAuditService } from './audit/index.js';
import {
  createAuthorizationCache,
  createAuthorizationService,
  createPolicyService,
  createRoleService,
} from './authorization/index.js';
import { type AuthConfig, resolveConfig } from './config/index.js';
import { createOAuthService } from './credentials/oauth/index.js';
import { createPasskeyService } from './credentials/passkeys/index.js';
import { createPasswordHasher, createPasswordService } from './credentials/passwords/index.js';
import { createTotpService } from './credentials/totp/index.js';
import { createSealedBox, uuidv7 } from './crypto/index.js';
import { createAcceptedMailRequests, createEmailLinkService } from './email-links/index.js';
import { createHandler, serverRequestChecks } from './http/handler.js';
import { lazyOpenApiDocument } from './http/openapi.js';
import { routes } from './http/routes/index.js';
import { createInvitationService } from './invitations/index.js';
import { createMembershipService } from './memberships/index.js';
import { memoryKeyValue } from './memory/index.js';
import { createMailSubscriber, createOutboxDispatcher } from './outbox/index.js';
import { consoleLogger, systemClock } from './ports/index.js';
import { createKnownDevices, createLockout, createRateLimiter } from './rate-limit/index.js';
import { createSessionCache, createSessionService, sessionCookieName } from './sessions/index.js';
import { createSignInService } from './sign-in/index.js';
import { sharedKeyValue, wrapKeyValue, wrapStorage } from './storage/index.js';
import { createTenantService } from './tenants/index.js';
import { createUserService } from './users/index.js';

/**
 * Validates the config (throwing `AuthError('config_invalid')` at once when it is wrong), wires
 * the ports to the domain services and returns the handler and server-side API.
 */
export function createAuth(options: AuthConfig): Auth {
  const config = resolveConfig(options);

  // ports and infrastructure: clock, logger, key-value stores, caches, storage, outbox, limits
  const clock = options.clock ?? systemClock;
  const logger = options.logger ?? consoleLogger;
  const instanceId = uuidv7().slice(-12);
  const localKeyValue = memoryKeyValue({ clock });
  const cacheKeyValue = wrapKeyValue(options.keyValue ?? localKeyValue, { logger, timeoutMs: 250 });
  const caching = { clock, logger, instanceId };
  const authorizationCache = createAuthorizationCache(cacheKeyValue, caching, config.authorization);
  const sessionCache = config.session.cache.enabled
    ? createSessionCache(cacheKeyValue, caching, config.session.cache)
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
  const keyValue = sharedKeyValue(options.keyValue, localKeyValue, logger, config.storageTimeoutMs);
  // one key per purpose, derived from the secret: what one seals, no other opens
  const mailBox = createSealedBox(config.secret, 'outbox-mail');
  const secretBox = createSealedBox(config.secret, 'totp-secret');
  const stateBox = createSealedBox(config.secret, 'oauth-state');
  const subscribers = [createMailSubscriber(options.mailer, logger, mailBox), ...config.outbox.subscribers];
  const mailRequests = createAcceptedMailRequests(logger);
  const outbox = createOutboxDispatcher(
    { storage, clock, logger, subscribers, accepted: mailRequests },
    config.outbox,
  );
  const hasher = createPasswordHasher(config.password.argon2);
  const rateLimiter = createRateLimiter(keyValue, clock, config.rateLimit);
  const lockout = createLockout(
    {
      kv: keyValue,
      store: storage.credentialFailures,
      clock,
      secret: config.secret,
      devices: createKnownDevices(config.secret),
    },
    config.lockout,
  );

  // domain services, each after the ones it uses, each given only what it uses
  const cookieName = sessionCookieName({ name: config.session.cookieName, secure: config.secureCookies });
  const { creatorRole, isolatedSignupRole } = config.tenants;
  const catalog = config.authorization.permissions;
  const users = createUserService({ storage, clock });
  const sessions = createSessionService(
    { storage, clock, sessionCache },
    { session: config.session, cookieName },
  );
  const authorization = createAuthorizationService(
    { storage, clock, cache: authorizationCache },
    config.authorization,
  );
  const tenants = createTenantService({ storage, clock, authorization }, config.tenants);
  const members = createMembershipService({ storage, clock, tenants }, { creatorRole });
  const invitations = createInvitationService(
    { storage, clock, tenants, mailBox },
    { ...config.invitations, mailEnabled: options.mailer !== undefined },
  );
  const roles = createRoleService({ storage, clock, tenants }, { catalog, creatorRole });
  const policies = createPolicyService({ storage, clock, tenants }, { catalog });
  const totp = createTotpService({ storage, clock, lockout, secretBox }, { baseURL: config.baseURL });
  const signIn = createSignInService({ storage, keyValue, clock, sessions, lockout, rateLimiter, totp });
  const passkeys = createPasskeyService(
    { storage, clock, keyValue, lockout, rateLimiter, sessions, signIn },
    config.passkeys,
  );
  const passwords = createPasswordService(
    { storage, clock, hasher, rateLimiter, lockout, users, sessions, tenants, invitations, signIn },
    { password: config.password, signup: config.signup, isolatedSignupRole },
  );
  const emailLinks = createEmailLinkService(
    { storage, clock, hasher, rateLimiter, lockout, tenants, signIn, mailBox, mailRequests },
    { emailLinks: config.emailLinks, password: config.password },
  );
  const oauth = createOAuthService(
    { storage, clock, keyValue, rateLimiter, logger, users, sessions, signIn, stateBox },
    { oauth: config.oauth, signup: config.signup, baseURL: config.baseURL, basePath: config.basePath },
  );
  const audit = createAuditService({ storage });

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
  };

  // HTTP: the routes over that API, their OpenAPI document and the handler
  const openApiDocument = lazyOpenApiDocument(routes, config, cookieName);
  const handler = createHandler({ config, api, routes, logger, clock, openApi: openApiDocument });

  // start and stop
  if (config.outbox.autoStart) outbox.start();
  const cacheStarted = Promise.all([sessionCache?.start(), authorizationCache.start()]);

  return {
    handler,
    api,
    outbox,
    config,
    sessionCookieName: cookieName,
    ...serverRequestChecks(config),
    openApiDocument,
    async close() {
      await mailRequests.settled();
      await outbox.stop();
      await cacheStarted;
      await sessionCache?.stop();
      await authorizationCache.stop();
    },
  };
}
