import { z } from 'zod';
import {
  forgotPasswordInputSchema,
  magicLinkInputSchema,
  resetPasswordInputSchema,
  verifyTokenInputSchema,
} from '../../email-links/email-link-schemas.js';
import {
  problemSchema,
  signedInSchema,
  toPublicSession,
  toPublicUser,
  userSchema,
} from '../response-schemas.js';
import { defineRoute } from '../route.js';
import { deliveryFields, deliveryOf, signedInResponse, tokenPairSchema } from '../sign-in-response.js';

const problem = (description: string) => ({ description, schema: problemSchema });
const accepted = {
  description: 'Accepted: a link is mailed if the address has an account (the answer never says)',
  schema: z.object({ accepted: z.literal(true) }),
};
const tokenProblems = {
  400: problem('token_invalid: unknown or malformed token, or a token of another purpose'),
  410: problem('token_used or token_expired'),
};

export const emailLinkRoutes = [
  defineRoute({
    method: 'POST',
    path: '/email/verification',
    operationId: 'requestEmailVerification',
    summary: 'Mail the signed-in user a link that verifies their address (the page POSTs its token)',
    tag: 'account',
    auth: 'session',
    rateLimited: true,
    body: z.object({}).strict(),
    responses: {
      202: { description: 'The link is on its way', schema: z.object({ accepted: z.literal(true) }) },
      401: problem('No valid session'),
      409: problem('The address is already verified'),
      429: problem('Rate limited (per address)'),
    },
    async handle({ api, auth, call }) {
      await api.requestEmailVerification(auth.user.id, call);
      return { status: 202, body: { accepted: true } };
    },
  }),
  defineRoute({
    method: 'POST',
    path: '/email/verify',
    operationId: 'verifyEmail',
    summary: 'Verify an email address with the token from the emailed link',
    tag: 'account',
    auth: 'none',
    body: verifyTokenInputSchema,
    responses: {
      200: { description: 'Verified', schema: z.object({ user: userSchema }) },
      ...tokenProblems,
    },
    async handle({ api, body, call, sessionToken }) {
      // a signed-in browser proving its own account's address keeps its session (see verifyEmail)
      const current = sessionToken ? await api.validateSessionToken(sessionToken) : null;
      const user = await api.verifyEmail(body.token, call, current);
      return { status: 200, body: { user: toPublicUser(user) } };
    },
  }),
  defineRoute({
    method: 'POST',
    path: '/password/forgot',
    operationId: 'requestPasswordReset',
    summary: 'Mail a password reset link (valid ≤ 1 hour); the same answer whether the account exists or not',
    tag: 'account',
    auth: 'none',
    rateLimited: true,
    body: forgotPasswordInputSchema,
    responses: { 202: accepted, 400: problem('Invalid input'), 429: problem('Rate limited (per address)') },
    async handle({ api, body, call }) {
      await api.requestPasswordReset(body, call);
      return { status: 202, body: { accepted: true } };
    },
  }),
  defineRoute({
    method: 'POST',
    path: '/password/reset',
    operationId: 'resetPassword',
    summary: 'Set a new password with a reset token; revokes every session and signs nobody in',
    tag: 'account',
    auth: 'none',
    body: resetPasswordInputSchema,
    responses: {
      200: { description: 'Password replaced', schema: z.object({ revokedSessions: z.number() }) },
      400: problem('token_invalid, or the password policy rejected the new password'),
      403: problem('user_suspended'),
      410: problem('token_used or token_expired'),
    },
    async handle({ api, body, call }) {
      const result = await api.resetPassword(body, call);
      // any session cookie this browser held was revoked with the rest
      return { status: 200, body: result, session: null };
    },
  }),
  defineRoute({
    method: 'POST',
    path: '/magic-link',
    operationId: 'requestMagicLink',
    summary: 'Mail a sign-in link (valid ≤ 10 minutes); the same answer whether the account exists or not',
    tag: 'passwordless',
    auth: 'none',
    rateLimited: true,
    body: magicLinkInputSchema,
    responses: {
      202: accepted,
      400: problem('Invalid input, or redirect_not_allowed (redirectTo is not on the allowlist)'),
      429: problem('Rate limited (per address)'),
    },
    async handle({ api, body, call }) {
      await api.requestMagicLink(body, call);
      return { status: 202, body: { accepted: true } };
    },
  }),
  defineRoute({
    method: 'POST',
    path: '/magic-link/verify',
    operationId: 'verifyMagicLink',
    summary: "Sign in with a magic link's token: a new session (amr ['email']) and the allowed redirect",
    tag: 'passwordless',
    auth: 'none',
    body: verifyTokenInputSchema.extend(deliveryFields),
    responses: {
      200: {
        description:
          'Signed in (a new session cookie is set), or, for a user with a second factor, no session yet: complete it with POST /mfa/verify',
        schema: z.union([
          signedInSchema.extend({ redirectTo: z.string().nullable() }),
          tokenPairSchema,
          z.object({
            mfaRequired: z.literal(true),
            challengeId: z.string(),
            methods: z.array(z.enum(['totp', 'recovery_code', 'passkey'])),
          }),
        ]),
      },
      ...tokenProblems,
      403: problem('user_suspended'),
    },
    async handle({ api, body, call, config }) {
      const delivery = deliveryOf(body, config);
      const result = await api.verifyMagicLink(body.token, call);
      if ('mfaRequired' in result) return { status: 200, body: result };
      return signedInResponse(200, result, delivery, {
        api,
        call,
        body: {
          user: toPublicUser(result.user),
          session: toPublicSession(result.session, result.session.id),
          redirectTo: result.redirectTo,
        },
      });
    },
  }),
];
