import { z } from 'zod';

/** Inputs of the OAuth routes; `auth.api` parses with the same schemas as the HTTP layer. */
export const oauthProviderParamsSchema = z.object({
  provider: z.string().min(1).max(64).describe('A provider id of `oauth.providers`, e.g. `google`'),
});

export const startOAuthInputSchema = z
  .object({
    redirectTo: z
      .string()
      .min(1)
      .max(2048)
      .optional()
      .describe(
        'Where the browser lands afterwards; must equal an entry of the redirect allowlist. Default `/`',
      ),
    intent: z
      .enum(['login', 'link'])
      .optional()
      .describe(
        '`link`: add this provider to the signed-in user (needs a recent authentication). Default `login`',
      ),
  })
  .strict();

/**
 * The callback's query: the provider's parameters, bounded in size; their meaning is checked by
 * the flow (a missing `code` or `state` is an `oauth_*` error, not a validation error). Providers
 * may add parameters of their own (`session_state`, `scope`…): they pass through.
 */
const callbackParam = z.string().max(4096);
export const oauthCallbackQuerySchema = z
  .object({
    code: callbackParam.optional(),
    state: callbackParam.optional(),
    iss: callbackParam.optional().describe('RFC 9207: the issuer of this authorization response'),
    error: callbackParam.optional(),
    error_description: callbackParam.optional(),
  })
  .catchall(callbackParam);

export type StartOAuthInput = z.infer<typeof startOAuthInputSchema>;
