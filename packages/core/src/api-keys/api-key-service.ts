import { recordChange } from '../audit/index.js';
import {
  type AuthorizationResource,
  type AuthorizationService,
  assertCanGrant,
  assertKnownPermissions,
  type Condition,
  type MachinePrincipal,
  type PermissionCatalog,
} from '../authorization/index.js';
import type { CallContext } from '../call-context.js';
import { uuidv7 } from '../crypto/uuid.js';
import type { Environments } from '../environments.js';
import { AuthError } from '../errors.js';
import type { Clock } from '../ports/clock.js';
import { type Page, type PageRequest, pageRequest } from '../ports/pagination.js';
import type { Storage } from '../ports/storage.js';
import type { RateLimiter, RateLimitState } from '../rate-limit/index.js';
import type { TenantService } from '../tenants/index.js';
import { parseInput } from '../validation.js';
import type { ApiKeyCache } from './api-key-cache.js';
import {
  type ApiKeyPepper,
  apiKeyDisplayParts,
  generateApiKey,
  hashApiKey,
  parseApiKey,
} from './api-key-format.js';
import type { ResolvedApiKeysOptions } from './api-key-options.js';
import {
  type CreateApiKeyInput,
  createApiKeyInputSchema,
  type RotateApiKeyInput,
  rotateApiKeyInputSchema,
  type SetApiKeyLimitsInput,
  setApiKeyLimitsInputSchema,
} from './api-key-schemas.js';
import type { ApiKeyLimitsChange } from './api-key-store.js';
import type { ApiKeyUses } from './api-key-uses.js';
import {
  type ApiKey,
  type ApiKeySummary,
  apiKeyState,
  creditPeriodStart,
  nextCreditPeriodStart,
  summarizeApiKey,
} from './api-keys.js';
import { findApiKeyByKey } from './find-api-key.js';
import { endPredecessorOverlap, overlapPartner } from './rotation-overlap.js';

/** A new key: the key itself is returned this once, never stored. */
export interface ApiKeyWithSecret {
  apiKey: ApiKeySummary;
  /** The key (`pc_live_…`): show it once; only its keyed hash is kept. */
  key: string;
}

/** A rotation's outcome: the successor (and its key, shown once) and the key it replaced. */
export interface RotatedApiKey extends ApiKeyWithSecret {
  /** The old key, working until its `overlapEndsAt`. */
  previous: ApiKeySummary;
}

/** A key that verified, and what to authorize its requests with. */
export interface VerifiedApiKey {
  apiKey: ApiKeySummary;
  tenantId: string;
  environment: string;
  /**
   * The key as the authorization engine's subject (`subject.type: 'api_key'`): hand it to
   * `auth.api.authorize({ principal, tenantId, action, ip })`. It carries the key's permissions,
   * its condition and its owner, whose own permissions are re-checked on every decision.
   */
  principal: Extract<MachinePrincipal, { type: 'api_key' }>;
  /**
   * What the key's rate-limit policies (operation `apiKey`) said, for the `RateLimit-Policy` and
   * `RateLimit` response headers (`rateLimitHeaders([rateLimit])`); null when none counted it.
   */
  rateLimit: RateLimitState | null;
  /** The credits left after this use, as the database counted them; null for a key without a quota. */
  creditsRemaining: number | null;
}

/** A valid key, as `ApiKeyAuthorization.resource` sees it before the use is counted. */
export type ApiKeyToAuthorize = Pick<VerifiedApiKey, 'apiKey' | 'tenantId' | 'environment' | 'principal'>;

/**
 * What a use of a key must be allowed, decided before the use counts against the key's limits
 * (see `VerifyApiKeyOptions.authorize`).
 */
export interface ApiKeyAuthorization {
  /** `resource.action`, e.g. `invoice.read`. */
  action: string;
  /**
   * The resource acted on, for conditions and policies that read `resource.*`; or a function
   * of the valid key that finds it (e.g. in the key's tenant), called before anything is counted.
   */
  resource?:
    | AuthorizationResource
    | ((
        key: ApiKeyToAuthorize,
      ) => AuthorizationResource | undefined | Promise<AuthorizationResource | undefined>);
}

/** How a key is verified. */
export interface VerifyApiKeyOptions {
  /**
   * The environment the request is for (e.g. `live`): a key of another one is refused
   * (`api_key_wrong_environment`), offline, from its prefix. Default: any configured one.
   */
  environment?: string;
  /**
   * What this use must be allowed (`authorization.authorize` with the key as principal and
   * `context.ip`): checked once the key is found valid and **before** it is counted, so a use the
   * key may not make (outside its CIDR constraint, beyond its permissions, denied by a policy or
   * beyond what its owner may do now) is refused with `forbidden` (and the decision's `reason`)
   * without spending a credit or moving its rate-limit schedules. Without it, the key's limits
   * are spent by every valid use, and a refusal by the app's own check afterwards comes too late.
   * The framework guards pass their `permission` here.
   */
  authorize?: ApiKeyAuthorization;
  /**
   * The request's address and id. With an address (`context.ip`), a verification the cache
   * cannot answer is counted by the `apiKeyLookup` policy (operation `apiKeyAuth`) before the
   * database is read; the states of the policies that counted it are added to
   * `context.rateLimits`.
   */
  context?: CallContext;
}

/** The API key operations of `auth.api`. */
export interface ApiKeysApi {
  /**
   * Creates an API key in a tenant and one environment (needs `api_key.manage`). Its permissions
   * must be within what the creator holds (`forbidden`) and known to the permission catalog
   * (`unknown_permission`); owned by the creator (`owner: 'user'`, the default: every use is
   * re-checked against what they may do then, and the key is revoked when they leave the tenant
   * or are suspended) or by the tenant. An expiry is optional unless `apiKeys.maxLifetimeSeconds`
   * is set; `constraints` is a policy-language condition every use must meet (e.g. a source
   * CIDR). Its limits (named rate-limit policies, credits) are not the tenant's to choose: the
   * operator sets them with `setApiKeyLimits` (e.g. from an outbox subscriber on
   * `api_key.created`). The key is returned this once: only its HMAC is stored. Audited and
   * emitted as `api_key.created`.
   *
   * @example
   * const { key, apiKey } = await auth.api.createApiKey(tenantId, userId, {
   *   name: 'CI deploys', environment: 'live', permissions: ['deployment.create'] })
   */
  createApiKey(
    tenantId: string,
    userId: string,
    input: CreateApiKeyInput,
    context?: CallContext,
  ): Promise<ApiKeyWithSecret>;
  /**
   * The tenant's keys that are not revoked (needs `api_key.manage`), by id, page by page: never
   * a key or its hash, only its start and last four. Each shows its `state` (`active`,
   * `overlapping` until a rotation's overlap ends, `expired`) and `lastUsedAt` (written about once
   * a minute; this instance's newer uses are included).
   *
   * @example
   * const { items } = await auth.api.listApiKeys(tenantId, userId)
   */
  listApiKeys(
    tenantId: string,
    userId: string,
    page?: Partial<PageRequest>,
    context?: CallContext,
  ): Promise<Page<ApiKeySummary>>;
  /**
   * Rotates a key (needs `api_key.manage`): a successor with the same owner, permissions,
   * constraints, expiry and limits (its rate-limit policies, the operator's per-key rate-limit
   * overrides, and its credits: the count left at the rotation, and the refill) is returned with
   * its key (shown once); the old key keeps working for `overlapSeconds` (default
   * `apiKeys.overlapSeconds`; 0 ends it at once), spending the successor's credits (the pair
   * shares one count), and its last use stays visible so you can tell when it went quiet.
   * Revoking the old key ends the overlap now; so does rotating the successor (the old key is
   * revoked in the same transaction: at most two keys of a lineage work at once). Of concurrent
   * rotations of one key exactly one succeeds (`conflict` for the others, as for a key rotated
   * already); `not_found` for an unknown, revoked or another tenant's key. Audited and emitted as
   * `api_key.rotated` (with `endedOverlapOf` when it ended a predecessor's overlap).
   *
   * @example
   * const { key, previous } = await auth.api.rotateApiKey(tenantId, userId, apiKeyId, { overlapSeconds: 3600 })
   */
  rotateApiKey(
    tenantId: string,
    userId: string,
    apiKeyId: string,
    input?: RotateApiKeyInput,
    context?: CallContext,
  ): Promise<RotatedApiKey>;
  /**
   * Revokes a key (needs `api_key.manage`): refused from then on, on this instance at once and on
   * others within the cache invalidation's delivery. Revoking a rotated-out key ends its overlap
   * now; revoking a successor also revokes its predecessor still in overlap (`superseded`: it
   * spends the successor's credits, and must not outlive it). `not_found` for an unknown, already
   * revoked or another tenant's key. Audited and emitted as `api_key.revoked`.
   *
   * @example
   * await auth.api.revokeApiKey(tenantId, userId, apiKeyId)
   */
  revokeApiKey(tenantId: string, userId: string, apiKeyId: string, context?: CallContext): Promise<void>;
  /**
   * Sets the limits of a key, as the SaaS operator (a plan's quota): server-side only, with no
   * HTTP route and no permission check, since a tenant must not raise its own (like
   * `setRateLimitOverride`). Its named rate-limit policies (null: back to every policy covering
   * `apiKey`) and its credits (replaced whole: the count starts at `remaining` in the current
   * period; null: no quota). Fields left out stay. A key in a rotation's overlap and its
   * successor share one count, so the change applies to both. `not_found` for an unknown,
   * revoked or another tenant's key; `invalid_request` for a policy name that is not configured
   * for `apiKey`. The key's cached copies are evicted on every instance. Audited and emitted as
   * `api_key.limits_set`, actor the system unless `context` names one.
   *
   * @example
   * // the billing code, e.g. an outbox subscriber on api_key.created
   * await auth.api.setApiKeyLimits(tenantId, apiKeyId, {
   *   rateLimitPolicies: ['partner'], credits: { remaining: 1000, refill: { amount: 1000, interval: 'month' } } })
   */
  setApiKeyLimits(
    tenantId: string,
    apiKeyId: string,
    input: SetApiKeyLimitsInput,
    context?: CallContext,
  ): Promise<ApiKeySummary>;
  /**
   * Verifies a presented key (from `x-api-key` or `Authorization: Bearer`). Checked offline
   * first: format, this install's prefix and the checksum (`api_key_malformed`), then the
   * environment (`api_key_wrong_environment`); then by its keyed hash (`api_key_invalid` when no
   * key has it), its state (`api_key_revoked`, `api_key_expired`), its tenant (active) and, for a
   * user's key, its owner (active and still a member). Verified keys are cached in memory for
   * `apiKeys.cacheTtlSeconds`. A verification the cache cannot answer is first counted by the
   * `apiKeyLookup` policy per client address (when `context.ip` is given). With `authorize`, a
   * valid key must then be allowed the action (`forbidden` otherwise, before anything is
   * counted). Then it is counted by its rate-limit policies (`rate_limited`, 429) and, when it has a quota, spends one
   * credit (`api_key_credits_exhausted`, 429, with `retryAfterSeconds` until the next refill):
   * that one conditional UPDATE is the only write a verification ever makes, and only for a key
   * with credits. A key in a rotation's overlap spends its successor's credits. The last use is
   * noted in memory and written in batches. A failed verification (malformed, unknown, revoked,
   * expired, wrong environment, not allowed `authorize`) consumes neither the key's policies nor
   * its credits and writes nothing.
   *
   * @example
   * const { tenantId, principal } = await auth.api.verifyApiKey(request.headers.get('x-api-key') ?? '', {
   *   environment: 'live', authorize: { action: 'invoice.read' }, context: { ip } })
   */
  verifyApiKey(key: string, options?: VerifyApiKeyOptions): Promise<VerifiedApiKey>;
}

/** The API keys domain: its `auth.api` operations. */
export interface ApiKeyService {
  api: ApiKeysApi;
}

/** What the API key service uses. */
export interface ApiKeyServiceDeps {
  storage: Storage;
  clock: Clock;
  tenants: TenantService;
  authorization: AuthorizationService;
  cache: ApiKeyCache;
  uses: ApiKeyUses;
  rateLimiter: RateLimiter;
}

export interface ApiKeyServiceOptions {
  apiKeys: ResolvedApiKeysOptions;
  environments: Environments;
  /** Newest first (see `resolvePeppers`). */
  peppers: readonly ApiKeyPepper[];
  catalog: PermissionCatalog;
}

export function createApiKeyService(
  { storage, clock, tenants, authorization, cache, uses, rateLimiter }: ApiKeyServiceDeps,
  { apiKeys: options, environments, peppers, catalog }: ApiKeyServiceOptions,
): ApiKeyService {
  const currentPepper = peppers[0];
  if (!currentPepper) throw new AuthError('config_invalid', { detail: 'apiKeys: no pepper' });

  /** A new key row and its secret, hashed under the current pepper. */
  function mint(fields: Omit<ApiKey, 'keyHash' | 'pepperVersion' | 'start' | 'lastFour'>): {
    row: ApiKey;
    key: string;
  } {
    const key = generateApiKey(options.prefix, fields.environment);
    const parsed = parseApiKey(key, options.prefix);
    if (!parsed) throw new AuthError('internal_error', { detail: 'a generated API key did not parse' });
    return {
      key,
      row: {
        ...fields,
        keyHash: hashApiKey(key, currentPepper as ApiKeyPepper),
        pepperVersion: (currentPepper as ApiKeyPepper).version,
        ...apiKeyDisplayParts(key, parsed),
      },
    };
  }

  /** The policies a key may name: those of `rateLimit.policies` (and defaults) covering `apiKey`. */
  const keyPolicyNames = new Set(
    rateLimiter.policies.filter((p) => p.operations.includes('apiKey')).map((p) => p.name),
  );

  /** Refuses a name that is not a policy covering `apiKey`. */
  function assertKeyPolicies(names: readonly string[] | null | undefined): void {
    const unknown = (names ?? []).filter((name) => !keyPolicyNames.has(name));
    if (unknown.length === 0) return;
    const known = [...keyPolicyNames].join(', ') || 'none configured';
    throw new AuthError('invalid_request', {
      detail: `not a rate-limit policy covering apiKey: ${unknown.join(', ')} (known: ${known})`,
      issues: unknown.map((name) => ({
        path: `rateLimitPolicies.${(names ?? []).indexOf(name)}`,
        message: `no policy named ${name} covers operation apiKey`,
      })),
    });
  }

  /** The stored credit columns of a quota as written at `now`. */
  function creditColumns(
    credits: SetApiKeyLimitsInput['credits'],
    now: Date,
  ): NonNullable<ApiKeyLimitsChange['credits']> | null {
    if (!credits) return null;
    return {
      remaining: credits.remaining,
      refillAmount: credits.refill?.amount ?? null,
      refillInterval: credits.refill?.interval ?? null,
      setAt: now,
    };
  }

  /** This instance's unwritten last use, when newer than the stored one. */
  function summarize(key: ApiKey, now: Date): ApiKeySummary {
    const summary = summarizeApiKey(key, now);
    const pending = uses.pending(key.id);
    if (pending && (summary.lastUsedAt === null || pending.getTime() > summary.lastUsedAt.getTime())) {
      summary.lastUsedAt = pending;
    }
    return summary;
  }

  const api: ApiKeysApi = {
    async createApiKey(tenantId, userId, rawInput, context = {}) {
      const input = parseInput(createApiKeyInputSchema, rawInput);
      const { membership } = await tenants.requirePermission(tenantId, userId, 'api_key.manage', context);
      const environment = input.environment ?? environments[0] ?? 'live';
      if (!environments.includes(environment)) {
        throw new AuthError('invalid_request', {
          detail: `environment must be one of: ${environments.join(', ')}`,
          issues: [{ path: 'environment', message: `must be one of: ${environments.join(', ')}` }],
        });
      }
      assertKnownPermissions(catalog, 'permissions', input.permissions);
      // no key is ever more than its creator holds
      assertCanGrant(await storage.roles.listByTenant(tenantId), membership.roles, input.permissions);
      const maxLifetime = options.maxLifetimeSeconds;
      if (
        maxLifetime !== null &&
        input.expiresInSeconds !== undefined &&
        input.expiresInSeconds > maxLifetime
      ) {
        throw new AuthError('invalid_request', {
          detail: `expiresInSeconds may be at most ${maxLifetime} (apiKeys.maxLifetimeSeconds)`,
          issues: [{ path: 'expiresInSeconds', message: `must be at most ${maxLifetime}` }],
        });
      }
      const lifetime = input.expiresInSeconds ?? maxLifetime ?? undefined;
      const now = clock.now();
      const { row, key } = mint({
        id: uuidv7(now.getTime()),
        tenantId,
        environment,
        ownerUserId: input.owner === 'user' ? userId : null,
        name: input.name,
        permissions: [...new Set(input.permissions)],
        constraints: (input.constraints as ApiKey['constraints'] | undefined) ?? null,
        expiresAt: lifetime === undefined ? null : new Date(now.getTime() + lifetime * 1000),
        status: 'active',
        revokedAt: null,
        revokedReason: null,
        predecessorId: null,
        successorId: null,
        overlapEndsAt: null,
        createdBy: userId,
        createdAt: now,
        updatedAt: now,
        lastUsedAt: null,
        // limits are the operator's (setApiKeyLimits): a new key has the defaults
        rateLimitPolicies: null,
        creditsRemaining: null,
        creditRefillAmount: null,
        creditRefillInterval: null,
        creditsRefilledAt: null,
        leakReportedAt: null,
      });
      await storage.transaction(async (tx) => {
        await tx.apiKeys.create(row);
        await recordChange(tx, clock, context, {
          tenantId,
          action: 'api_key.created',
          target: { type: 'api_key', id: row.id },
          data: {
            name: row.name,
            environment,
            owner: input.owner,
            permissions: row.permissions,
            start: row.start,
            expiresAt: row.expiresAt?.toISOString() ?? null,
          },
        });
      });
      return { apiKey: summarize(row, now), key };
    },

    async listApiKeys(tenantId, userId, page, context = {}) {
      await tenants.requirePermission(tenantId, userId, 'api_key.manage', context);
      const found = await storage.apiKeys.listByTenant(tenantId, pageRequest(page));
      const now = clock.now();
      return { items: found.items.map((k) => summarize(k, now)), nextCursor: found.nextCursor };
    },

    async rotateApiKey(tenantId, userId, apiKeyId, rawInput = {}, context = {}) {
      const input = parseInput(rotateApiKeyInputSchema, rawInput);
      await tenants.requirePermission(tenantId, userId, 'api_key.manage', context);
      const existing = await storage.apiKeys.findById(tenantId, apiKeyId);
      if (!existing || existing.status !== 'active')
        throw new AuthError('not_found', { detail: 'no such API key' });
      const now = clock.now();
      if (apiKeyState(existing, now) === 'expired' || existing.successorId !== null) {
        throw new AuthError('conflict', { detail: 'this API key was rotated already or has expired' });
      }
      const overlapSeconds = input.overlapSeconds ?? options.overlapSeconds;
      const overlapEndsAt = new Date(now.getTime() + overlapSeconds * 1000);
      const { row, key } = mint({
        ...existing,
        id: uuidv7(now.getTime()),
        predecessorId: existing.id,
        successorId: null,
        overlapEndsAt: null,
        createdBy: userId,
        createdAt: now,
        updatedAt: now,
        lastUsedAt: null,
        // a fresh secret: the old one's leak is not the successor's
        leakReportedAt: null,
      });
      const { previous, successor } = await storage.transaction(async (tx) => {
        const rotated = await tx.apiKeys.beginRotation(tenantId, apiKeyId, {
          successorId: row.id,
          overlapEndsAt,
          at: now,
        });
        if (!rotated) throw new AuthError('conflict', { detail: 'the API key was rotated meanwhile' });
        // the limits as the rotation locked them, not as read before: spends since then count
        const successor: ApiKey = {
          ...row,
          rateLimitPolicies: rotated.rateLimitPolicies,
          creditsRemaining: rotated.creditsRemaining,
          creditRefillAmount: rotated.creditRefillAmount,
          creditRefillInterval: rotated.creditRefillInterval,
          creditsRefilledAt: rotated.creditsRefilledAt,
        };
        await tx.apiKeys.create(successor);
        // the operator's per-key numbers follow the key: a rotation must not un-limit it
        const overrides = (await tx.rateLimitOverrides.listByTenant(tenantId)).filter(
          (override) => override.apiKeyId === apiKeyId,
        );
        for (const override of overrides) {
          await tx.rateLimitOverrides.put({
            ...override,
            id: uuidv7(now.getTime()),
            apiKeyId: successor.id,
            createdAt: now,
            updatedAt: now,
          });
        }
        // at most two keys of a lineage work at once, or each live one would spend its own copy
        // of the credits: rotating a key whose predecessor still overlaps ends that overlap now
        const endedOverlapOf = await endPredecessorOverlap(tx, rotated, now);
        await recordChange(tx, clock, context, {
          tenantId,
          action: 'api_key.rotated',
          target: { type: 'api_key', id: apiKeyId },
          data: {
            successorId: successor.id,
            overlapEndsAt: overlapEndsAt.toISOString(),
            start: successor.start,
            ...(endedOverlapOf ? { endedOverlapOf } : {}),
          },
        });
        return { previous: rotated, successor };
      });
      return { apiKey: summarize(successor, now), key, previous: summarize(previous, now) };
    },

    async revokeApiKey(tenantId, userId, apiKeyId, context = {}) {
      await tenants.requirePermission(tenantId, userId, 'api_key.manage', context);
      await storage.transaction(async (tx) => {
        const now = clock.now();
        if (!(await tx.apiKeys.revoke(tenantId, apiKeyId, now, 'revoked'))) {
          throw new AuthError('not_found', { detail: 'no such API key' });
        }
        // a rotated-out predecessor spends this key's credits during its overlap: it must not
        // outlive the key it hands over to (a revoked successor is usually a compromise response)
        const revoked = await tx.apiKeys.findById(tenantId, apiKeyId);
        const endedOverlapOf = revoked ? await endPredecessorOverlap(tx, revoked, now) : null;
        await recordChange(tx, clock, context, {
          tenantId,
          action: 'api_key.revoked',
          target: { type: 'api_key', id: apiKeyId },
          ...(endedOverlapOf ? { data: { endedOverlapOf } } : {}),
        });
      });
    },

    async setApiKeyLimits(tenantId, apiKeyId, rawInput, context = {}) {
      if (!isId(tenantId) || !isId(apiKeyId)) throw new AuthError('not_found', { detail: 'no such API key' });
      const input = parseInput(setApiKeyLimitsInputSchema, rawInput);
      assertKeyPolicies(input.rateLimitPolicies);
      const now = clock.now();
      const change: ApiKeyLimitsChange = { at: now };
      if (input.rateLimitPolicies !== undefined)
        change.rateLimitPolicies =
          input.rateLimitPolicies === null ? null : [...new Set(input.rateLimitPolicies)];
      if (input.credits !== undefined) change.credits = creditColumns(input.credits, now);
      const updated = await storage.transaction(async (tx) => {
        const key = await tx.apiKeys.updateLimits(tenantId, apiKeyId, change);
        if (!key) throw new AuthError('not_found', { detail: 'no such API key' });
        // the other live key of its rotation shares its count (an overlapping key spends its
        // successor's credits): both get the same limits
        const partner = await overlapPartner(tx, key, now);
        if (partner) await tx.apiKeys.updateLimits(tenantId, partner.id, change);
        await recordChange(tx, clock, context, {
          tenantId,
          action: 'api_key.limits_set',
          target: { type: 'api_key', id: apiKeyId },
          data: {
            ...(input.rateLimitPolicies !== undefined ? { rateLimitPolicies: change.rateLimitPolicies } : {}),
            ...(input.credits !== undefined ? { credits: input.credits } : {}),
            ...(partner ? { alsoSetOn: partner.id } : {}),
          },
        });
        return key;
      });
      return summarize(updated, now);
    },

    async verifyApiKey(presented, verifyOptions = {}) {
      const parsed = typeof presented === 'string' ? parseApiKey(presented, options.prefix) : null;
      if (!parsed || !environments.includes(parsed.environment)) {
        throw new AuthError('api_key_malformed', {
          detail: 'not an API key of this service: check that it was copied whole',
        });
      }
      if (verifyOptions.environment !== undefined && parsed.environment !== verifyOptions.environment) {
        throw new AuthError('api_key_wrong_environment', {
          detail: `a ${parsed.environment} key cannot be used for ${verifyOptions.environment}`,
        });
      }
      const context = verifyOptions.context ?? {};
      const nowMs = clock.now().getTime();
      const hash = hashApiKey(presented, currentPepper);
      let key = cache.get(hash, nowMs);
      if (!key) {
        // before the read a miss costs: one address spraying keys is stopped here; a cached valid
        // key never reaches this, and a server call without an address is not counted
        if (context.ip) noteRateLimit(context, await rateLimiter.consume('apiKeyAuth', `ip:${context.ip}`));
        // one query: the key, and whether its tenant and owner still stand
        const read = await findApiKeyByKey(storage.apiKeys, peppers, presented);
        if (!read) throw new AuthError('api_key_invalid', { detail: 'no such API key' });
        const found = read.key;
        if (found.status === 'revoked')
          throw new AuthError('api_key_revoked', { detail: 'this API key was revoked' });
        if (!read.standing) {
          throw new AuthError('api_key_revoked', {
            detail: 'this API key no longer works: its tenant or owner does not',
          });
        }
        // cached by the current pepper's hash of the presented key, whatever pepper it is stored
        // under, so a hit needs one HMAC and a key of an older pepper is not a lookup every time
        cache.set(hash, found, nowMs);
        key = found;
      }
      const now = new Date(nowMs);
      const state = apiKeyState(key, now);
      if (state === 'revoked') throw new AuthError('api_key_revoked', { detail: 'this API key was revoked' });
      if (state === 'expired') throw new AuthError('api_key_expired', { detail: 'this API key has expired' });
      const principal: VerifiedApiKey['principal'] = {
        type: 'api_key',
        id: key.id,
        permissions: key.permissions,
        environment: key.environment,
        ownerUserId: key.ownerUserId,
        constraints: key.constraints as Condition | null,
      };
      if (verifyOptions.authorize) {
        await assertAllowed(
          verifyOptions.authorize,
          {
            apiKey: summarize(key, now),
            tenantId: key.tenantId,
            environment: key.environment,
            principal,
          },
          context,
        );
      }
      // only a valid, allowed use is counted: a refused one costs its owner nothing
      const rateLimit = await rateLimiter.consume(
        'apiKey',
        `apiKey:${key.id}`,
        { tenant: key.tenantId, ip: context.ip ?? null },
        { policies: key.rateLimitPolicies },
      );
      noteRateLimit(context, rateLimit);
      const creditsRemaining = await spendCredit(key, now, rateLimit);
      uses.record(key.id, now);
      const summary = summarize(key, now);
      // the cached copy's count is only the last known one: show what the database said now
      if (summary.credits && creditsRemaining !== null) summary.credits.remaining = creditsRemaining;
      return {
        apiKey: summary,
        tenantId: key.tenantId,
        environment: key.environment,
        principal,
        rateLimit,
        creditsRemaining,
      };
    },
  };

  /**
   * Spends one credit of a key with a quota (the key's one write per use), refilling it first
   * when a new period began; null for a key without one.
   */
  async function spendCredit(
    key: ApiKey,
    now: Date,
    rateLimit: RateLimitState | null,
  ): Promise<number | null> {
    if (key.creditsRemaining === null) return null;
    const interval = key.creditRefillInterval;
    const periodStart = interval ? creditPeriodStart(interval, now) : now;
    // during a rotation's overlap the count is the successor's: the pair shares it
    const left = await storage.apiKeys.consumeCredits(key.successorId ?? key.id, 1, periodStart, now);
    if (left !== null) return left;
    const untilRefillSeconds =
      interval && key.creditRefillAmount !== null
        ? Math.max(1, Math.ceil((nextCreditPeriodStart(interval, now).getTime() - now.getTime()) / 1000))
        : undefined;
    throw Object.assign(
      new AuthError('api_key_credits_exhausted', {
        detail:
          untilRefillSeconds === undefined
            ? 'this API key has no credits left'
            : `this API key has no credits left until its next refill, in ${untilRefillSeconds} s`,
        ...(untilRefillSeconds === undefined ? {} : { retryAfterSeconds: untilRefillSeconds }),
      }),
      // the key's policies passed: their state still goes in the answer's RateLimit headers
      rateLimit ? { rateLimit } : {},
    );
  }

  /** Refuses (`forbidden`, with the decision's reason) a use the key may not make. */
  async function assertAllowed(
    wanted: ApiKeyAuthorization,
    key: ApiKeyToAuthorize,
    context: CallContext,
  ): Promise<void> {
    const resource = typeof wanted.resource === 'function' ? await wanted.resource(key) : wanted.resource;
    const decision = await authorization.api.authorize({
      principal: key.principal,
      tenantId: key.tenantId,
      action: wanted.action,
      ...(resource ? { resource } : {}),
      ip: context.ip ?? null,
    });
    if (!decision.allowed) {
      throw new AuthError('forbidden', { detail: `not allowed: ${wanted.action}`, reason: decision.reason });
    }
  }

  return { api };
}

/** An id a caller handed in: a non-empty string of an id's length (else it names nothing). */
function isId(value: unknown): value is string {
  return typeof value === 'string' && value.length > 0 && value.length <= 64;
}

/** Adds what a limiter counted to the call, for the HTTP layer's `RateLimit` headers. */
function noteRateLimit(context: CallContext, state: RateLimitState | null): void {
  if (state) (context.rateLimits ??= []).push(state);
}
