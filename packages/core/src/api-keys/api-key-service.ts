import { recordChange } from '../audit/index.js';
import {
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
  type UpdateApiKeyLimitsInput,
  updateApiKeyLimitsInputSchema,
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

/** How a key is verified. */
export interface VerifyApiKeyOptions {
  /**
   * The environment the request is for (e.g. `live`): a key of another one is refused
   * (`api_key_wrong_environment`), offline, from its prefix. Default: any configured one.
   */
  environment?: string;
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
   * CIDR). `rateLimitPolicies` names the policies (of `rateLimit.policies`, covering operation
   * `apiKey`) that count it instead of every such policy (an unknown name is `invalid_request`);
   * `credits` gives it a quota, optionally refilled each UTC day, week or month. The key is
   * returned this once: only its HMAC is stored. Audited and emitted as `api_key.created`.
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
   * constraints, expiry, rate-limit policies and credits (the count left now, and the refill) is returned with its key (shown once); the old key keeps working for
   * `overlapSeconds` (default `apiKeys.overlapSeconds`; 0 ends it at once), and its last use stays
   * visible so you can tell when it went quiet. Revoking the old key ends the overlap now. Of
   * concurrent rotations of one key exactly one succeeds (`conflict` for the others, as for a key
   * rotated already); `not_found` for an unknown, revoked or another tenant's key. Audited and
   * emitted as `api_key.rotated`.
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
   * now. `not_found` for an unknown, already revoked or another tenant's key. Audited and emitted
   * as `api_key.revoked`.
   *
   * @example
   * await auth.api.revokeApiKey(tenantId, userId, apiKeyId)
   */
  revokeApiKey(tenantId: string, userId: string, apiKeyId: string, context?: CallContext): Promise<void>;
  /**
   * Replaces the limits of a key (needs `api_key.manage`): its named rate-limit policies (null:
   * back to every policy covering `apiKey`) and its credits (replaced whole: the count starts at
   * `remaining`; null: no quota). Fields left out stay. `not_found` for an unknown, revoked or
   * another tenant's key; `invalid_request` for a policy name that is not configured for
   * `apiKey`. The key's cached copies are evicted on every instance. Audited and emitted as
   * `api_key.updated`.
   *
   * @example
   * await auth.api.updateApiKeyLimits(tenantId, userId, apiKeyId, {
   *   rateLimitPolicies: ['partner'], credits: { remaining: 1000, refill: { amount: 1000, interval: 'month' } } })
   */
  updateApiKeyLimits(
    tenantId: string,
    userId: string,
    apiKeyId: string,
    input: UpdateApiKeyLimitsInput,
    context?: CallContext,
  ): Promise<ApiKeySummary>;
  /**
   * Verifies a presented key (from `x-api-key` or `Authorization: Bearer`). Checked offline
   * first: format, this install's prefix and the checksum (`api_key_malformed`), then the
   * environment (`api_key_wrong_environment`); then by its keyed hash (`api_key_invalid` when no
   * key has it), its state (`api_key_revoked`, `api_key_expired`), its tenant (active) and, for a
   * user's key, its owner (active and still a member). Verified keys are cached in memory for
   * `apiKeys.cacheTtlSeconds`. A verification the cache cannot answer is first counted by the
   * `apiKeyLookup` policy per client address (when `context.ip` is given). Then a valid key is
   * counted by its rate-limit policies (`rate_limited`, 429) and, when it has a quota, spends one
   * credit (`api_key_credits_exhausted`, 429, with `retryAfterSeconds` until the next refill):
   * that one conditional UPDATE is the only write a verification ever makes, and only for a key
   * with credits. The last use is noted in memory and written in batches. A failed verification
   * (malformed, unknown, revoked, expired, wrong environment) consumes neither the key's policies
   * nor its credits and writes nothing.
   *
   * @example
   * const { tenantId, principal } = await auth.api.verifyApiKey(request.headers.get('x-api-key') ?? '', { environment: 'live' })
   * const { allowed } = await auth.api.authorize({ principal, tenantId, action: 'invoice.read' })
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
  { storage, clock, tenants, cache, uses, rateLimiter }: ApiKeyServiceDeps,
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
    credits: CreateApiKeyInput['credits'] | null | undefined,
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
      assertKeyPolicies(input.rateLimitPolicies);
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
      const credits = creditColumns(input.credits, now);
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
        rateLimitPolicies: input.rateLimitPolicies ? [...new Set(input.rateLimitPolicies)] : null,
        creditsRemaining: credits?.remaining ?? null,
        creditRefillAmount: credits?.refillAmount ?? null,
        creditRefillInterval: credits?.refillInterval ?? null,
        creditsRefilledAt: credits?.setAt ?? null,
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
            ...(row.rateLimitPolicies ? { rateLimitPolicies: row.rateLimitPolicies } : {}),
            ...(input.credits ? { credits: input.credits } : {}),
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
      const previous = await storage.transaction(async (tx) => {
        const rotated = await tx.apiKeys.beginRotation(tenantId, apiKeyId, {
          successorId: row.id,
          overlapEndsAt,
          at: now,
        });
        if (!rotated) throw new AuthError('conflict', { detail: 'the API key was rotated meanwhile' });
        await tx.apiKeys.create(row);
        await recordChange(tx, clock, context, {
          tenantId,
          action: 'api_key.rotated',
          target: { type: 'api_key', id: apiKeyId },
          data: { successorId: row.id, overlapEndsAt: overlapEndsAt.toISOString(), start: row.start },
        });
        return rotated;
      });
      return { apiKey: summarize(row, now), key, previous: summarize(previous, now) };
    },

    async revokeApiKey(tenantId, userId, apiKeyId, context = {}) {
      await tenants.requirePermission(tenantId, userId, 'api_key.manage', context);
      await storage.transaction(async (tx) => {
        if (!(await tx.apiKeys.revoke(tenantId, apiKeyId, clock.now(), 'revoked'))) {
          throw new AuthError('not_found', { detail: 'no such API key' });
        }
        await recordChange(tx, clock, context, {
          tenantId,
          action: 'api_key.revoked',
          target: { type: 'api_key', id: apiKeyId },
        });
      });
    },

    async updateApiKeyLimits(tenantId, userId, apiKeyId, rawInput, context = {}) {
      const input = parseInput(updateApiKeyLimitsInputSchema, rawInput);
      await tenants.requirePermission(tenantId, userId, 'api_key.manage', context);
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
        await recordChange(tx, clock, context, {
          tenantId,
          action: 'api_key.updated',
          target: { type: 'api_key', id: apiKeyId },
          data: {
            ...(input.rateLimitPolicies !== undefined ? { rateLimitPolicies: change.rateLimitPolicies } : {}),
            ...(input.credits !== undefined ? { credits: input.credits } : {}),
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
        // cached by the hash it was presented under (the current pepper's), so a hit needs one HMAC
        if (found.pepperVersion === currentPepper.version) cache.set(hash, found, nowMs);
        key = found;
      }
      const now = new Date(nowMs);
      const state = apiKeyState(key, now);
      if (state === 'revoked') throw new AuthError('api_key_revoked', { detail: 'this API key was revoked' });
      if (state === 'expired') throw new AuthError('api_key_expired', { detail: 'this API key has expired' });
      // only a valid key is counted: a refused one costs its owner nothing
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
        principal: {
          type: 'api_key',
          id: key.id,
          permissions: key.permissions,
          environment: key.environment,
          ownerUserId: key.ownerUserId,
          constraints: key.constraints as Condition | null,
        },
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
    const left = await storage.apiKeys.consumeCredits(key.id, 1, periodStart, now);
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

  return { api };
}

/** Adds what a limiter counted to the call, for the HTTP layer's `RateLimit` headers. */
function noteRateLimit(context: CallContext, state: RateLimitState | null): void {
  if (state) (context.rateLimits ??= []).push(state);
}
