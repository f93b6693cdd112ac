import { z } from 'zod';

const refreshTokensShape = {
  /**
   * A family's absolute lifetime from its sign-in: rotation never extends it, and it never
   * outlives the session it is bound to (the earlier of the two ends it). Default 30 days.
   */
  familyLifetimeSeconds: z
    .number()
    .int()
    .min(60)
    .max(31_536_000)
    .default(30 * 86_400),
  /**
   * A token presented again this soon after it was rotated is a retry (a response lost on a
   * flaky network), not a theft: it gets the same successor back. Default 10 s; 0 turns grace
   * off (every second use is reuse).
   */
  graceSeconds: z.number().int().min(0).max(60).default(10),
  /** How many retries one rotation answers within the grace window. Default 3. */
  maxGraceReplays: z.number().int().min(1).max(20).default(3),
  /**
   * The `client_id` of tokens issued to first-party apps (sign-in in token mode). Default
   * `first-party`.
   */
  firstPartyClientId: z
    .string()
    .regex(/^[A-Za-z0-9._:-]{1,255}$/)
    .default('first-party'),
};

// typed by its shape so that the published .d.ts keeps each option's JSDoc
/** `AuthConfig['refreshTokens']`: token mode's refresh-token families. */
export const refreshTokensOptionsSchema: z.ZodObject<typeof refreshTokensShape, z.core.$strict> =
  z.strictObject(refreshTokensShape);

/** The `refreshTokens` options an app writes. */
export type RefreshTokensOptions = z.input<typeof refreshTokensOptionsSchema>;
/** The `refreshTokens` options after defaults. */
export type ResolvedRefreshTokensOptions = z.output<typeof refreshTokensOptionsSchema>;
