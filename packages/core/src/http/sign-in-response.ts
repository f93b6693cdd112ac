import { z } from 'zod';
import type { AuthApi } from '../api/index.js';
import type { CallContext } from '../call-context.js';
import type { ResolvedConfig } from '../config/index.js';
import { AuthError } from '../errors.js';
import type { SignedIn } from '../sign-in/index.js';
import { findNativeClient } from '../tokens/index.js';
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

/**
 * The `client_id` of every sign-in body: a native app of `refreshTokens.nativeClients` (or the
 * first-party client) asks for token mode by naming itself, and its tokens carry its id.
 */
export const clientIdField = z
  .string()
  .min(1)
  .max(255)
  .optional()
  .describe(
    'A configured native client (`refreshTokens.nativeClients`): answer in token mode, with this client_id in the tokens',
  );

/** The fields every sign-in body adds for how it answers: `delivery` and `client_id`. */
export const deliveryFields = { delivery: deliveryField, client_id: clientIdField };

/** How a sign-in answers: a cookie, or a token pair issued to `clientId`. */
export type SignInDelivery = { mode: 'cookie' } | { mode: 'token'; clientId: string };

/**
 * Reads a sign-in body's `delivery` and `client_id`, before the sign-in (so a bad one leaves
 * nothing behind): `delivery: "token"` alone is the first-party client
 * (`refreshTokens.firstPartyClientId`); a `client_id` of a configured native client (or the
 * first-party one) means token mode. An unknown `client_id`, or one with `delivery: "cookie"`,
 * is `invalid_request`.
 */
export function deliveryOf(
  body: { delivery?: 'cookie' | 'token' | undefined; client_id?: string | undefined },
  config: Pick<ResolvedConfig, 'refreshTokens'>,
): SignInDelivery {
  const { firstPartyClientId, nativeClients } = config.refreshTokens;
  const clientId = body.client_id;
  if (clientId === undefined) {
    return body.delivery === 'token' ? { mode: 'token', clientId: firstPartyClientId } : { mode: 'cookie' };
  }
  if (clientId !== firstPartyClientId && !findNativeClient(nativeClients, clientId)) {
    throw new AuthError('invalid_request', { detail: 'unknown client_id' });
  }
  if (body.delivery === 'cookie') {
    throw new AuthError('invalid_request', { detail: 'a client_id signs in in token mode' });
  }
  return { mode: 'token', clientId };
}

/** A token response (RFC 6749 §5.1): what a sign-in in token mode and `POST /token/refresh` answer. */
export const tokenPairSchema = z.object({
  access_token: z.string(),
  token_type: z.literal('Bearer'),
  expires_in: z.number().int(),
  refresh_token: z.string(),
});

/**
 * How every completed sign-in answers over HTTP, in one place: the session cookie and `body`
 * by default; in token mode (see {@link deliveryOf}), a token pair bound to the new session and
 * issued to the delivery's client, and no cookie.
 * Should issuing the tokens fail, the new session (whose token nobody received) is ended, so
 * nothing of the sign-in is left behind.
 */
export async function signedInResponse(
  status: number,
  result: SignedIn,
  delivery: SignInDelivery,
  { api, call, body }: { api: AuthApi; call: CallContext; body: unknown },
): Promise<RouteResult> {
  if (delivery.mode === 'cookie') {
    return { status, body, session: { token: result.token, expiresAt: result.session.expiresAt } };
  }
  try {
    const pair = await api.issueTokens(result.token, { clientId: delivery.clientId }, call);
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
