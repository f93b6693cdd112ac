import { z } from 'zod';
import { AuthError } from '../errors.js';
import type { Signer } from '../ports/signer.js';
import type { SigningAlgorithm } from './tokens.js';

/** The longest an access token may live, whatever the config: 15 minutes (issue 16). */
export const MAX_ACCESS_TOKEN_TTL_SECONDS = 900;

const keyEncryptionKeySchema = z.strictObject({
  /** Names the key in each wrapped private key, so that older versions still open. */
  version: z.string().regex(/^[A-Za-z0-9_-]{1,32}$/, 'must be 1-32 letters, digits, _ or -'),
  /** At least 32 characters of randomness (32 random bytes, base64). Never the app `secret`. */
  secret: z.string().min(32, 'must be at least 32 characters (use 32 random bytes, base64)'),
});

const signingKeysShape = {
  /**
   * The algorithms Portcullis keeps a key for, each with its own lifecycle; the first signs
   * unless a caller asks for another. Default `['EdDSA', 'ES256']`. `RS256` (at least 3072-bit
   * keys) is opt-in, for verifiers that know nothing else.
   */
  algorithms: z
    .array(z.enum(['EdDSA', 'ES256', 'RS256']))
    .min(1)
    .refine((a) => new Set(a).size === a.length, 'must not repeat an algorithm')
    .default(['EdDSA', 'ES256']),
  /** RSA modulus length for `RS256` keys. Default 3072; at least 3072. */
  rsaModulusLength: z.number().int().min(3072).max(8192).default(3072),
  /**
   * How long verifiers may cache the JWKS (its `Cache-Control: max-age`), and so how long a new
   * key is published before it signs. Default 300 s.
   */
  jwksCacheSeconds: z.number().int().min(0).max(86_400).default(300),
  /** Sign with a key this long, then rotate to the next one automatically. Default 30 days. */
  rotationIntervalSeconds: z
    .number()
    .int()
    .min(3_600)
    .default(30 * 86_400),
  /**
   * Key-encryption keys for the private signing keys at rest (AES-256-GCM envelopes), newest
   * first: the first wraps, every one listed unwraps. To rotate, put a new one first, call
   * `auth.api.rewrapSigningKeys()`, then drop the old one. Required to issue tokens with
   * Portcullis's own keys (not with `signers`); must differ from the app `secret`.
   */
  keyEncryptionKeys: z.array(keyEncryptionKeySchema).min(1).optional(),
  /**
   * Keys held elsewhere (a KMS, an HSM) behind the `Signer` port. When set, they sign (the
   * first one per algorithm) and are published; Portcullis generates no keys of its own.
   */
  signers: z
    .array(
      z.custom<Signer>(
        (v) =>
          typeof v === 'object' &&
          v !== null &&
          typeof (v as Signer).sign === 'function' &&
          typeof (v as Signer).kid === 'string',
        { message: 'must implement the Signer port (kid, alg, publicJwk, sign)' },
      ),
    )
    .min(1)
    .optional(),
};
const signingKeysSchema: z.ZodObject<typeof signingKeysShape, z.core.$strict> =
  z.strictObject(signingKeysShape);

const tokenShape = {
  /** The `iss` of access tokens. Default: the auth base URL (`baseURL` + `basePath`). */
  issuer: z.string().url().optional(),
  /** Access token lifetime. Default 300 s (5 min), at most 900 s (15 min). */
  accessTokenTtlSeconds: z.number().int().min(10).max(MAX_ACCESS_TOKEN_TTL_SECONDS).default(300),
  /** Clock skew tolerated when verifying `exp`, `nbf` and `iat`. Default 5 s. */
  clockToleranceSeconds: z.number().int().min(0).max(60).default(5),
  signingKeys: signingKeysSchema.prefault({}),
  /**
   * Gives each isolated-pool tenant its own issuer, `<issuer>/tenants/<tenantId>`, with its own
   * signing keys and lifecycle, JWKS (`<issuer>/tenants/<tenantId>/.well-known/jwks.json`) and
   * authorization-server metadata. Tokens of such a tenant (`tid`) carry that `iss` and are
   * signed with its keys; a token verifies only under the issuer of its `tid`. Needs
   * Portcullis's own keys (not `signingKeys.signers`). Default false: one issuer per install.
   */
  tenantIssuers: z.boolean().default(false),
};

/** `AuthConfig['tokens']`: access tokens, their issuer and the signing keys. */
export const tokenOptionsSchema: z.ZodObject<typeof tokenShape, z.core.$strict> = z.strictObject(tokenShape);

/** The `tokens` options an app writes. */
export type TokenOptions = z.input<typeof tokenOptionsSchema>;

/** The `tokens` options after defaults, with the issuer resolved. */
export interface ResolvedTokenOptions {
  issuer: string;
  accessTokenTtlSeconds: number;
  clockToleranceSeconds: number;
  /** Isolated-pool tenants have their own issuer and keys. */
  tenantIssuers: boolean;
  signingKeys: {
    algorithms: SigningAlgorithm[];
    rsaModulusLength: number;
    jwksCacheSeconds: number;
    rotationIntervalSeconds: number;
    keyEncryptionKeys: Array<{ version: string; secret: string }>;
    signers: Signer[];
  };
}

/**
 * Resolves the `tokens` slice: the issuer defaults to the auth base URL; a key-encryption key
 * equal to the app secret is refused (one leaked value must not open both).
 */
export function resolveTokenOptions(
  options: z.output<typeof tokenOptionsSchema>,
  context: { baseURL: URL; basePath: string; secret: string },
): ResolvedTokenOptions {
  const keks = options.signingKeys.keyEncryptionKeys ?? [];
  const reused = keks.findIndex((k) => k.secret === context.secret);
  if (reused >= 0)
    configProblem(`tokens.signingKeys.keyEncryptionKeys.${reused}.secret`, 'must not be the app secret');
  if (new Set(keks.map((k) => k.version)).size !== keks.length) {
    configProblem('tokens.signingKeys.keyEncryptionKeys', 'must not repeat a version');
  }
  if (options.tenantIssuers && options.signingKeys.signers) {
    configProblem(
      'tokens.tenantIssuers',
      'needs Portcullis-held keys: it cannot be used with signingKeys.signers',
    );
  }
  const base = context.baseURL.href.replace(/\/+$/, '');
  const issuer = options.issuer ?? `${base}${context.basePath === '/' ? '' : context.basePath}`;
  return {
    issuer,
    accessTokenTtlSeconds: options.accessTokenTtlSeconds,
    clockToleranceSeconds: options.clockToleranceSeconds,
    tenantIssuers: options.tenantIssuers,
    signingKeys: {
      ...options.signingKeys,
      keyEncryptionKeys: keks,
      signers: options.signingKeys.signers ?? [],
    },
  };
}

function configProblem(path: string, message: string): never {
  throw new AuthError('config_invalid', { detail: `${path} ${message}`, issues: [{ path, message }] });
}
