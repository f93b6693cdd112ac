import { z } from 'zod';

/** RFC 8693 §3: the token type identifier of an OAuth 2.0 access token. */
export const ACCESS_TOKEN_TYPE_URN = 'urn:ietf:params:oauth:token-type:access_token';

/** RFC 8693 §2.1: the `grant_type` of a token exchange at the token endpoint. */
export const TOKEN_EXCHANGE_GRANT_TYPE = 'urn:ietf:params:oauth:grant-type:token-exchange';

// A compact JWS of ours stays far below this; the verifier refuses longer ones too.
const MAX_TOKEN_LENGTH = 8192;
const MAX_TARGETS = 10;

const tokenSchema = z.string().min(1).max(MAX_TOKEN_LENGTH);
// only access tokens for now: an ID token, a refresh token or a SAML assertion is refused by
// name rather than tried as a JWT
const tokenTypeSchema = z.literal(ACCESS_TOKEN_TYPE_URN, {
  error: `only ${ACCESS_TOKEN_TYPE_URN} is supported`,
});
// the form may repeat `audience` and `resource` (RFC 8693 §2.1): one value or several
const targetsSchema = z
  .union([z.string(), z.array(z.string()).max(MAX_TARGETS)])
  .transform((value) => (typeof value === 'string' ? [value] : value))
  .pipe(z.array(z.string().min(1).max(2048)).max(MAX_TARGETS));

/**
 * The parameters of a token exchange request (RFC 8693 §2.1), camelCased: `subjectToken` is
 * `subject_token`, and so on. Strict: an unknown field is a mistake worth hearing about.
 */
export const exchangeTokenInputSchema = z
  .strictObject({
    subjectToken: tokenSchema,
    subjectTokenType: tokenTypeSchema,
    actorToken: tokenSchema.optional(),
    actorTokenType: tokenTypeSchema.optional(),
    /** Space-separated (RFC 6749 §3.3); the subject token's scopes when absent. */
    scope: z.string().max(2048).optional(),
    /** Logical names of the target services (`aud`). */
    audience: targetsSchema.optional(),
    /** Absolute URIs of the target services (RFC 8707). */
    resource: targetsSchema.optional(),
    requestedTokenType: z
      .literal(ACCESS_TOKEN_TYPE_URN, { error: `only ${ACCESS_TOKEN_TYPE_URN} can be issued` })
      .optional(),
  })
  // RFC 8693 §2.1: actor_token_type is required with actor_token and must not come without it
  .refine((input) => (input.actorToken === undefined) === (input.actorTokenType === undefined), {
    message: 'actorTokenType goes with actorToken, and only with it',
    path: ['actorTokenType'],
  });

/** A token exchange request as a caller writes it. */
export type ExchangeTokenRequest = z.input<typeof exchangeTokenInputSchema>;
