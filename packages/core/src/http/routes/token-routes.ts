import { z } from 'zod';
import { problemSchema } from '../response-schemas.js';
import { defineRoute } from '../route.js';
import { tokenPairSchema } from '../sign-in-response.js';

const problem = (description: string) => ({ description, schema: problemSchema });

/** Token mode: renewing a token pair. (Sign-ins answer pairs with `delivery: "token"`.) */
export const tokenRoutes = [
  defineRoute({
    method: 'POST',
    path: '/token/refresh',
    operationId: 'refreshTokens',
    summary: 'Exchange a refresh token for a new token pair; the refresh token is spent (rotation)',
    tag: 'account',
    auth: 'none',
    rateLimited: true,
    body: z.strictObject({
      refresh_token: z.string().min(1).max(512).describe('The `refresh_token` of the last pair'),
    }),
    responses: {
      200: {
        description: 'A new pair: keep the new refresh token, the old one is spent',
        schema: tokenPairSchema,
      },
      400: problem('Invalid input'),
      401: problem(
        'refresh_token_invalid (malformed, unknown, expired, revoked, or its session ended) or refresh_token_reused (a spent token used again: its sign-in has been ended)',
      ),
      429: problem('Rate limited'),
    },
    async handle({ api, body, call }) {
      const pair = await api.refreshTokens(body.refresh_token, call);
      return {
        status: 200,
        body: {
          access_token: pair.accessToken,
          token_type: pair.tokenType,
          expires_in: pair.expiresIn,
          refresh_token: pair.refreshToken,
        },
      };
    },
  }),
];
