import { z } from 'zod';

/**
 * Environments: the dimension that keeps machine credentials apart. M2M clients (and later API
 * keys and webhook endpoints) belong to exactly one, and what one environment issues is never
 * valid in another: a `test` client never gets a `live` token. A kernel module, not a domain, so
 * that every domain holding machine credentials reads the same list without importing another.
 */

/** The default environments. */
export const DEFAULT_ENVIRONMENTS = ['live', 'test'] as const;

/** One environment's name: short, lower case, safe in a token prefix and a claim. */
export const environmentNameSchema = z
  .string()
  .regex(/^[a-z][a-z0-9]{0,15}$/, 'must be 1-16 lower-case letters or digits, starting with a letter');

/**
 * `AuthConfig['environments']`: the environments machine credentials may belong to, in order
 * (the first is the default of a new credential). Default `['live', 'test']`.
 */
export const environmentsOptionSchema = z
  .array(environmentNameSchema)
  .min(1)
  .max(16)
  .refine((names) => new Set(names).size === names.length, 'must not repeat a name')
  .default([...DEFAULT_ENVIRONMENTS]);

/** The environments after defaults: a non-empty list of distinct names. */
export type Environments = readonly string[];
