import { z } from 'zod';
import { clientIdSchema, nativeClientSchema } from './native-clients.js';

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
  firstPartyClientId: clientIdSchema.default('first-party'),
  /**
   * First-party native apps (RFC 8252), public clients like the first-party one, each with its
   * own `client_id` and the redirect URIs a provider sign-in may end at: private-use schemes
   * (`com.example.app:/oauth/callback`), loopback http (`http://127.0.0.1/callback`, any port
   * at request time) or https. A sign-in body naming one (`client_id`) answers in token mode;
   * `GET /oauth/:provider?client_id=…` signs in with a provider and hands the app a one-time
   * code for `POST /oauth/token` (`grant_type=authorization_code`, PKCE S256).
   *
   * @example
   * nativeClients: [{ id: 'ios-app', redirectUris: ['com.example.app:/oauth/callback'] }]
   */
  nativeClients: z
    .array(nativeClientSchema)
    .max(50)
    .superRefine((clients, ctx) => {
      const ids = clients.map((client) => client.id);
      if (new Set(ids).size !== ids.length) {
        ctx.addIssue({ code: 'custom', message: 'native client ids must be unique' });
      }
    })
    .default([]),
};

// typed by its shape so that the published .d.ts keeps each option's JSDoc
/** `AuthConfig['refreshTokens']`: token mode's refresh-token families. */
export const refreshTokensOptionsSchema: z.ZodObject<typeof refreshTokensShape, z.core.$strict> =
  z.strictObject(refreshTokensShape);

/** The `refreshTokens` options an app writes. */
export type RefreshTokensOptions = z.input<typeof refreshTokensOptionsSchema>;
/** The `refreshTokens` options after defaults. */
export type ResolvedRefreshTokensOptions = z.output<typeof refreshTokensOptionsSchema>;
