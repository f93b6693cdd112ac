import { z } from 'zod';
import { jsonObjectSchema } from '../json-object-schema.js';
import { singleLineTextSchema } from '../validation.js';

export const tenantSlugSchema = z
  .string()
  .min(2)
  .max(63)
  .regex(/^[a-z0-9](?:[a-z0-9-]*[a-z0-9])?$/, 'lower-case letters, digits and inner hyphens');

const metadataSchema = jsonObjectSchema('metadata');

export const createTenantInputSchema = z
  .object({
    slug: tenantSlugSchema,
    name: singleLineTextSchema(1, 200),
    userPool: z.enum(['shared', 'isolated']).optional(),
    metadata: metadataSchema.optional(),
  })
  .strict();

export const updateTenantInputSchema = z
  .object({
    name: singleLineTextSchema(1, 200).optional(),
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
