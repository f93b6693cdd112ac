import { z } from 'zod';
import { apiKeysOptionsSchema } from '../api-keys/index.js';
import { authorizationOptionsSchema } from '../authorization/index.js';
import { isAddressRange } from '../client-address.js';
import { clientsOptionsSchema } from '../clients/index.js';
import { oauthOptionsSchema } from '../credentials/oauth/index.js';
import { passkeysOptionsSchema } from '../credentials/passkeys/index.js';
import { passwordOptionsSchema } from '../credentials/passwords/index.js';
import { totpOptionsSchema } from '../credentials/totp/index.js';
import { emailLinksOptionsSchema } from '../email-links/index.js';
import { environmentsOptionSchema } from '../environments.js';
import { invitationsOptionsSchema } from '../invitations/index.js';
import { outboxOptionsSchema } from '../outbox/index.js';
import type { Clock } from '../ports/clock.js';
import type { KeyValue } from '../ports/key-value.js';
import type { Logger } from '../ports/logger.js';
import type { Mailer } from '../ports/mailer.js';
import type { Storage } from '../ports/storage.js';
import { lockoutOptionsSchema, rateLimitOptionsSchema } from '../rate-limit/index.js';
import { secretScanningOptionsSchema } from '../secret-scanning/index.js';
import { sessionOptionsSchema } from '../sessions/index.js';
import { tenantsOptionsSchema } from '../tenants/index.js';
import { refreshTokensOptionsSchema, tokenOptionsSchema } from '../tokens/index.js';
import { signupOptionsSchema } from '../users/index.js';

/** A port the app hands in: any object with these methods. */
const port = <T>(methods: Array<keyof T & string>) =>
  z.custom<T>(
    (value) =>
      typeof value === 'object' &&
      value !== null &&
      methods.every((m) => typeof (value as Record<string, unknown>)[m] === 'function'),
    { message: `must implement ${methods.join(', ')}` },
  );

// The options that belong to no domain, then each domain's slice, in the order issues are
// reported. An absent slice resolves to its domain's defaults (`prefault`). The slices are
// typed by their schemas' names (`as` restates the type `prefault` returns) so that the
// published .d.ts refers to each domain's schema, whose options keep their JSDoc.
const authConfigShape = {
  /** Where Portcullis keeps its data: `kyselyStorage(db)`, `memoryStorage()`, ... */
  storage: z.custom<Storage>(
    (v) =>
      typeof v === 'object' &&
      v !== null &&
      typeof (v as Storage).transaction === 'function' &&
      typeof (v as Storage).sessions === 'object',
    { message: 'must be a Storage adapter (kyselyStorage(db), memoryStorage(), ...)' },
  ),
  /** Rate limits, counters and caches. Default: in-process memory (one instance only). */
  keyValue: port<KeyValue>(['get', 'set', 'increment', 'getAndDelete', 'publish', 'subscribe']).optional(),
  /** Server secret, at least 32 characters. Keys for encryption at rest are derived from it. */
  secret: z
    .string({ message: 'is required' })
    .min(32, 'must be at least 32 characters (use 32 random bytes, base64)')
    .refine((s) => new Set(s).size >= 8, 'looks like a placeholder: use random bytes'),
  /** The app's public origin (and optional path), e.g. `https://app.example.com`. */
  baseURL: z
    .string({ message: 'is required' })
    .url('must be an absolute URL such as https://app.example.com')
    .refine((u) => URL.canParse(u) && /^https?:$/.test(new URL(u).protocol), 'must use http or https'),
  /** Where the handler is mounted. Default `/auth`. */
  basePath: z
    .string()
    .regex(/^\/[A-Za-z0-9/_-]*$/, 'must start with / and contain only path characters')
    .default('/auth'),
  /** Other origins allowed to send cookie-authenticated unsafe requests (CSRF check). */
  trustedOrigins: z.array(z.string().url()).default([]),
  /**
   * How to find the client IP (what `ip` rate-limit policies count, sessions and audit record).
   * `false`: the socket address (the app faces the Internet directly). Behind proxies you
   * control, read it from `proxyHeader`: `true` trusts one proxy (the right-most entry, the one
   * your proxy appended), a number trusts that many hops, and a list of addresses or CIDRs
   * (`['10.0.0.0/8', '2001:db8::/32']`) trusts exactly those proxies: the chain is walked from
   * the socket leftwards past them, and a request not from one of them has its header ignored.
   * Entries further left are written by the client and are never used. The address is
   * canonicalised (an entry that is no address falls back to the socket's), and limits count an
   * IPv6 client by its /64. Default false; in production (`NODE_ENV=production`) it must be
   * written out, `false` included, while any rate limit counts by IP (see `docs/rate-limits.md`).
   */
  trustProxy: z
    .union([
      z.boolean(),
      z.number().int().min(1).max(10),
      z.array(z.string().refine(isAddressRange, 'must be an IP address or CIDR range')).min(1),
    ])
    .optional(),
  /** The header trusted proxies write: `x-forwarded-for` (default) or `forwarded` (RFC 7239). */
  proxyHeader: z.enum(['x-forwarded-for', 'forwarded']).default('x-forwarded-for'),
  /**
   * The environments machine credentials (M2M clients, API keys, webhook endpoints) belong to;
   * what one issues is never valid in another. The first is the default. Default `['live', 'test']`.
   */
  environments: environmentsOptionSchema,
  session: sessionOptionsSchema.prefault({}) as z.ZodPrefault<typeof sessionOptionsSchema>,
  password: passwordOptionsSchema.prefault({}) as z.ZodPrefault<typeof passwordOptionsSchema>,
  signup: signupOptionsSchema.prefault({}) as z.ZodPrefault<typeof signupOptionsSchema>,
  tenants: tenantsOptionsSchema.prefault({}) as z.ZodPrefault<typeof tenantsOptionsSchema>,
  invitations: invitationsOptionsSchema.prefault({}) as z.ZodPrefault<typeof invitationsOptionsSchema>,
  emailLinks: emailLinksOptionsSchema.prefault({}) as z.ZodPrefault<typeof emailLinksOptionsSchema>,
  /**
   * Passkeys (WebAuthn). The relying party is the site a passkey is bound to: browsers only use
   * a passkey on origins whose host is `rpID` or a subdomain of it.
   *
   * @example
   * passkeys: { rpID: 'example.com', rpName: 'Example', origins: ['https://app.example.com'] }
   */
  passkeys: passkeysOptionsSchema.prefault({}) as z.ZodPrefault<typeof passkeysOptionsSchema>,
  /**
   * TOTP (authenticator apps): the issuer name the apps show.
   *
   * @example
   * totp: { issuer: 'Acme' }
   */
  totp: totpOptionsSchema.prefault({}) as z.ZodPrefault<typeof totpOptionsSchema>,
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
  oauth: oauthOptionsSchema.prefault({ providers: {} }) as z.ZodPrefault<typeof oauthOptionsSchema>,
  rateLimit: rateLimitOptionsSchema.prefault({}) as z.ZodPrefault<typeof rateLimitOptionsSchema>,
  lockout: lockoutOptionsSchema.prefault({}) as z.ZodPrefault<typeof lockoutOptionsSchema>,
  outbox: outboxOptionsSchema.prefault({}) as z.ZodPrefault<typeof outboxOptionsSchema>,
  authorization: authorizationOptionsSchema.prefault({}) as z.ZodPrefault<typeof authorizationOptionsSchema>,
  /**
   * Machine-to-machine clients (client credentials grant): the scopes they may hold, each mapped
   * to permissions, and how long a rotated-out secret stays valid.
   *
   * @example
   * clients: { scopes: { 'invoices:read': ['invoice.read'] } }
   */
  clients: clientsOptionsSchema.prefault({}) as z.ZodPrefault<typeof clientsOptionsSchema>,
  /**
   * API keys: their prefix (`pc_live_…`), the peppers they are stored under, rotation overlap,
   * maximum lifetime and the verification cache.
   *
   * @example
   * apiKeys: { prefix: 'acme', peppers: [{ version: 1, secret: process.env.API_KEY_PEPPER! }] }
   */
  apiKeys: apiKeysOptionsSchema.prefault({}) as z.ZodPrefault<typeof apiKeysOptionsSchema>,
  /**
   * Leak reports from secret scanners: GitHub's partner program posts the API keys it finds in
   * public code to `POST /secret-scanning/github`, signed with its keys; a reported key is
   * revoked (or flagged). Off (404) until `github` is set.
   *
   * @example
   * secretScanning: { github: { publicKeys: [{ keyIdentifier, key: pem }], onLeak: 'revoke' } }
   */
  secretScanning: secretScanningOptionsSchema.prefault({}) as z.ZodPrefault<
    typeof secretScanningOptionsSchema
  >,
  /**
   * Access tokens (RFC 9068 JWTs), their issuer and signing keys. Portcullis's own keys need
   * key-encryption keys (not the app secret); a KMS can hold the keys instead (`signers`).
   *
   * @example
   * tokens: { signingKeys: { keyEncryptionKeys: [{ version: 'k1', secret: process.env.AUTH_KEK! }] } }
   */
  tokens: tokenOptionsSchema.prefault({}) as z.ZodPrefault<typeof tokenOptionsSchema>,
  /**
   * Token mode's refresh tokens: the family lifetime and the grace window for retries.
   *
   * @example
   * refreshTokens: { familyLifetimeSeconds: 14 * 86_400, graceSeconds: 10 }
   */
  refreshTokens: refreshTokensOptionsSchema.prefault({}) as z.ZodPrefault<typeof refreshTokensOptionsSchema>,
  mailer: port<Mailer>(['send']).optional(),
  clock: port<Clock>(['now']).optional(),
  /**
   * Where log lines go: pino's call shape, so `pino()` is one (docs/observability.md).
   *
   * @example
   * logger: pino({ level: 'info' })
   */
  logger: port<Logger>(['debug', 'info', 'warn', 'error']).optional(),
  /**
   * More field names (at any depth, or dotted paths such as `user.phone`) whose values are
   * replaced by `[redacted]` in log lines, beside the built-in ones (password, token, secret,
   * cookie, authorization, …). Secrets inside strings are scrubbed by their format regardless.
   *
   * @example
   * redactLogFields: ['phone', 'billing.iban']
   */
  redactLogFields: z.array(z.string().min(1)).default([]),
  /** Answer `storage_unavailable` when a storage call takes longer. Default 10000 ms. */
  storageTimeoutMs: z.number().int().min(100).default(10_000),
};

// typed by its shape so that the published .d.ts keeps each option's JSDoc
/** Everything `createAuth()` accepts, checked once at start: unknown options are refused. */
export const authConfigSchema: z.ZodObject<typeof authConfigShape, z.core.$strict> =
  z.strictObject(authConfigShape);

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
export interface AuthConfig extends z.input<typeof authConfigSchema> {}
