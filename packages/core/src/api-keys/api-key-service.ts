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
} from './api-key-schemas.js';
import type { ApiKeyUses } from './api-key-uses.js';
import { type ApiKey, type ApiKeySummary, apiKeyState, summarizeApiKey } from './api-keys.js';
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
}

/** How a key is verified. */
export interface VerifyApiKeyOptions {
  /**
   * The environment the request is for (e.g. `live`): a key of another one is refused
   * (`api_key_wrong_environment`), offline, from its prefix. Default: any configured one.
   */
  environment?: string;
  /** The request's address and id (for the caller's own authorization and audit). */
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
   * CIDR). The key is returned this once: only its HMAC is stored. Audited and emitted as
   * `api_key.created`.
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
   * constraints and expiry is returned with its key (shown once); the old key keeps working for
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
   * Verifies a presented key (from `x-api-key` or `Authorization: Bearer`). Checked offline
   * first: format, this install's prefix and the checksum (`api_key_malformed`), then the
   * environment (`api_key_wrong_environment`); then by its keyed hash (`api_key_invalid` when no
   * key has it), its state (`api_key_revoked`, `api_key_expired`), its tenant (active) and, for a
   * user's key, its owner (active and still a member). Verified keys are cached in memory for
   * `apiKeys.cacheTtlSeconds`; nothing is written per verification (the last use is noted in
   * memory and written in batches), and a failed one writes nothing at all.
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
}

export interface ApiKeyServiceOptions {
  apiKeys: ResolvedApiKeysOptions;
  environments: Environments;
  /** Newest first (see `resolvePeppers`). */
  peppers: readonly ApiKeyPepper[];
  catalog: PermissionCatalog;
}

export function createApiKeyService(
  { storage, clock, tenants, cache, uses }: ApiKeyServiceDeps,
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

  /** This instance's unwritten last use, when newer than the stored one. */
  function summarize(key: ApiKey, now: Date): ApiKeySummary {
    const summary = summarizeApiKey(key, now);
    const pending = uses.pending(key.id);
    if (pending && (summary.lastUsedAt === null || pending.getTime() > summary.lastUsedAt.getTime())) {
      summary.lastUsedAt = pending;
    }
    return summary;
  }

  /** Whether a key read from the database may be served: its tenant and owner stand. */
  async function standing(key: ApiKey): Promise<boolean> {
    const tenant = await storage.tenants.findById(key.tenantId);
    if (tenant?.status !== 'active') return false;
    if (key.ownerUserId === null) return true;
    const [owner, membership] = await Promise.all([
      storage.users.findById(key.ownerUserId),
      storage.memberships.find(key.tenantId, key.ownerUserId),
    ]);
    return owner?.status === 'active' && membership !== null;
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
        rateLimitPolicies: null,
        creditsRemaining: null,
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
      const nowMs = clock.now().getTime();
      const hash = hashApiKey(presented, currentPepper);
      let key = cache.get(hash, nowMs);
      if (!key) {
        const found = await findApiKeyByKey(storage.apiKeys, peppers, presented);
        if (!found) throw new AuthError('api_key_invalid', { detail: 'no such API key' });
        if (found.status === 'revoked')
          throw new AuthError('api_key_revoked', { detail: 'this API key was revoked' });
        if (!(await standing(found))) {
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
      uses.record(key.id, now);
      return {
        apiKey: summarize(key, now),
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
      };
    },
  };

  return { api };
}
