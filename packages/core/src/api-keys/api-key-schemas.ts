import { z } from 'zod';
import { actionPatternSchema, conditionSchema } from '../authorization/index.js';
import { singleLineTextSchema } from '../validation.js';
import { MAX_API_KEY_OVERLAP_SECONDS } from './api-key-options.js';

/** Most permissions one key may hold. */
export const MAX_API_KEY_PERMISSIONS = 100;

export const createApiKeyInputSchema = z
  .object({
    name: singleLineTextSchema(1, 100).describe('A name for people, e.g. "CI deploys"'),
    environment: z
      .string()
      .min(1)
      .max(16)
      .optional()
      .describe('One of the configured environments; default the first (live)'),
    owner: z
      .enum(['user', 'tenant'])
      .default('user')
      .describe(
        'user (default): the creator owns it, and it never does more than they may now; tenant: it outlives its creator',
      ),
    permissions: z
      .array(actionPatternSchema)
      .min(1)
      .max(MAX_API_KEY_PERMISSIONS)
      .describe('What it may do (resource.action patterns), within what the creator holds'),
    expiresInSeconds: z
      .number()
      .int()
      .min(60)
      .optional()
      .describe('When it stops working; at most apiKeys.maxLifetimeSeconds when that is set'),
    constraints: conditionSchema
      .optional()
      .describe('A condition every use must meet, e.g. { "cidr": [{ "ref": "context.ip" }, "10.0.0.0/8"] }'),
  })
  .strict();

export type CreateApiKeyInput = z.input<typeof createApiKeyInputSchema>;

export const rotateApiKeyInputSchema = z
  .object({
    overlapSeconds: z
      .number()
      .int()
      .min(0)
      .max(MAX_API_KEY_OVERLAP_SECONDS)
      .optional()
      .describe('How long the old key keeps working (default apiKeys.overlapSeconds; 0 ends it at once)'),
  })
  .strict();

export type RotateApiKeyInput = z.input<typeof rotateApiKeyInputSchema>;
