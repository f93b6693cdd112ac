import { z } from 'zod';

/** Most requests per period an override may allow (the column is a 32-bit integer). */
export const MAX_OVERRIDE_LIMIT = 1_000_000_000;
/** The longest period of an override: a year. */
export const MAX_OVERRIDE_PERIOD_SECONDS = 31_536_000;

/** What names a policy and, optionally, one of the tenant's API keys (absent: tenant-wide). */
const scopeShape = (policyNames: ReadonlySet<string>) => ({
  policy: z
    .string()
    .refine((name) => policyNames.has(name), 'not a configured rate-limit policy')
    .describe('A configured policy’s name (rateLimit.policies or a default)'),
  apiKeyId: z
    .string()
    .min(1)
    .max(36)
    .optional()
    .describe('One of the tenant’s API keys; absent: the whole tenant'),
});

/** The inputs of the override operations, for the configured policy names. */
export function rateLimitOverrideSchemas(policyNames: ReadonlySet<string>) {
  return {
    set: z
      .object({
        ...scopeShape(policyNames),
        limit: z.number().int().min(1).max(MAX_OVERRIDE_LIMIT).describe('Requests per period'),
        periodSeconds: z.number().int().min(1).max(MAX_OVERRIDE_PERIOD_SECONDS),
        burst: z
          .number()
          .int()
          .min(1)
          .max(MAX_OVERRIDE_LIMIT)
          .optional()
          .describe('Requests allowed at once; default limit'),
      })
      .strict(),
    remove: z.object(scopeShape(policyNames)).strict(),
  };
}

/** What `auth.api.setRateLimitOverride` takes. */
export interface SetRateLimitOverrideInput {
  /** A configured policy's name. */
  policy: string;
  /** One of the tenant's API keys; absent: every request of the tenant. */
  apiKeyId?: string;
  /** Requests per period, 1 to 10⁹. */
  limit: number;
  /** 1 s to a year. */
  periodSeconds: number;
  /** Requests allowed at once; default `limit`. */
  burst?: number;
}

/** What `auth.api.removeRateLimitOverride` takes. */
export interface RemoveRateLimitOverrideInput {
  policy: string;
  /** Absent: the tenant-wide override. */
  apiKeyId?: string;
}
