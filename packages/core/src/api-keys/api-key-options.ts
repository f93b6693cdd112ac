import { z } from 'zod';

/** The longest rotation overlap: 30 days. */
export const MAX_API_KEY_OVERLAP_SECONDS = 30 * 86_400;
/** The longest a verified key may be served from the in-process cache. */
export const MAX_API_KEY_CACHE_TTL_SECONDS = 30;

const apiKeysShape = {
  /**
   * The first part of every key (`pc` in `pc_live_…`): 1-16 lower-case letters or digits. Give
   * your install its own, so that secret scanners (GitHub's, for instance) can tell your keys
   * apart from everyone else's. Changing it makes existing keys fail the format check. Default `pc`.
   */
  prefix: z
    .string()
    .regex(/^[a-z][a-z0-9]{0,15}$/, 'must be 1-16 lower-case letters or digits, starting with a letter')
    .default('pc'),
  /**
   * The peppers keys are stored under (HMAC-SHA256), each with a version: new keys use the
   * highest; keys stored under an older one keep verifying while it is listed. Without any, a
   * pepper is derived from `secret` (version 0): then rotating the app secret invalidates every
   * API key, so production installs should set their own. Secrets of 32 characters or more.
   *
   * @example
   * peppers: [{ version: 1, secret: process.env.API_KEY_PEPPER_V1 }]
   */
  peppers: z
    .array(z.strictObject({ version: z.number().int().min(1).max(1_000_000), secret: z.string().min(32) }))
    .max(10)
    .refine((list) => new Set(list.map((p) => p.version)).size === list.length, 'must not repeat a version')
    .default([]),
  /** How long a rotated-out key keeps working by default. Default 86400 (one day), at most 30 days. */
  overlapSeconds: z.number().int().min(0).max(MAX_API_KEY_OVERLAP_SECONDS).default(86_400),
  /**
   * The longest lifetime a new key may have, in seconds: with it set, every key must expire
   * (`expiresInSeconds` defaults to it and may not exceed it). Default none.
   */
  maxLifetimeSeconds: z.number().int().min(60).nullable().default(null),
  /**
   * How long a verified key is served from memory before it is read again (0 turns the cache
   * off). A revocation evicts it at once on this instance and, through the key-value store's
   * publish/subscribe, on the others. Default 10, at most 30.
   */
  cacheTtlSeconds: z.number().int().min(0).max(MAX_API_KEY_CACHE_TTL_SECONDS).default(10),
  /**
   * How often the keys' last uses, gathered in memory, are written (one batch). Verification
   * itself writes nothing (but the spent credit of a key with a quota). Default 60.
   */
  lastUseFlushSeconds: z.number().int().min(1).max(600).default(60),
};

// typed by its shape so that the published .d.ts keeps each option's JSDoc
/** `AuthConfig['apiKeys']`: the key prefix, the peppers, rotation, expiry and the verification cache. */
export const apiKeysOptionsSchema: z.ZodObject<typeof apiKeysShape, z.core.$strict> =
  z.strictObject(apiKeysShape);

/** The `apiKeys` options an app writes. */
export type ApiKeysOptions = z.input<typeof apiKeysOptionsSchema>;

/** What the API keys domain receives. */
export type ResolvedApiKeysOptions = z.output<typeof apiKeysOptionsSchema>;
