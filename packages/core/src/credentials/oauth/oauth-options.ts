import { z } from 'zod';
import { checkedAs } from '../../checked-as.js';
import { redirectAllowlistSchema } from '../../email-links/index.js';
import type { OAuthProvider } from './oauth-providers.js';

/** Provider ids appear in URLs next to fixed routes (`/oauth/token`…): these are taken. */
const RESERVED_PROVIDER_IDS = new Set([
  'accounts',
  'providers',
  'token',
  'introspect',
  'revoke',
  'authorize',
]);

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

const scopeSchema = z.string().regex(/^[\x21\x23-\x5b\x5d-\x7e]+$/);

/** Checks what the provider factories build (or an app writes by hand). */
const providerSchema = z.discriminatedUnion('protocol', [
  z.object({
    protocol: z.literal('oidc'),
    name: z.string().min(1).max(100),
    issuer: providerUrl,
    discoveredIssuer: z.string().min(1).optional(),
    clientId: z.string().min(1, 'is required'),
    clientSecret: z.string().min(1, 'is required'),
    scopes: z.array(scopeSchema).refine((s) => s.includes('openid'), 'must include openid'),
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
    scopes: z.array(scopeSchema),
    fetchProfile: z.function(),
    authorizationParams: z.record(z.string(), z.string()).optional(),
    fetch: z.function().optional(),
  }),
]);

const linkingShape = {
  mode: z.enum(['verified-email', 'never']).default('never'),
  trustedProviders: z.array(z.string()).optional(),
};
// typed by its shape (here and below) so that the published .d.ts keeps each option's JSDoc
const linkingSchema: z.ZodObject<typeof linkingShape, z.core.$strict> = z.strictObject(linkingShape);

const oauthShape = {
  /**
   * Provider id (in the URL: `/oauth/<id>`, lowercase letters, digits, `-`, `_`) → provider.
   * Each provider's redirect URI is `<baseURL origin><basePath>/oauth/<id>/callback`.
   */
  providers: z.record(
    z
      .string()
      .regex(/^[a-z0-9][a-z0-9_-]{0,63}$/, 'provider ids are lowercase letters, digits, "-" and "_"')
      .refine((id) => !RESERVED_PROVIDER_IDS.has(id), 'is reserved'),
    checkedAs<OAuthProvider>(providerSchema),
  ),
  /**
   * When a provider account is new but a user with its email exists. `never` (default): the
   * sign-in is refused (`oauth_account_not_linked`); the user signs in and links the provider
   * explicitly. `verified-email`: it is linked when the provider vouches for the email, the
   * provider is in `trustedProviders` (default: every configured provider). When the existing
   * user's email is not verified yet, the provider's word is its first proof: every session and
   * credential set before it is removed (so an account pre-registered by someone else is never
   * shared with them; see docs/credentials.md, "First proof of an address").
   */
  linking: linkingSchema.prefault({}),
  /**
   * The only `redirectTo` values the flow accepts, compared exactly. Default
   * `emailLinks.redirectAllowlist`. Without `redirectTo` the browser lands on `/`.
   */
  redirectAllowlist: redirectAllowlistSchema.optional(),
  /** How long a started sign-in may take. Default and maximum 600. */
  stateTtlSeconds: z.number().int().min(60).max(600).default(600),
};

/** `AuthConfig['oauth']`: social and OIDC login. */
export const oauthOptionsSchema: z.ZodObject<typeof oauthShape, z.core.$strict> = z
  .strictObject(oauthShape)
  .superRefine((oauth, ctx) => {
    for (const id of oauth.linking.trustedProviders ?? []) {
      if (!Object.hasOwn(oauth.providers, id)) {
        ctx.addIssue({
          code: 'custom',
          path: ['linking', 'trustedProviders'],
          message: `"${id}" is not a provider`,
        });
      }
    }
  });

/** The `oauth` options an app writes. */
export type OAuthOptions = z.input<typeof oauthOptionsSchema>;

/** The OAuth options after defaults; the redirect allowlist's comes from the rest of the config. */
export function resolveOAuthOptions(
  options: z.output<typeof oauthOptionsSchema>,
  defaults: { redirectAllowlist: readonly string[] },
) {
  const providers: Readonly<Record<string, OAuthProvider>> = options.providers;
  const trustedProviders: readonly string[] = options.linking.trustedProviders ?? Object.keys(providers);
  const redirectAllowlist: readonly string[] = [...(options.redirectAllowlist ?? defaults.redirectAllowlist)];
  return {
    providers,
    linking: { mode: options.linking.mode, trustedProviders },
    redirectAllowlist,
    stateTtlSeconds: options.stateTtlSeconds,
  };
}

/** What the OAuth domain receives. */
export type ResolvedOAuthOptions = ReturnType<typeof resolveOAuthOptions>;
