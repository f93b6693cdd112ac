import { z } from 'zod';
import { singleLineTextSchema } from '../validation.js';
import { scopeNameSchema } from './client-options.js';

/** Most scopes one client may hold. */
export const MAX_CLIENT_SCOPES = 50;
/** Most public keys one `private_key_jwt` client may register. */
export const MAX_CLIENT_KEYS = 10;
/** The longest secret overlap a rotation may ask for: 30 days. */
export const MAX_SECRET_OVERLAP_SECONDS = 30 * 86_400;

/** A public JWK: private parameters are refused, so a private key pasted by mistake is not kept. */
const publicJwkSchema = z
  .object({
    kty: z.enum(['EC', 'OKP', 'RSA']),
    kid: z.string().min(1).max(200).optional(),
    alg: z.enum(['ES256', 'ES384', 'ES512', 'EdDSA', 'Ed25519', 'RS256', 'PS256']).optional(),
    use: z.literal('sig').optional(),
  })
  .catchall(z.union([z.string().max(2048), z.array(z.string().max(8192)).max(10)]))
  .refine(
    (key) => !['d', 'p', 'q', 'dp', 'dq', 'qi', 'k', 'oth'].some((name) => name in key),
    'must be a public key (no private parameters)',
  );

export const clientJwksSchema = z
  .object({ keys: z.array(publicJwkSchema).min(1).max(MAX_CLIENT_KEYS) })
  .describe('The public keys (a JWK Set) the client signs its assertions with');

export const createClientInputSchema = z
  .object({
    name: singleLineTextSchema(1, 100).describe('A name for people, e.g. "Billing worker"'),
    environment: z
      .string()
      .min(1)
      .max(16)
      .optional()
      .describe('One of the configured environments; default the first (live)'),
    scopes: z
      .array(scopeNameSchema)
      .max(MAX_CLIENT_SCOPES)
      .default([])
      .describe('The scopes it may ask for (each configured in clients.scopes)'),
    authMethod: z
      .enum(['client_secret', 'private_key_jwt'])
      .default('client_secret')
      .describe('A secret (shown once), or private_key_jwt with jwks'),
    jwks: clientJwksSchema.optional(),
  })
  .strict()
  .refine((v) => (v.authMethod === 'private_key_jwt') === (v.jwks !== undefined), {
    message: 'jwks goes with authMethod private_key_jwt, and only with it',
    path: ['jwks'],
  });

export type CreateClientInput = z.input<typeof createClientInputSchema>;

export const rotateClientSecretInputSchema = z
  .object({
    overlapSeconds: z
      .number()
      .int()
      .min(0)
      .max(MAX_SECRET_OVERLAP_SECONDS)
      .optional()
      .describe('How long the old secret stays valid (default clients.secretOverlapSeconds)'),
  })
  .strict();

export type RotateClientSecretInput = z.input<typeof rotateClientSecretInputSchema>;
