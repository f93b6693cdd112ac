import { z } from 'zod';
import { actionPatternSchema, conditionSchema } from '../authorization/index.js';
import { singleLineTextSchema } from '../validation.js';
import { MAX_API_KEY_OVERLAP_SECONDS } from './api-key-options.js';

/** Most permissions one key may hold. */
export const MAX_API_KEY_PERMISSIONS = 100;

/** Most named rate-limit policies one key may list. */
export const MAX_API_KEY_RATE_LIMIT_POLICIES = 10;
/** The largest refill: the column is a 32-bit integer. */
const MAX_CREDIT_REFILL = 2_147_483_647;

const rateLimitPoliciesSchema = z
  .array(z.string().regex(/^[A-Za-z0-9_.:-]{1,64}$/, 'a policy name'))
  .max(MAX_API_KEY_RATE_LIMIT_POLICIES)
  .describe(
    'Named rate-limit policies (configured, covering operation apiKey) that count this key instead of every such policy; [] for none',
  );

const creditsSchema = z
  .object({
    remaining: z.number().int().min(0).max(Number.MAX_SAFE_INTEGER).describe('Credits to start with'),
    refill: z
      .object({
        amount: z.number().int().min(1).max(MAX_CREDIT_REFILL).describe('What the credits are refilled to'),
        interval: z
          .enum(['day', 'week', 'month'])
          .describe('At the start of each UTC day, week (Monday) or month (the 1st)'),
      })
      .strict()
      .optional(),
  })
  .strict()
  .describe('A quota: each successful verification spends one credit; none left is 429 quota-exceeded');

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

/**
 * What `auth.api.setApiKeyLimits` takes: the operator's limits of a key (server-side only, no
 * HTTP route: a tenant must not raise its own).
 */
export const setApiKeyLimitsInputSchema = z
  .object({
    rateLimitPolicies: rateLimitPoliciesSchema
      .nullable()
      .optional()
      .describe('Named policies for this key; null: back to every policy covering apiKey; absent: unchanged'),
    credits: creditsSchema
      .nullable()
      .optional()
      .describe('The quota, replaced whole (the count starts over); null: no quota; absent: unchanged'),
  })
  .strict();

export type SetApiKeyLimitsInput = z.input<typeof setApiKeyLimitsInputSchema>;
