import type { z } from 'zod';
import type { ResolvedApiKeysOptions } from '../api-keys/index.js';
import {
  type PermissionCatalog,
  type PolicyDefinition,
  type ResolvedAuthorizationOptions,
  type RoleTemplate,
  resolveAuthorizationOptions,
} from '../authorization/index.js';
import type { ClientAddressRule } from '../client-address.js';
import type { ResolvedClientsOptions } from '../clients/index.js';
import { type ResolvedOAuthOptions, resolveOAuthOptions } from '../credentials/oauth/index.js';
import { type ResolvedPasskeysOptions, resolvePasskeysOptions } from '../credentials/passkeys/index.js';
import type { ResolvedPasswordOptions } from '../credentials/passwords/index.js';
import { type ResolvedTotpOptions, resolveTotpOptions } from '../credentials/totp/index.js';
import { type ResolvedEmailLinksOptions, resolveEmailLinksOptions } from '../email-links/index.js';
import { AuthError } from '../errors.js';
import { type ResolvedInvitationsOptions, resolveInvitationsOptions } from '../invitations/index.js';
import type { ResolvedOutboxOptions } from '../outbox/index.js';
import type { ResolvedLockoutOptions, ResolvedRateLimitOptions } from '../rate-limit/index.js';
import {
  type ResolvedSecretScanningOptions,
  resolveSecretScanningOptions,
} from '../secret-scanning/index.js';
import { type ResolvedSessionOptions, resolveSessionOptions } from '../sessions/index.js';
import { type ResolvedTenantsOptions, resolveTenantsOptions, TENANT_PERMISSIONS } from '../tenants/index.js';
import {
  type ResolvedRefreshTokensOptions,
  type ResolvedTokenOptions,
  resolveTokenOptions,
  TOKEN_EXCHANGE_PERMISSIONS,
  TOKEN_EXCHANGE_RESOURCE_TYPE,
} from '../tokens/index.js';
import type { ResolvedSignupOptions } from '../users/index.js';
import { type AuthConfig, authConfigSchema } from './auth-config.js';

/** The config after defaults, as the domains see it: each domain's resolved slice. */
export interface ResolvedConfig extends ResolvedInstanceOptions {
  session: ResolvedSessionOptions;
  password: ResolvedPasswordOptions;
  signup: ResolvedSignupOptions;
  tenants: ResolvedTenantsOptions;
  invitations: ResolvedInvitationsOptions;
  emailLinks: ResolvedEmailLinksOptions;
  passkeys: ResolvedPasskeysOptions;
  totp: ResolvedTotpOptions;
  oauth: ResolvedOAuthOptions;
  rateLimit: ResolvedRateLimitOptions;
  lockout: ResolvedLockoutOptions;
  outbox: ResolvedOutboxOptions;
  authorization: ResolvedAuthorizationOptions;
  clients: ResolvedClientsOptions;
  apiKeys: ResolvedApiKeysOptions;
  secretScanning: ResolvedSecretScanningOptions;
  tokens: ResolvedTokenOptions;
  refreshTokens: ResolvedRefreshTokensOptions;
}

/** The options that belong to no domain, resolved. */
type ResolvedInstanceOptions = ReturnType<typeof resolveInstanceOptions>;

/**
 * Validates the config once, at `createAuth()`: a bad config fails at start, not at first login.
 * Each domain resolves its own slice; what one slice's defaults take from another, and the rules
 * across slices, are here.
 */
export function resolveConfig(config: AuthConfig): ResolvedConfig {
  const parsed = authConfigSchema.safeParse(config);
  if (!parsed.success) {
    const issues = parsed.error.issues.map((i) => ({
      path: i.path.join('.') || '(config)',
      message: i.message,
    }));
    throw new AuthError('config_invalid', {
      detail: issues.map((i) => `${i.path} ${i.message}`).join('; '),
      issues,
    });
  }
  const options = parsed.data;
  const tenants = resolveTenantsOptions(options.tenants);
  const authorization = resolveAuthorizationOptions(options.authorization, {
    builtInPermissions: [...TENANT_PERMISSIONS, ...TOKEN_EXCHANGE_PERMISSIONS],
    builtInResourceTypes: [TOKEN_EXCHANGE_RESOURCE_TYPE],
  });
  assertCatalogCovers(authorization.permissions, tenants.defaultRoles, authorization.policies);
  assertScopesInCatalog(authorization.permissions, options.clients.scopes);
  assertClientAddressKnown(options);
  const instance = resolveInstanceOptions(options);
  const { baseURL } = instance;
  const emailLinks = resolveEmailLinksOptions(options.emailLinks, { baseURL });
  return {
    ...instance,
    // a shared key-value store is what lets every instance see a revocation
    session: resolveSessionOptions(options.session, { cacheEnabled: options.keyValue !== undefined }),
    password: options.password,
    signup: options.signup,
    tenants,
    invitations: resolveInvitationsOptions(options.invitations, { baseURL }),
    emailLinks,
    passkeys: resolvePasskeysOptions(options.passkeys, { baseURL, rpName: emailLinks.appName }),
    totp: resolveTotpOptions(options.totp, { appName: options.emailLinks.appName, baseURL }),
    oauth: resolveOAuthOptions(options.oauth, { redirectAllowlist: emailLinks.redirectAllowlist }),
    rateLimit: options.rateLimit,
    lockout: options.lockout,
    outbox: options.outbox,
    authorization,
    clients: options.clients,
    apiKeys: options.apiKeys,
    secretScanning: resolveSecretScanningOptions(options.secretScanning),
    tokens: resolveTokenOptions(options.tokens, {
      baseURL,
      basePath: instance.basePath,
      secret: instance.secret,
    }),
    refreshTokens: options.refreshTokens,
  };
}

/**
 * In production an app that limits by IP must say how the IP is found: behind a proxy the socket
 * address is the proxy's, and every client would share one bucket (or, trusting a header that
 * no proxy wrote, pick its own). `trustProxy: false` is the written-out answer for an app that
 * faces the Internet directly. The one environment read of the library, for this guard only.
 */
function assertClientAddressKnown(options: z.output<typeof authConfigSchema>) {
  const production = (globalThis as { process?: { env?: Record<string, string | undefined> } }).process?.env
    ?.NODE_ENV;
  if (production !== 'production' || options.trustProxy !== undefined || !options.rateLimit.enabled) return;
  throw new AuthError('config_invalid', {
    detail:
      'trustProxy must be set in production while rate limits count by IP: false when clients connect directly, else your proxies (true, a hop count, or their CIDRs)',
    issues: [
      { path: 'trustProxy', message: 'must be set in production (false when clients connect directly)' },
    ],
  });
}

function resolveInstanceOptions(options: z.output<typeof authConfigSchema>) {
  const baseURL = new URL(options.baseURL);
  const trustedOrigins: ReadonlySet<string> = new Set([
    baseURL.origin,
    ...options.trustedOrigins.map((o) => new URL(o).origin),
  ]);
  return {
    secret: options.secret,
    baseURL,
    basePath: options.basePath.replace(/\/+$/, '') || '/',
    trustedOrigins,
    /** How the client address is found: the socket's, or a trusted proxy's forwarding header. */
    clientAddress: {
      hops: options.trustProxy === true ? 1 : typeof options.trustProxy === 'number' ? options.trustProxy : 0,
      trustedProxies: Array.isArray(options.trustProxy) ? options.trustProxy : [],
      header: options.proxyHeader,
    } satisfies ClientAddressRule as ClientAddressRule,
    secureCookies: baseURL.protocol === 'https:',
    storageTimeoutMs: options.storageTimeoutMs,
    redactLogFields: options.redactLogFields as readonly string[],
    /** The environments of machine credentials; the first is the default. */
    environments: options.environments as readonly string[],
  };
}

/** Default roles and code-defined policies must stay inside the permission catalog. */
function assertCatalogCovers(
  catalog: PermissionCatalog,
  defaultRoles: RoleTemplate[],
  policies: PolicyDefinition[],
): void {
  const problems = [
    ...defaultRoles.flatMap((role, r) =>
      role.permissions.map((p, i) => [`tenants.defaultRoles.${r}.permissions.${i}`, catalog.findProblem(p)]),
    ),
    ...policies.flatMap((policy, p) => [
      ...policy.actions.map((a, i) => [`authorization.policies.${p}.actions.${i}`, catalog.findProblem(a)]),
      [`authorization.policies.${p}.resource`, catalog.findResourceProblem(policy.resource)],
    ]),
  ].filter((entry): entry is [string, string] => entry[1] !== undefined);
  if (problems.length > 0) {
    throw new AuthError('config_invalid', {
      detail: `not in authorization.permissions: ${problems.map(([path, message]) => `${path} ${message}`).join('; ')}`,
      issues: problems.map(([path, message]) => ({ path, message })),
    });
  }
}

/** The permissions a scope grants must be in the catalog, as roles' are. */
function assertScopesInCatalog(catalog: PermissionCatalog, scopes: Record<string, string[]>): void {
  const problems = Object.entries(scopes).flatMap(([scope, permissions]) =>
    permissions.flatMap((p, i) => {
      const problem = catalog.findProblem(p);
      return problem === undefined ? [] : [{ path: `clients.scopes.${scope}.${i}`, message: problem }];
    }),
  );
  if (problems.length > 0) {
    throw new AuthError('config_invalid', {
      detail: `not in authorization.permissions: ${problems.map((p) => `${p.path} ${p.message}`).join('; ')}`,
      issues: problems,
    });
  }
}
