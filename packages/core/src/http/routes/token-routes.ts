import { z } from 'zod';
import { problemSchema } from '../response-schemas.js';
import { defineRoute } from '../route.js';
import { tokenPairSchema } from '../sign-in-response.js';

const problem = (description: string) => ({ description, schema: problemSchema });

const jwkSchema = z
  .object({
    kid: z.string(),
    alg: z.enum(['EdDSA', 'ES256', 'RS256']),
    use: z.literal('sig'),
    kty: z.enum(['OKP', 'EC', 'RSA']),
    crv: z.string().optional(),
    x: z.string().optional(),
    y: z.string().optional(),
    n: z.string().optional(),
    e: z.string().optional(),
  })
  .meta({ description: 'A public key: never a private member' });

/**
 * The token routes. The issuer's JSON Web Key Set (RFC 7517), and with `tokens.tenantIssuers` each
 * isolated-pool tenant's own issuer's: the public halves of the next, active and recently
 * retired signing keys. Public and cacheable for exactly as long as a new key is published before
 * it signs (`tokens.signingKeys.jwksCacheSeconds`), so a verifier that honours `max-age` always
 * knows a key before it meets a token signed by it. And token mode's renewal of a token pair
 * (sign-ins answer pairs with `delivery: "token"`).
 */
export const tokenRoutes = [
  defineRoute({
    method: 'GET',
    path: '/.well-known/jwks.json',
    operationId: 'getJwks',
    summary: 'The JSON Web Key Set that verifies access tokens',
    tag: 'tokens',
    auth: 'none',
    responses: { 200: { description: 'The key set', schema: z.object({ keys: z.array(jwkSchema) }) } },
    async handle({ api, config }) {
      const maxAge = config.tokens.signingKeys.jwksCacheSeconds;
      return {
        status: 200,
        body: await api.getJwks(),
        headers: { 'cache-control': `public, max-age=${maxAge}` },
      };
    },
  }),
  defineRoute({
    method: 'GET',
    path: '/tenants/:tenantId/.well-known/jwks.json',
    operationId: 'getTenantJwks',
    summary: "The JSON Web Key Set of an isolated-pool tenant's own issuer (tokens.tenantIssuers)",
    tag: 'tokens',
    auth: 'none',
    params: z.object({ tenantId: z.string().min(1).max(64) }),
    responses: {
      200: { description: 'The key set', schema: z.object({ keys: z.array(jwkSchema) }) },
      404: problem(
        'The tenant has no issuer of its own (tenantIssuers off, a shared pool, or no such tenant)',
      ),
    },
    async handle({ api, config, params }) {
      const maxAge = config.tokens.signingKeys.jwksCacheSeconds;
      return {
        status: 200,
        body: await api.getJwks({ tenantId: params.tenantId }),
        headers: { 'cache-control': `public, max-age=${maxAge}` },
      };
    },
  }),
  defineRoute({
    method: 'POST',
    path: '/token/refresh',
    operationId: 'refreshTokens',
    summary: 'Exchange a refresh token for a new token pair; the refresh token is spent (rotation)',
    tag: 'account',
    auth: 'none',
    rateLimited: true,
    body: z.strictObject({
      refresh_token: z.string().min(1).max(512).describe('The `refresh_token` of the last pair'),
    }),
    responses: {
      200: {
        description: 'A new pair: keep the new refresh token, the old one is spent',
        schema: tokenPairSchema,
      },
      400: problem('Invalid input'),
      401: problem(
        'refresh_token_invalid (malformed, unknown, expired, revoked, or its session ended) or refresh_token_reused (a spent token used again: its sign-in has been ended)',
      ),
      429: problem('Rate limited'),
    },
    async handle({ api, body, call }) {
      const pair = await api.refreshTokens(body.refresh_token, call);
      return {
        status: 200,
        body: {
          access_token: pair.accessToken,
          token_type: pair.tokenType,
          expires_in: pair.expiresIn,
          refresh_token: pair.refreshToken,
        },
      };
    },
  }),
];
