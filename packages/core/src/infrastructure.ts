import { createApiKeyCache, createApiKeyUses } from './api-keys/index.js';
import { createAuthorizationCache, readVersionsMany } from './authorization/index.js';
import type { AuthConfig, ResolvedConfig } from './config/index.js';
import { createPasswordHasher } from './credentials/passwords/index.js';
import { createSealedBox, uuidv7 } from './crypto/index.js';
import { createAcceptedMailRequests } from './email-links/index.js';
import { createEventLogger } from './logging/index.js';
import { memoryKeyValue } from './memory/index.js';
import { createMailSubscriber, createOutboxDispatcher } from './outbox/index.js';
import { consoleLogger, systemClock } from './ports/index.js';
import {
  createKnownDevices,
  createLockout,
  createRateLimiter,
  createRateLimitOverrideCache,
} from './rate-limit/index.js';
import { createSessionCache } from './sessions/index.js';
import { type createHealthCheck, sharedKeyValue, wrapKeyValue, wrapStorage } from './storage/index.js';
import { createAccessTokenRevocations } from './tokens/index.js';

/**
 * The first layer of `createAuth`: the app's ports wrapped once (storage with its declared
 * effects, the key-value stores with their bounds), the caches, the outbox dispatcher, the
 * limiter, the lockout, the hasher and the sealed boxes, plus how to start, check and stop them.
 * It holds no rules; the domain services are wired over it in `auth.ts`.
 */
export function createInfrastructure(options: AuthConfig, config: ResolvedConfig) {
  const clock = options.clock ?? systemClock;
  // the one way a log line leaves Portcullis: event names, request bindings, redaction
  const logger = createEventLogger(options.logger ?? consoleLogger, { redactFields: config.redactLogFields });
  const instanceId = uuidv7().slice(-12);
  const localKeyValue = memoryKeyValue({ clock });
  const cacheKeyValue = wrapKeyValue(options.keyValue ?? localKeyValue, { timeoutMs: 250 });
  const caching = { clock, logger, instanceId };
  const authorizationCache = createAuthorizationCache(
    cacheKeyValue,
    {
      ...caching,
      sharedStore: options.keyValue !== undefined,
      // `storage` is made below, with this cache's effects; the refresh runs only after start
      readVersionsMany: (tenantIds) => readVersionsMany(storage.authorizationVersions, tenantIds),
    },
    config.authorization,
  );
  const sessionCache = config.session.cache.enabled
    ? createSessionCache(cacheKeyValue, caching, config.session.cache)
    : null;
  // verified API keys, evicted everywhere on revocation through the shared store's pub/sub
  const apiKeyCache = createApiKeyCache(cacheKeyValue, caching, {
    ttlMs: config.apiKeys.cacheTtlSeconds * 1000,
  });
  // each tenant's stored rate-limit overrides, dropped everywhere on change through the pub/sub
  const rateLimitOverrideCache = createRateLimitOverrideCache(
    cacheKeyValue,
    {
      clock,
      logger,
      // `storage` is made below, with this cache's effects; nothing is read before a request
      listByTenant: (tenantId) => storage.rateLimitOverrides.listByTenant(tenantId),
    },
    { ttlMs: config.rateLimit.overrideCacheTtlSeconds * 1000 },
  );
  const storage = wrapStorage(options.storage, {
    logger: options.logger ?? consoleLogger,
    redactLogFields: config.redactLogFields,
    timeoutMs: config.storageTimeoutMs,
    effects: {
      // `outbox` is made below, from this storage; nothing is written before it exists
      outboxWritten: () => outbox.nudge(),
      sessionsRevoked: sessionCache?.revoked,
      authorizationChanged: authorizationCache.changed,
      // made below, from this storage (its database fallback reads sessions)
      accessTokensRevoked: (scope) => accessTokenRevocations.revoked(scope),
      apiKeysRevoked: apiKeyCache.revoked,
      rateLimitOverridesChanged: rateLimitOverrideCache.changed,
    },
  });
  const apiKeyUses = createApiKeyUses(
    { storage, logger },
    { flushIntervalMs: config.apiKeys.lastUseFlushSeconds * 1000 },
  );
  // the shared store itself, bounded but never replaced by a local one: a revocation check must
  // see an outage (and fall back to the database), not read an empty local store
  const accessTokenRevocations = createAccessTokenRevocations({ kv: cacheKeyValue, storage, clock, logger });
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
  // the shared store itself, bounded: when it fails each policy picks deny, allow or local
  const rateLimiter = createRateLimiter(
    {
      kv: options.keyValue
        ? wrapKeyValue(options.keyValue, { timeoutMs: Math.min(config.storageTimeoutMs, 1_000) })
        : localKeyValue,
      local: localKeyValue,
      clock,
      logger,
      secret: config.secret,
      overrides: rateLimitOverrideCache.numbers,
    },
    config.rateLimit,
  );
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

  // completed in auth.ts with the checks of services made after this layer (signing keys)
  const healthProbes = {
    storage,
    sharedKeyValue: options.keyValue ? cacheKeyValue : undefined,
    subscriptions: () => ({
      sessions: sessionCache?.subscriptionState() ?? 'off',
      authorization: authorizationCache.subscriptionState(),
      apiKeys: config.apiKeys.cacheTtlSeconds > 0 ? apiKeyCache.subscriptionState() : 'off',
      rateLimitOverrides: config.rateLimit.enabled ? rateLimitOverrideCache.subscriptionState() : 'off',
    }),
  } satisfies Partial<Parameters<typeof createHealthCheck>[0]>;

  return {
    clock,
    logger,
    storage,
    keyValue,
    boxes: { mail: mailBox, totpSecret: secretBox, oauthState: stateBox },
    outbox,
    mailRequests,
    hasher,
    rateLimiter,
    lockout,
    sessionCache,
    authorizationCache,
    accessTokenRevocations,
    apiKeyCache,
    apiKeyUses,
    rateLimitOverrideCache,
    healthProbes,
    /** Starts the dispatcher (when configured) and the caches' subscriptions. */
    start() {
      if (config.outbox.autoStart) outbox.start();
      apiKeyUses.start();
      const cacheStarted = Promise.all([
        sessionCache?.start(),
        authorizationCache.start(),
        apiKeyCache.start(),
        config.rateLimit.enabled ? rateLimitOverrideCache.start() : undefined,
      ]);
      return async function close() {
        await mailRequests.settled();
        await outbox.stop();
        // the last uses noted since the previous flush
        await apiKeyUses.stop();
        await cacheStarted;
        await sessionCache?.stop();
        await authorizationCache.stop();
        await apiKeyCache.stop();
        await rateLimitOverrideCache.stop();
      };
    },
  };
}
