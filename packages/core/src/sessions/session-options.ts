import { z } from 'zod';

const sessionCacheShape = {
  enabled: z.boolean().optional(),
  /**
   * Serve from process memory for this long after an entry's last check against the store's
   * revocation versions (checks of entries in use run in the background every half of it).
   * Default 500 ms.
   */
  l1TtlMs: z.number().int().min(0).max(1000).default(500),
  /** Default 10,000 sessions. */
  l1MaxEntries: z.number().int().min(0).default(10_000),
  /** Default 300 s. */
  l2TtlSeconds: z.number().int().min(1).default(300),
};
// typed by its shape (here and below) so that the published .d.ts keeps each option's JSDoc
const sessionCacheSchema: z.ZodObject<typeof sessionCacheShape, z.core.$strict> =
  z.strictObject(sessionCacheShape);

const sessionShape = {
  /** Hard session lifetime. Default 30 days. */
  absoluteTtlSeconds: z
    .number()
    .int()
    .min(60)
    .max(31_536_000)
    .default(30 * 86_400),
  /** A session unused this long expires. Default 7 days. */
  idleTtlSeconds: z
    .number()
    .int()
    .min(60)
    .default(7 * 86_400),
  /** Write `lastSeenAt` at most this often per session. Default 60 s. */
  touchIntervalSeconds: z.number().int().min(0).default(60),
  /** Cookie name; `__Host-` is prefixed automatically on https. Default `portcullis.session`. */
  cookieName: z
    .string()
    .regex(/^[A-Za-z0-9._-]+$/)
    .default('portcullis.session'),
  /**
   * Cache validated sessions in process and in the key-value store. On by default when a
   * `keyValue` store is configured (it must be shared by every instance, e.g. Redis); off
   * otherwise. Revocations reach every instance within `l1TtlMs` even if a message is lost.
   */
  cache: sessionCacheSchema.prefault({}),
};

/** `AuthConfig['session']`: lifetimes, the cookie and the session cache. */
export const sessionOptionsSchema: z.ZodObject<typeof sessionShape, z.core.$strict> =
  z.strictObject(sessionShape);

/** The `session` options an app writes. */
export type SessionOptions = z.input<typeof sessionOptionsSchema>;

/**
 * The session options after defaults. `cacheEnabled` is the cache's default, which depends on
 * the rest of the config (a shared key-value store).
 */
export function resolveSessionOptions(
  options: z.output<typeof sessionOptionsSchema>,
  defaults: { cacheEnabled: boolean },
) {
  const idleTtlSeconds = Math.min(options.idleTtlSeconds, options.absoluteTtlSeconds);
  return {
    absoluteTtlSeconds: options.absoluteTtlSeconds,
    idleTtlSeconds,
    // a session in continuous use must be touched before it idles out
    touchIntervalSeconds: Math.min(options.touchIntervalSeconds, Math.floor(idleTtlSeconds / 2)),
    cookieName: options.cookieName,
    cache: { ...options.cache, enabled: options.cache.enabled ?? defaults.cacheEnabled },
  };
}

/** What the session domain receives. */
export type ResolvedSessionOptions = ReturnType<typeof resolveSessionOptions>;
