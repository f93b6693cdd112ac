import { importJWK } from 'jose';
import { recordChange } from '../audit/index.js';
import type { CallContext } from '../call-context.js';
import { uuidv7 } from '../crypto/uuid.js';
import type { Environments } from '../environments.js';
import { AuthError } from '../errors.js';
import type { Clock } from '../ports/clock.js';
import { type Page, type PageRequest, pageRequest } from '../ports/pagination.js';
import type { Storage } from '../ports/storage.js';
import type { TenantService } from '../tenants/index.js';
import { parseInput } from '../validation.js';
import type { ResolvedClientsOptions } from './client-options.js';
import {
  type CreateClientInput,
  createClientInputSchema,
  type RotateClientSecretInput,
  rotateClientSecretInputSchema,
} from './client-schemas.js';
import { generateClientSecret } from './client-secrets.js';
import { type Client, type ClientSummary, type JsonWebKeyObject, summarizeClient } from './clients.js';

/** A new client, or a client with a new secret: the secret is returned this once, never stored. */
export interface ClientWithSecret {
  client: ClientSummary;
  /** Null for a `private_key_jwt` client, which has no secret. */
  secret: string | null;
}

/** The M2M client operations of `auth.api`. */
export interface ClientsApi {
  /**
   * Registers an M2M client in a tenant and one environment (needs `client.manage`). Its scopes
   * must be configured in `clients.scopes` (`unknown_scope`), its environment in `environments`
   * (default: the first). With `authMethod: 'client_secret'` (the default) the secret is returned
   * this once: only its SHA-256 is stored. A `private_key_jwt` client registers public keys
   * (`jwks`) instead and has no secret. Audited and emitted as `client.created`.
   *
   * @example
   * const { client, secret } = await auth.api.createClient(tenantId, adminId, {
   *   name: 'Billing worker', environment: 'live', scopes: ['invoices:read'] })
   */
  createClient(
    tenantId: string,
    userId: string,
    input: CreateClientInput,
    context?: CallContext,
  ): Promise<ClientWithSecret>;
  /**
   * The tenant's clients (not deleted ones), by id, page by page (needs `client.manage`); never
   * secrets or their hashes. A rotated-out secret still accepted shows as `previousSecret`, with
   * its last use.
   *
   * @example
   * const { items } = await auth.api.listClients(tenantId, adminId)
   */
  listClients(
    tenantId: string,
    userId: string,
    page?: Partial<PageRequest>,
    context?: CallContext,
  ): Promise<Page<ClientSummary>>;
  /**
   * Gives a secret client a new secret (needs `client.manage`), returned this once. The old one
   * stays valid for `overlapSeconds` (default `clients.secretOverlapSeconds`, one day; 0 ends it
   * at once), so deployments can switch over; its last use stays visible in `listClients`. A
   * secret that was already in its overlap is dropped. `not_found` for an unknown, deleted or
   * another tenant's client; `invalid_request` for a `private_key_jwt` client; `conflict` when a
   * concurrent rotation won. Audited and emitted as `client.secret_rotated`.
   *
   * @example
   * const { secret } = await auth.api.rotateClientSecret(tenantId, adminId, clientId, { overlapSeconds: 3600 })
   */
  rotateClientSecret(
    tenantId: string,
    userId: string,
    clientId: string,
    input?: RotateClientSecretInput,
    context?: CallContext,
  ): Promise<ClientWithSecret>;
  /**
   * Deletes a client (needs `client.manage`): it can no longer get tokens, and introspection
   * answers `active: false` for the tokens it holds. `not_found` for an unknown, deleted or
   * another tenant's client. Audited and emitted as `client.deleted`.
   *
   * @example
   * await auth.api.deleteClient(tenantId, adminId, clientId)
   */
  deleteClient(tenantId: string, userId: string, clientId: string, context?: CallContext): Promise<void>;
}

/** The clients domain: its `auth.api` operations. */
export interface ClientService {
  api: ClientsApi;
}

/** What the client service uses. */
export interface ClientServiceDeps {
  storage: Storage;
  clock: Clock;
  tenants: TenantService;
}

export interface ClientServiceOptions {
  clients: ResolvedClientsOptions;
  environments: Environments;
}

export function createClientService(
  { storage, clock, tenants }: ClientServiceDeps,
  { clients: options, environments }: ClientServiceOptions,
): ClientService {
  async function assertUsableKeys(keys: readonly JsonWebKeyObject[]) {
    for (const [index, key] of keys.entries()) {
      try {
        // importable as a public verification key, with its algorithm (or the key type's default)
        await importJWK({ ...key }, (key.alg as string | undefined) ?? defaultAlgorithm(key));
      } catch {
        throw new AuthError('invalid_request', {
          detail: 'jwks: a key could not be read as a public signing key',
          issues: [{ path: `jwks.keys.${index}`, message: 'not a usable public signing key' }],
        });
      }
    }
  }

  const api: ClientsApi = {
    async createClient(tenantId, userId, rawInput, context = {}) {
      const input = parseInput(createClientInputSchema, rawInput);
      // the install's scopes and environments are told only to those who may manage clients
      await tenants.requirePermission(tenantId, userId, 'client.manage', context);
      const environment = input.environment ?? environments[0] ?? 'live';
      if (!environments.includes(environment)) {
        throw new AuthError('invalid_request', {
          detail: `environment must be one of: ${environments.join(', ')}`,
          issues: [{ path: 'environment', message: `must be one of: ${environments.join(', ')}` }],
        });
      }
      const unknown = input.scopes.filter((scope) => !Object.hasOwn(options.scopes, scope));
      if (unknown.length > 0) {
        throw new AuthError('unknown_scope', { detail: `not in clients.scopes: ${unknown.join(', ')}` });
      }
      if (input.jwks) await assertUsableKeys(input.jwks.keys as JsonWebKeyObject[]);
      const now = clock.now();
      const generated = input.authMethod === 'client_secret' ? generateClientSecret() : null;
      const client: Client = {
        id: uuidv7(now.getTime()),
        tenantId,
        environment,
        name: input.name,
        authMethod: input.authMethod,
        secretHash: generated?.secretHash ?? null,
        secretCreatedAt: generated ? now : null,
        secretLastUsedAt: null,
        previousSecretHash: null,
        previousSecretExpiresAt: null,
        previousSecretLastUsedAt: null,
        jwks: (input.jwks?.keys as JsonWebKeyObject[] | undefined) ?? null,
        allowedScopes: [...new Set(input.scopes)],
        status: 'active',
        createdBy: userId,
        createdAt: now,
        updatedAt: now,
        lastUsedAt: null,
      };
      await storage.transaction(async (tx) => {
        await tx.clients.create(client);
        await recordChange(tx, clock, context, {
          tenantId,
          action: 'client.created',
          target: { type: 'client', id: client.id },
          data: {
            name: client.name,
            environment,
            authMethod: client.authMethod,
            scopes: client.allowedScopes,
          },
        });
      });
      return { client: summarizeClient(client, now), secret: generated?.secret ?? null };
    },

    async listClients(tenantId, userId, page, context = {}) {
      await tenants.requirePermission(tenantId, userId, 'client.manage', context);
      const found = await storage.clients.listByTenant(tenantId, pageRequest(page));
      const now = clock.now();
      return { items: found.items.map((c) => summarizeClient(c, now)), nextCursor: found.nextCursor };
    },

    async rotateClientSecret(tenantId, userId, clientId, rawInput = {}, context = {}) {
      const input = parseInput(rotateClientSecretInputSchema, rawInput);
      await tenants.requirePermission(tenantId, userId, 'client.manage', context);
      const existing = await storage.clients.findById(clientId);
      if (!existing || existing.tenantId !== tenantId || existing.status !== 'active') {
        throw new AuthError('not_found', { detail: 'no such client' });
      }
      if (existing.secretHash === null) {
        throw new AuthError('invalid_request', {
          detail: 'a private_key_jwt client has no secret to rotate',
        });
      }
      const now = clock.now();
      const overlapSeconds = input.overlapSeconds ?? options.secretOverlapSeconds;
      const previousSecretExpiresAt = new Date(now.getTime() + overlapSeconds * 1000);
      const { secret, secretHash } = generateClientSecret();
      const rotated = await storage.transaction(async (tx) => {
        const client = await tx.clients.rotateSecret(tenantId, clientId, {
          expectedSecretHash: existing.secretHash ?? '',
          secretHash,
          previousSecretExpiresAt,
          at: now,
        });
        if (!client) throw new AuthError('conflict', { detail: 'the secret was rotated meanwhile' });
        await recordChange(tx, clock, context, {
          tenantId,
          action: 'client.secret_rotated',
          target: { type: 'client', id: clientId },
          data: { previousSecretExpiresAt: previousSecretExpiresAt.toISOString() },
        });
        return client;
      });
      return { client: summarizeClient(rotated, now), secret };
    },

    async deleteClient(tenantId, userId, clientId, context = {}) {
      await tenants.requirePermission(tenantId, userId, 'client.manage', context);
      await storage.transaction(async (tx) => {
        if (!(await tx.clients.delete(tenantId, clientId, clock.now()))) {
          throw new AuthError('not_found', { detail: 'no such client' });
        }
        await recordChange(tx, clock, context, {
          tenantId,
          action: 'client.deleted',
          target: { type: 'client', id: clientId },
        });
      });
    },
  };

  return { api };
}

/** The algorithm a JWK without `alg` is checked with: its key type's usual one. */
export function defaultAlgorithm(key: JsonWebKeyObject): string {
  if (key.kty === 'OKP') return 'EdDSA';
  if (key.kty === 'RSA') return 'RS256';
  return key.crv === 'P-384' ? 'ES384' : key.crv === 'P-521' ? 'ES512' : 'ES256';
}
