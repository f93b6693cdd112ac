import { z } from 'zod';
import {
  createPermissionCatalog,
  type PermissionCatalog,
  type PermissionCatalogConfig,
  permissionCatalogConfigSchema,
} from './authorization/permission-catalog.js';
import type { PolicyDefinition } from './authorization/policy.js';
import { actionPatternSchema, policyDefinitionSchema } from './authorization/policy-schema.js';
import type { RoleTemplate } from './authorization/roles.js';
import type { OAuthProvider } from './credentials/oauth/oauth-providers.js';
import { MAX_PASSKEY_TIMEOUT_SECONDS } from './credentials/passkeys/passkeys.js';
import {
  type Argon2Params,
  DEFAULT_MAX_PASSWORD_LENGTH,
  DEFAULT_MIN_PASSWORD_LENGTH,
  MIN_ARGON2_PARAMS,
} from './credentials/passwords/index.js';
import {
  DEFAULT_EMAIL_VERIFICATION_TTL_SECONDS,
  MAX_MAGIC_LINK_TTL_SECONDS,
  MAX_PASSWORD_RESET_TTL_SECONDS,
} from './email-links/email-link-schemas.js';
import { redirectEntryProblem } from './email-links/redirect-allowlist.js';
import { AuthError } from './errors.js';
import type { OutboxSubscriber } from './outbox/outbox-dispatcher.js';
import type { Clock } from './ports/clock.js';
import type { KeyValue } from './ports/key-value.js';
import type { Logger } from './ports/logger.js';
import type { Mailer } from './ports/mailer.js';
import type { Storage } from './ports/storage.js';
import type { RateLimitRule, RateLimitRuleName } from './rate-limit/rate-limiter.js';
import { DEFAULT_ROLES, TENANT_PERMISSIONS } from './tenants/default-roles.js';

/**
 * Everything `createAuth()` accepts. Only `storage`, `secret` and `baseURL` are required.
 *
 * @example
 * createAuth({
 *   storage: kyselyStorage(db),
 *   secret: process.env.AUTH_SECRET!, // ≥ 32 characters of randomness
 *   baseURL: 'https://app.example.com',
 * })
 */
export interface AuthConfig {
  /** Where Portcullis keeps its data: `kyselyStorage(db)`, `memoryStorage()`, ... */
  storage: Storage;
  /** Rate limits, counters and caches. Default: in-process memory (one instance only). */
  keyValue?: KeyValue;
  /** Server secret, at least 32 characters. Keys for encryption at rest are derived from it. */
  secret: string;
  /** The app's public origin (and optional path), e.g. `https://app.example.com`. */
  baseURL: string;
  /** Where the handler is mounted. Default `/auth`. */
  basePath?: string;
  /** Other origins allowed to send cookie-authenticated unsafe requests (CSRF check). */
  trustedOrigins?: string[];
  /**
   * Behind proxies you control, read the client IP from `X-Forwarded-For`: `true` trusts one
   * proxy (the right-most entry, the one your proxy appended), a number trusts that many hops.
   * Entries further left are written by the client and are never used. Default false.
   */
  trustProxy?: boolean | number;
  session?: {
    /** Hard session lifetime. Default 30 days. */
    absoluteTtlSeconds?: number;
    /** A session unused this long expires. Default 7 days. */
    idleTtlSeconds?: number;
    /** Write `lastSeenAt` at most this often per session. Default 60 s. */
    touchIntervalSeconds?: number;
    /** Cookie name; `__Host-` is prefixed automatically on https. Default `portcullis.session`. */
    cookieName?: string;
    /**
     * Cache validated sessions in process and in the key-value store. On by default when a
     * `keyValue` store is configured (it must be shared by every instance, e.g. Redis); off
     * otherwise. Revocations reach every instance within `l1TtlMs` even if a message is lost.
     */
    cache?: {
      enabled?: boolean;
      /** Serve from process memory without asking the store for this long. Default 500 ms. */
      l1TtlMs?: number;
      /** Default 10,000 sessions. */
      l1MaxEntries?: number;
      /** Default 300 s. */
      l2TtlSeconds?: number;
    };
  };
  password?: {
    /** Default 15 (NIST 800-63B-4 single factor); not below 8. */
    minLength?: number;
    /** Default 128; not below 64. */
    maxLength?: number;
    /** argon2id cost; never weaker than m=19456 KiB, t=2, p=1. */
    argon2?: Partial<Argon2Params>;
    /** An extra blocklist check, e.g. against a breached-password corpus. */
    isBlocked?: (password: string) => boolean | Promise<boolean>;
  };
  signup?: {
    /** Default true. */
    enabled?: boolean;
    /**
     * What a sign-up with a taken email answers: `conflict` (409 `email_taken`, the default) or
     * `notify` (202 for every sign-up, new or not, and the owner of the email is told by mail).
     */
    onEmailTaken?: 'conflict' | 'notify';
  };
  tenants?: {
    /** Roles provisioned into every new tenant. Default owner/admin/member/viewer. */
    defaultRoles?: RoleTemplate[];
    /** Role given to a tenant's creator. Default `owner`. */
    creatorRole?: string;
    /**
     * Role given to users who sign up into an isolated-pool tenant. Default `viewer`, which cannot
     * list the other members (anyone who knows the slug can sign up).
     */
    isolatedSignupRole?: string;
  };
  invitations?: {
    /**
     * The app's page that accepts an invitation: invitation mails link to it with the token as the
     * `token` query parameter; the page posts it to `POST /invitations/accept` (signed in) or to
     * `POST /signup` as `invitationToken`. Default `<baseURL>/accept-invitation`.
     */
    acceptUrl?: string;
  };
  emailLinks?: {
    /** The app's name in mail subjects and greetings. Default the host of `baseURL`. */
    appName?: string;
    /**
     * The app's pages that emailed links open, with the token as the `token` query parameter.
     * Each page must POST the token (`POST /email/verify`, `POST /password/reset`,
     * `POST /magic-link/verify`) on a user action or script, never use it on GET, so that mail
     * scanners following links use nothing. Defaults `<baseURL>/verify-email`,
     * `<baseURL>/reset-password`, `<baseURL>/magic-link`.
     */
    verifyEmailUrl?: string;
    resetPasswordUrl?: string;
    magicLinkUrl?: string;
    /**
     * The only `redirectTo` values a magic link accepts, compared exactly (no parsing): absolute
     * http(s) URLs or paths starting with one `/`. Default none.
     */
    redirectAllowlist?: string[];
    /** Default 86400 (a day). */
    emailVerificationTtlSeconds?: number;
    /** Default and maximum 3600. */
    passwordResetTtlSeconds?: number;
    /** Default and maximum 600. */
    magicLinkTtlSeconds?: number;
  };
  /**
   * Passkeys (WebAuthn). The relying party is the site a passkey is bound to: browsers only use
   * a passkey on origins whose host is `rpID` or a subdomain of it.
   *
   * @example
   * passkeys: { rpID: 'example.com', rpName: 'Example', origins: ['https://app.example.com'] }
   */
  passkeys?: {
    /** The relying party id: a registrable domain. Default the hostname of `baseURL`. */
    rpID?: string;
    /** The name authenticators show. Default `emailLinks.appName` (the host of `baseURL`). */
    rpName?: string;
    /**
     * The page origins allowed to create and use passkeys (exact `scheme://host[:port]`), each
     * on `rpID` or a subdomain of it. Default the origin of `baseURL`.
     */
    origins?: string[];
    /**
     * Whether the authenticator must verify the user (PIN, biometrics). `required`: responses
     * without the UV flag are refused. Default `preferred`.
     */
    userVerification?: 'required' | 'preferred' | 'discouraged';
    /** How long a ceremony may take, and its challenge lives. Default and maximum 300. */
    timeoutSeconds?: number;
  };
  /**
   * Social and OIDC login (`GET /oauth/:provider`). Providers come from the factories
   * `oidcProvider`, `googleProvider`, `microsoftProvider` and `githubProvider`.
   *
   * @example
   * oauth: {
   *   providers: { google: googleProvider({ clientId, clientSecret }) },
   *   linking: { mode: 'verified-email', trustedProviders: ['google'] },
   * }
   */
  oauth?: {
    /**
     * Provider id (in the URL: `/oauth/<id>`, lowercase letters, digits, `-`, `_`) → provider.
     * Each provider's redirect URI is `<baseURL origin><basePath>/oauth/<id>/callback`.
     */
    providers: Record<string, OAuthProvider>;
    /**
     * When a provider account is new but a user with its email exists. `never` (default): the
     * sign-in is refused (`oauth_account_not_linked`); the user signs in and links the provider
     * explicitly. `verified-email`: it is linked when the provider vouches for the email, the
     * provider is in `trustedProviders` (default: every configured provider) and the existing
     * user's email is verified too (so an account pre-registered by someone else is never taken over).
     */
    linking?: { mode?: 'verified-email' | 'never'; trustedProviders?: string[] };
    /**
     * The only `redirectTo` values the flow accepts, compared exactly. Default
     * `emailLinks.redirectAllowlist`. Without `redirectTo` the browser lands on `/`.
     */
    redirectAllowlist?: string[];
    /** How long a started sign-in may take. Default and maximum 600. */
    stateTtlSeconds?: number;
  };
  rateLimit?: {
    /** Default true. Turn off only in tests. */
    enabled?: boolean;
    rules?: Partial<Record<RateLimitRuleName, RateLimitRule>>;
  };
  lockout?: {
    /** Consecutive failures per account before delays start. Default 5. */
    freeAttempts?: number;
    /** Consecutive failures after which the account is locked until reset. Default 100. */
    maxFailures?: number;
  };
  outbox?: {
    /** Receivers of outbox events, delivered at least once. */
    subscribers?: OutboxSubscriber[];
    /** Poll for due events this often. Default 1000 ms. */
    pollIntervalMs?: number;
    /** Attempts before an event is dead-lettered. Default 10. */
    maxAttempts?: number;
    /** Start the in-process dispatcher with createAuth. Default true. */
    autoStart?: boolean;
  };
  authorization?: {
    /**
     * Code-defined policies that apply in every tenant (besides each tenant's stored ones),
     * e.g. a global deny outside office hours. Validated at start.
     */
    policies?: Array<Omit<PolicyDefinition, 'tenantId'>>;
    /** Compiled tenant authorizers kept per instance. Default 1000. */
    cacheSize?: number;
    /** Memberships kept per instance for decisions without I/O. Default 10,000. */
    membershipCacheSize?: number;
    /**
     * How long a cached authorizer or membership is used before one read confirms it; bounds how
     * late another instance sees a change if its invalidation message is lost. Default 500 ms.
     */
    revalidateAfterMs?: number;
    /**
     * The permission catalog: every resource of the app and its actions. When set, role
     * permissions (default roles here, custom roles through the API), policy actions and
     * resources, and `authorize` actions must name known permissions (`unknown_permission`
     * otherwise; `config_invalid` at start for default roles and the policies above). The
     * built-in tenant permissions (`member.read`, `policy.manage`, …) are always included.
     * Unset: any well-formed permission is accepted. Served at `GET /permissions`.
     *
     * @example
     * permissions: { document: ['read', 'create', 'update', 'delete'], report: ['export'] }
     */
    permissions?: PermissionCatalogConfig;
  };
  mailer?: Mailer;
  clock?: Clock;
  logger?: Logger;
  /** Answer `storage_unavailable` when a storage call takes longer. Default 10000 ms. */
  storageTimeoutMs?: number;
}

/** The config after defaults, as the domains see it. */
export interface ResolvedConfig {
  secret: string;
  baseURL: URL;
  basePath: string;
  trustedOrigins: ReadonlySet<string>;
  /** Proxy hops to trust in `X-Forwarded-For`; 0 = use the socket address. */
  trustProxyHops: number;
  secureCookies: boolean;
  session: {
    absoluteTtlSeconds: number;
    idleTtlSeconds: number;
    touchIntervalSeconds: number;
    cookieName: string;
    cache: { enabled: boolean; l1TtlMs: number; l1MaxEntries: number; l2TtlSeconds: number };
  };
  password: {
    minLength: number;
    maxLength: number;
    argon2: Argon2Params;
    isBlocked: ((password: string) => boolean | Promise<boolean>) | undefined;
  };
  signup: { enabled: boolean; onEmailTaken: 'conflict' | 'notify' };
  tenants: { defaultRoles: RoleTemplate[]; creatorRole: string; isolatedSignupRole: string };
  invitations: { acceptUrl: URL };
  emailLinks: {
    appName: string;
    verifyEmailUrl: URL;
    resetPasswordUrl: URL;
    magicLinkUrl: URL;
    redirectAllowlist: readonly string[];
    emailVerificationTtlSeconds: number;
    passwordResetTtlSeconds: number;
    magicLinkTtlSeconds: number;
  };
  passkeys: {
    rpID: string;
    rpName: string;
    origins: string[];
    userVerification: 'required' | 'preferred' | 'discouraged';
    timeoutSeconds: number;
  };
  oauth: {
    providers: Readonly<Record<string, OAuthProvider>>;
    linking: { mode: 'verified-email' | 'never'; trustedProviders: readonly string[] };
    redirectAllowlist: readonly string[];
    stateTtlSeconds: number;
  };
  rateLimit: { enabled: boolean; rules: Partial<Record<RateLimitRuleName, RateLimitRule>> };
  lockout: { freeAttempts: number; maxFailures: number };
  outbox: {
    subscribers: OutboxSubscriber[];
    pollIntervalMs: number;
    maxAttempts: number;
    autoStart: boolean;
  };
  authorization: {
    policies: PolicyDefinition[];
    cacheSize: number;
    membershipCacheSize: number;
    revalidateAfterMs: number;
    permissions: PermissionCatalog;
  };
  storageTimeoutMs: number;
}

const port = (methods: string[]) =>
  z.custom<object>(
    (value) =>
      typeof value === 'object' &&
      value !== null &&
      methods.every((m) => typeof (value as Record<string, unknown>)[m] === 'function'),
    { message: `must implement ${methods.join(', ')}` },
  );

const roleTemplate = z.object({
  key: z.string().regex(/^[a-z][a-z0-9_-]{0,62}$/),
  name: z.string().min(1).max(100),
  permissions: z.array(actionPatternSchema),
});

const httpUrl = z
  .string()
  .url()
  .refine((u) => /^https?:$/.test(new URL(u).protocol), 'must use http or https');

/** Provider ids appear in URLs next to fixed routes (`/oauth/token`…): these are taken. */
const RESERVED_PROVIDER_IDS = new Set([
  'accounts',
  'providers',
  'token',
  'introspect',
  'revoke',
  'authorize',
]);

const redirectAllowlistSchema = z.array(
  z.string().superRefine((entry, ctx) => {
    const problem = redirectEntryProblem(entry);
    if (problem) ctx.addIssue({ code: 'custom', message: problem });
  }),
);

/** https, or http on this machine (a development identity provider). */
const providerUrl = z
  .string()
  .url()
  .refine((u) => {
    const url = new URL(u);
    return (
      url.protocol === 'https:' ||
      (url.protocol === 'http:' && ['localhost', '127.0.0.1', '[::1]'].includes(url.hostname))
    );
  }, 'must use https (http only for localhost)');

const providerSchema = z.discriminatedUnion('protocol', [
  z.object({
    protocol: z.literal('oidc'),
    name: z.string().min(1).max(100),
    issuer: providerUrl,
    discoveredIssuer: z.string().min(1).optional(),
    clientId: z.string().min(1, 'is required'),
    clientSecret: z.string().min(1, 'is required'),
    scopes: z
      .array(z.string().regex(/^[\x21\x23-\x5b\x5d-\x7e]+$/))
      .refine((s) => s.includes('openid'), 'must include openid'),
    trustEmailVerified: z.boolean(),
    authorizationParams: z.record(z.string(), z.string()).optional(),
    fetch: z.function().optional(),
  }),
  z.object({
    protocol: z.literal('oauth2'),
    name: z.string().min(1).max(100),
    issuer: z.string().min(1),
    authorizationEndpoint: providerUrl,
    tokenEndpoint: providerUrl,
    clientId: z.string().min(1, 'is required'),
    clientSecret: z.string().min(1, 'is required'),
    scopes: z.array(z.string().regex(/^[\x21\x23-\x5b\x5d-\x7e]+$/)),
    fetchProfile: z.function(),
    authorizationParams: z.record(z.string(), z.string()).optional(),
    fetch: z.function().optional(),
  }),
]);

const configSchema = z
  .object({
    storage: z.custom<Storage>(
      (v) =>
        typeof v === 'object' &&
        v !== null &&
        typeof (v as Storage).transaction === 'function' &&
        typeof (v as Storage).sessions === 'object',
      { message: 'must be a Storage adapter (kyselyStorage(db), memoryStorage(), ...)' },
    ),
    keyValue: port(['get', 'set', 'increment', 'getAndDelete', 'publish', 'subscribe']).optional(),
    secret: z
      .string({ message: 'is required' })
      .min(32, 'must be at least 32 characters (use 32 random bytes, base64)')
      .refine((s) => new Set(s).size >= 8, 'looks like a placeholder: use random bytes'),
    baseURL: z
      .string({ message: 'is required' })
      .url('must be an absolute URL such as https://app.example.com')
      .refine((u) => URL.canParse(u) && /^https?:$/.test(new URL(u).protocol), 'must use http or https'),
    basePath: z
      .string()
      .regex(/^\/[A-Za-z0-9/_-]*$/, 'must start with / and contain only path characters')
      .optional(),
    trustedOrigins: z.array(z.string().url()).optional(),
    trustProxy: z.union([z.boolean(), z.number().int().min(1).max(10)]).optional(),
    session: z
      .object({
        absoluteTtlSeconds: z.number().int().min(60).max(31_536_000).optional(),
        idleTtlSeconds: z.number().int().min(60).optional(),
        touchIntervalSeconds: z.number().int().min(0).optional(),
        cookieName: z
          .string()
          .regex(/^[A-Za-z0-9._-]+$/)
          .optional(),
        cache: z
          .object({
            enabled: z.boolean().optional(),
            l1TtlMs: z.number().int().min(0).max(1000).optional(),
            l1MaxEntries: z.number().int().min(0).optional(),
            l2TtlSeconds: z.number().int().min(1).optional(),
          })
          .strict()
          .optional(),
      })
      .strict()
      .optional(),
    password: z
      .object({
        minLength: z.number().int().min(8).max(64).optional(),
        maxLength: z.number().int().min(64).max(1024).optional(),
        argon2: z
          .object({
            memoryCost: z.number().int().min(MIN_ARGON2_PARAMS.memoryCost).optional(),
            timeCost: z.number().int().min(MIN_ARGON2_PARAMS.timeCost).optional(),
            parallelism: z.number().int().min(1).max(16).optional(),
          })
          .strict()
          .optional(),
        isBlocked: z.function().optional(),
      })
      .strict()
      .optional(),
    signup: z
      .object({ enabled: z.boolean().optional(), onEmailTaken: z.enum(['conflict', 'notify']).optional() })
      .strict()
      .optional(),
    tenants: z
      .object({
        defaultRoles: z.array(roleTemplate).min(1).optional(),
        creatorRole: z.string().optional(),
        isolatedSignupRole: z.string().optional(),
      })
      .strict()
      .optional(),
    invitations: z
      .object({
        acceptUrl: z
          .string()
          .url()
          .refine((u) => /^https?:$/.test(new URL(u).protocol), 'must use http or https')
          .optional(),
      })
      .strict()
      .optional(),
    emailLinks: z
      .object({
        appName: z.string().min(1).max(100).optional(),
        verifyEmailUrl: httpUrl.optional(),
        resetPasswordUrl: httpUrl.optional(),
        magicLinkUrl: httpUrl.optional(),
        redirectAllowlist: z
          .array(
            z.string().superRefine((entry, ctx) => {
              const problem = redirectEntryProblem(entry);
              if (problem) ctx.addIssue({ code: 'custom', message: problem });
            }),
          )
          .optional(),
        emailVerificationTtlSeconds: z
          .number()
          .int()
          .min(60)
          .max(30 * 86_400)
          .optional(),
        passwordResetTtlSeconds: z.number().int().min(60).max(MAX_PASSWORD_RESET_TTL_SECONDS).optional(),
        magicLinkTtlSeconds: z.number().int().min(60).max(MAX_MAGIC_LINK_TTL_SECONDS).optional(),
      })
      .strict()
      .optional(),
    passkeys: z
      .object({
        rpID: z
          .string()
          .regex(/^(?=.{1,253}$)[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*$/, {
            message: 'must be a lower-case domain name such as example.com (no scheme, no port)',
          })
          .optional(),
        rpName: z.string().min(1).max(100).optional(),
        origins: z.array(httpUrl).min(1).max(50).optional(),
        userVerification: z.enum(['required', 'preferred', 'discouraged']).optional(),
        timeoutSeconds: z.number().int().min(30).max(MAX_PASSKEY_TIMEOUT_SECONDS).optional(),
      })
      .strict()
      .optional(),
    oauth: z
      .object({
        providers: z.record(
          z
            .string()
            .regex(/^[a-z0-9][a-z0-9_-]{0,63}$/, 'provider ids are lowercase letters, digits, "-" and "_"')
            .refine((id) => !RESERVED_PROVIDER_IDS.has(id), 'is reserved'),
          providerSchema,
        ),
        linking: z
          .object({
            mode: z.enum(['verified-email', 'never']).optional(),
            trustedProviders: z.array(z.string()).optional(),
          })
          .strict()
          .optional(),
        redirectAllowlist: redirectAllowlistSchema.optional(),
        stateTtlSeconds: z.number().int().min(60).max(600).optional(),
      })
      .strict()
      .superRefine((oauth, ctx) => {
        for (const id of oauth.linking?.trustedProviders ?? []) {
          if (!Object.hasOwn(oauth.providers, id)) {
            ctx.addIssue({
              code: 'custom',
              path: ['linking', 'trustedProviders'],
              message: `"${id}" is not a provider`,
            });
          }
        }
      })
      .optional(),
    rateLimit: z
      .object({
        enabled: z.boolean().optional(),
        rules: z
          .record(
            z.string(),
            z.object({ limit: z.number().int().min(1), windowSeconds: z.number().int().min(1) }).strict(),
          )
          .optional(),
      })
      .strict()
      .optional(),
    lockout: z
      .object({
        freeAttempts: z.number().int().min(1).optional(),
        maxFailures: z.number().int().min(1).max(100).optional(),
      })
      .strict()
      .optional(),
    outbox: z
      .object({
        subscribers: z
          .array(
            z.object({
              name: z.string().min(1),
              events: z.array(z.string()).optional(),
              handle: z.function(),
            }),
          )
          .optional(),
        pollIntervalMs: z.number().int().min(10).optional(),
        maxAttempts: z.number().int().min(1).max(100).optional(),
        autoStart: z.boolean().optional(),
      })
      .strict()
      .optional(),
    authorization: z
      .object({
        policies: z.array(z.unknown()).max(1000).optional(),
        cacheSize: z.number().int().min(1).optional(),
        membershipCacheSize: z.number().int().min(1).optional(),
        revalidateAfterMs: z.number().int().min(0).max(60_000).optional(),
        permissions: permissionCatalogConfigSchema.optional(),
      })
      .strict()
      .optional(),
    mailer: port(['send']).optional(),
    clock: port(['now']).optional(),
    logger: port(['debug', 'info', 'warn', 'error']).optional(),
    storageTimeoutMs: z.number().int().min(100).optional(),
  })
  .strict();

/** Validates the config once, at `createAuth()`: a bad config fails at start, not at first login. */
export function resolveConfig(config: AuthConfig): ResolvedConfig {
  const parsed = configSchema.safeParse(config);
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
  const baseURL = new URL(config.baseURL);
  const defaultRoles = config.tenants?.defaultRoles ?? DEFAULT_ROLES;
  const creatorRole = config.tenants?.creatorRole ?? 'owner';
  const isolatedSignupRole = config.tenants?.isolatedSignupRole ?? 'viewer';
  for (const key of [creatorRole, isolatedSignupRole]) {
    if (!defaultRoles.some((r) => r.key === key)) {
      throw new AuthError('config_invalid', {
        detail: `tenants: role "${key}" is not among the default roles`,
      });
    }
  }
  const permissions = createPermissionCatalog(TENANT_PERMISSIONS, config.authorization?.permissions);
  const policies = (config.authorization?.policies ?? []).map((policy, index) => {
    const parsed = policyDefinitionSchema.safeParse({ ...policy, tenantId: null });
    if (!parsed.success) {
      throw new AuthError('config_invalid', {
        detail: `authorization.policies.${index}: ${parsed.error.issues.map((i) => `${i.path.join('.')} ${i.message}`).join('; ')}`,
      });
    }
    return parsed.data;
  });
  assertCatalogCovers(permissions, defaultRoles, policies);
  const idle = config.session?.idleTtlSeconds ?? 7 * 86_400;
  const absolute = config.session?.absoluteTtlSeconds ?? 30 * 86_400;
  return {
    secret: config.secret,
    baseURL,
    basePath: (config.basePath ?? '/auth').replace(/\/+$/, '') || '/',
    trustedOrigins: new Set([baseURL.origin, ...(config.trustedOrigins ?? []).map((o) => new URL(o).origin)]),
    trustProxyHops: config.trustProxy === true ? 1 : config.trustProxy || 0,
    secureCookies: baseURL.protocol === 'https:',
    session: {
      absoluteTtlSeconds: absolute,
      idleTtlSeconds: Math.min(idle, absolute),
      // a session in continuous use must be touched before it idles out
      touchIntervalSeconds: Math.min(
        config.session?.touchIntervalSeconds ?? 60,
        Math.floor(Math.min(idle, absolute) / 2),
      ),
      cookieName: config.session?.cookieName ?? 'portcullis.session',
      cache: {
        enabled: config.session?.cache?.enabled ?? config.keyValue !== undefined,
        l1TtlMs: config.session?.cache?.l1TtlMs ?? 500,
        l1MaxEntries: config.session?.cache?.l1MaxEntries ?? 10_000,
        l2TtlSeconds: config.session?.cache?.l2TtlSeconds ?? 300,
      },
    },
    password: {
      minLength: config.password?.minLength ?? DEFAULT_MIN_PASSWORD_LENGTH,
      maxLength: config.password?.maxLength ?? DEFAULT_MAX_PASSWORD_LENGTH,
      argon2: { ...MIN_ARGON2_PARAMS, ...config.password?.argon2 },
      isBlocked: config.password?.isBlocked,
    },
    signup: {
      enabled: config.signup?.enabled ?? true,
      onEmailTaken: config.signup?.onEmailTaken ?? 'conflict',
    },
    tenants: { defaultRoles, creatorRole, isolatedSignupRole },
    invitations: {
      acceptUrl: new URL(
        config.invitations?.acceptUrl ?? new URL('accept-invitation', baseURL.href.replace(/\/?$/, '/')).href,
      ),
    },
    emailLinks: resolveEmailLinks(config.emailLinks, baseURL),
    passkeys: resolvePasskeys(
      config.passkeys,
      baseURL,
      resolveEmailLinks(config.emailLinks, baseURL).appName,
    ),
    oauth: {
      providers: { ...(config.oauth?.providers ?? {}) },
      linking: {
        mode: config.oauth?.linking?.mode ?? 'never',
        trustedProviders:
          config.oauth?.linking?.trustedProviders ?? Object.keys(config.oauth?.providers ?? {}),
      },
      redirectAllowlist: [...(config.oauth?.redirectAllowlist ?? config.emailLinks?.redirectAllowlist ?? [])],
      stateTtlSeconds: config.oauth?.stateTtlSeconds ?? 600,
    },
    rateLimit: { enabled: config.rateLimit?.enabled ?? true, rules: config.rateLimit?.rules ?? {} },
    lockout: {
      freeAttempts: config.lockout?.freeAttempts ?? 5,
      maxFailures: config.lockout?.maxFailures ?? 100,
    },
    outbox: {
      subscribers: config.outbox?.subscribers ?? [],
      pollIntervalMs: config.outbox?.pollIntervalMs ?? 1000,
      maxAttempts: config.outbox?.maxAttempts ?? 10,
      autoStart: config.outbox?.autoStart ?? true,
    },
    authorization: {
      policies,
      cacheSize: config.authorization?.cacheSize ?? 1000,
      membershipCacheSize: config.authorization?.membershipCacheSize ?? 10_000,
      revalidateAfterMs: config.authorization?.revalidateAfterMs ?? 500,
      permissions,
    },
    storageTimeoutMs: config.storageTimeoutMs ?? 10_000,
  };
}

function resolveEmailLinks(links: AuthConfig['emailLinks'], baseURL: URL): ResolvedConfig['emailLinks'] {
  const page = (configured: string | undefined, path: string) =>
    new URL(configured ?? new URL(path, baseURL.href.replace(/\/?$/, '/')).href);
  return {
    appName: links?.appName ?? baseURL.host,
    verifyEmailUrl: page(links?.verifyEmailUrl, 'verify-email'),
    resetPasswordUrl: page(links?.resetPasswordUrl, 'reset-password'),
    magicLinkUrl: page(links?.magicLinkUrl, 'magic-link'),
    redirectAllowlist: [...(links?.redirectAllowlist ?? [])],
    emailVerificationTtlSeconds: links?.emailVerificationTtlSeconds ?? DEFAULT_EMAIL_VERIFICATION_TTL_SECONDS,
    passwordResetTtlSeconds: links?.passwordResetTtlSeconds ?? MAX_PASSWORD_RESET_TTL_SECONDS,
    magicLinkTtlSeconds: links?.magicLinkTtlSeconds ?? MAX_MAGIC_LINK_TTL_SECONDS,
  };
}

/**
 * Defaults from `baseURL`, and the rule browsers apply checked at start: every origin must be
 * on `rpID` or a subdomain, or no passkey could ever be created there.
 */
function resolvePasskeys(
  passkeys: AuthConfig['passkeys'],
  baseURL: URL,
  appName: string,
): ResolvedConfig['passkeys'] {
  const rpID = passkeys?.rpID ?? baseURL.hostname;
  const origins = [...new Set((passkeys?.origins ?? [baseURL.origin]).map((o) => new URL(o).origin))];
  const outside = origins.filter((o) => {
    const host = new URL(o).hostname;
    return host !== rpID && !host.endsWith(`.${rpID}`);
  });
  if (outside.length > 0) {
    throw new AuthError('config_invalid', {
      detail: `passkeys.origins: ${outside.join(', ')} not on rpID "${rpID}" or a subdomain of it`,
    });
  }
  return {
    rpID,
    rpName: passkeys?.rpName ?? appName,
    origins,
    userVerification: passkeys?.userVerification ?? 'preferred',
    timeoutSeconds: passkeys?.timeoutSeconds ?? MAX_PASSKEY_TIMEOUT_SECONDS,
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
