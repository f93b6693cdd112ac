import { z } from 'zod';

export const tenantSlugSchema = z
  .string()
  .min(2)
  .max(63)
  .regex(/^[a-z0-9](?:[a-z0-9-]*[a-z0-9])?$/, 'lower-case letters, digits and inner hyphens');

const FORBIDDEN_KEYS = new Set(['__proto__', 'constructor', 'prototype']);
const MAX_METADATA_DEPTH = 8;
const MAX_METADATA_NODES = 2_000;

/**
 * Checks a JSON value iteratively (no recursion, so hostile nesting cannot overflow the stack):
 * depth, size and keys that would touch an object's prototype.
 */
export function jsonShapeProblem(value: unknown): string | null {
  const stack: { value: unknown; depth: number }[] = [{ value, depth: 0 }];
  let nodes = 0;
  while (stack.length > 0) {
    const { value: current, depth } = stack.pop()!;
    if (++nodes > MAX_METADATA_NODES) return `more than ${MAX_METADATA_NODES} values`;
    if (current === null || typeof current !== 'object') {
      if (typeof current === 'string' && current.length > 4_096)
        return 'a string longer than 4096 characters';
      continue;
    }
    if (depth >= MAX_METADATA_DEPTH) return `nested deeper than ${MAX_METADATA_DEPTH} levels`;
    for (const [key, child] of Object.entries(current)) {
      if (FORBIDDEN_KEYS.has(key)) return `the key "${key}" is not allowed`;
      stack.push({ value: child, depth: depth + 1 });
    }
  }
  return null;
}

// checked on the raw input, before zod copies keys (a copied "__proto__" would set the prototype)
const metadataSchema = z
  .unknown()
  .superRefine((value, ctx) => {
    if (typeof value !== 'object' || value === null || Array.isArray(value)) {
      ctx.addIssue({ code: 'custom', message: 'must be a JSON object' });
      return;
    }
    const problem = jsonShapeProblem(value);
    if (problem) ctx.addIssue({ code: 'custom', message: `metadata has ${problem}` });
  })
  .pipe(z.record(z.string().max(100), z.unknown()));

export const createTenantInputSchema = z
  .object({
    slug: tenantSlugSchema,
    name: z.string().trim().min(1).max(200),
    userPool: z.enum(['shared', 'isolated']).optional(),
    metadata: metadataSchema.optional(),
  })
  .strict();

export const updateTenantInputSchema = z
  .object({
    name: z.string().trim().min(1).max(200).optional(),
    status: z.enum(['active', 'suspended']).optional(),
    metadata: metadataSchema.optional(),
  })
  .strict()
  .refine((v) => Object.keys(v).length > 0, 'nothing to update');

export const pageQuerySchema = z
  .object({
    limit: z.coerce.number().int().min(1).max(200).optional(),
    cursor: z.string().max(100).optional(),
  })
  .strict();
