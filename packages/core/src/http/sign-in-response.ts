import { z } from 'zod';
import type { AuthApi } from '../api/index.js';
import type { CallContext } from '../call-context.js';
import type { SignedIn } from '../sign-in/index.js';
import type { RouteResult } from './route.js';

/**
 * The `delivery` field of every sign-in body: `cookie` (the default) sets the session cookie,
 * `token` answers a token pair instead (token mode, for mobile and CLI apps).
 */
export const deliveryField = z
  .enum(['cookie', 'token'])
  .optional()
  .describe(
    '`token`: answer { access_token, token_type, expires_in, refresh_token } instead of setting a cookie',
  );

/** A token response (RFC 6749 §5.1): what a sign-in in token mode and `POST /token/refresh` answer. */
export const tokenPairSchema = z.object({
  access_token: z.string(),
  token_type: z.literal('Bearer'),
  expires_in: z.number().int(),
  refresh_token: z.string(),
});

/**
 * How every completed sign-in answers over HTTP, in one place: the session cookie and `body`
 * by default; with `delivery: 'token'`, a token pair bound to the new session and no cookie.
 * Should issuing the tokens fail, the new session (whose token nobody received) is ended, so
 * nothing of the sign-in is left behind.
 */
export async function signedInResponse(
  status: number,
  result: SignedIn,
  delivery: 'cookie' | 'token' | undefined,
  { api, call, body }: { api: AuthApi; call: CallContext; body: unknown },
): Promise<RouteResult> {
  if (delivery !== 'token') {
    return { status, body, session: { token: result.token, expiresAt: result.session.expiresAt } };
  }
  try {
    const pair = await api.issueTokens(result.token, {}, call);
    return {
      status,
      body: {
        access_token: pair.accessToken,
        token_type: pair.tokenType,
        expires_in: pair.expiresIn,
        refresh_token: pair.refreshToken,
      },
    };
  } catch (error) {
    await api.signOut(result.token, call).catch(() => {});
    throw error;
  }
}
