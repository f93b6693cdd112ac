import { z } from 'zod';
import { defineRoute } from '../route.js';

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
 * The issuer's JSON Web Key Set (RFC 7517): the public halves of the next, active and recently
 * retired signing keys. Public and cacheable for exactly as long as a new key is published before
 * it signs (`tokens.signingKeys.jwksCacheSeconds`), so a verifier that honours `max-age` always
 * knows a key before it meets a token signed by it.
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
];
