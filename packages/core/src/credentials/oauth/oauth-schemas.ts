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
    // a native app's sign-in (RFC 8252): the authorization request's parameters, as it sends them
    client_id: z
      .string()
      .min(1)
      .max(255)
      .optional()
      .describe(
        'A native app of `refreshTokens.nativeClients`: the sign-in ends at its redirect_uri with a one-time code for POST /oauth/token',
      ),
    redirect_uri: z
      .string()
      .min(1)
      .max(2048)
      .optional()
      .describe("With client_id: one of the client's redirect URIs (loopback: any port)"),
    code_challenge: z
      .string()
      .min(1)
      .max(128)
      .optional()
      .describe('With client_id: the PKCE challenge (RFC 7636), BASE64URL(SHA256(code_verifier))'),
    code_challenge_method: z.string().max(16).optional().describe('With client_id: `S256` (the only one)'),
    state: z
      .string()
      .min(1)
      .max(1024)
      .optional()
      .describe("With client_id: the app's state, returned to its redirect_uri as is"),
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
