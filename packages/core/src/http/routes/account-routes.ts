import { z } from 'zod';
import {
  changePasswordInputSchema,
  reauthenticateInputSchema,
  signInInputSchema,
  signUpInputSchema,
} from '../../credentials/passwords/password-schemas.js';
import { isAuthError } from '../../errors.js';
import type { SignedIn } from '../../sign-in/index.js';
import {
  problemSchema,
  serializeSession,
  sessionSchema,
  signedInSchema,
  toPublicSession,
} from '../response-schemas.js';
import { defineRoute } from '../route.js';
import { deliveryFields, deliveryOf, signedInResponse, tokenPairSchema } from '../sign-in-response.js';

const problem = (description: string) => ({ description, schema: problemSchema });

/** The body of a completed sign-in or sign-up: the session, as `GET /session` will tell it. */
const signedInBody = (result: SignedIn) => serializeSession(result);

export const accountRoutes = [
  defineRoute({
    method: 'POST',
    path: '/signup',
    operationId: 'signUp',
    summary: 'Create an account with email and password and sign in',
    tag: 'account',
    auth: 'none',
    rateLimited: true,
    body: signUpInputSchema.extend(deliveryFields),
    responses: {
      201: {
        description: 'Signed up; the session cookie is set (with `delivery: "token"`, a token pair instead)',
        schema: z.union([signedInSchema, tokenPairSchema]),
      },
      202: {
        description: 'Accepted (notify mode: the outcome is sent by email)',
        schema: z.object({ pending: z.literal(true) }),
      },
      400: problem('Invalid input or password policy'),
      409: problem('Email already registered (conflict mode)'),
      429: problem('Rate limited'),
    },
    async handle({ body: { delivery: asked, client_id, ...input }, api, call, config }) {
      const delivery = deliveryOf({ delivery: asked, client_id }, config);
      const result = await api.signUp(input, call);
      if ('pending' in result) return { status: 202, body: { pending: true } };
      return signedInResponse(201, result, delivery, { api, call, body: signedInBody(result) });
    },
  }),
  defineRoute({
    method: 'POST',
    path: '/login',
    operationId: 'signIn',
    summary: 'Sign in with email and password',
    tag: 'account',
    auth: 'none',
    rateLimited: true,
    body: signInInputSchema.extend(deliveryFields),
    responses: {
      200: {
        description:
          'Signed in (a new session cookie is set; with `delivery: "token"`, a token pair instead), or, for a user with a second factor, no session yet: complete it with POST /mfa/verify',
        schema: z.union([
          signedInSchema,
          tokenPairSchema,
          z.object({
            mfaRequired: z.literal(true),
            challengeId: z.string(),
            methods: z.array(z.enum(['totp', 'recovery_code', 'passkey'])),
          }),
        ]),
      },
      400: problem('Invalid input'),
      401: problem('Invalid email or password (never says which)'),
      429: problem('Rate limited or too many failures'),
    },
    async handle({ body: { delivery: asked, client_id, ...input }, api, call, config }) {
      const delivery = deliveryOf({ delivery: asked, client_id }, config);
      const result = await api.signIn(input, call);
      if ('mfaRequired' in result) return { status: 200, body: result };
      return signedInResponse(200, result, delivery, { api, call, body: signedInBody(result) });
    },
  }),
  defineRoute({
    method: 'POST',
    path: '/logout',
    operationId: 'signOut',
    summary: 'Revoke the current session (cookie or bearer access token) and clear its cookie',
    tag: 'account',
    auth: 'none',
    responses: { 204: { description: 'Signed out (also when there was no session)' } },
    async handle({ api, call, sessionToken, bearerToken, request }) {
      if (sessionToken) await api.signOut(sessionToken, call);
      else if (bearerToken) {
        // token mode: the access token's session ends, and with it its refresh tokens
        const current = await api.getSession(request.headers);
        if (current) {
          await api
            .revokeSession(current.user.id, current.session.id, {
              actor: { type: 'user', id: current.user.id },
              ...call,
            })
            .catch((error) => {
              if (!isAuthError(error, 'not_found')) throw error;
            });
        }
      }
      return { status: 204, session: null };
    },
  }),
  defineRoute({
    method: 'GET',
    path: '/session',
    operationId: 'getSession',
    summary: 'The current user and session',
    tag: 'account',
    auth: 'session',
    responses: {
      200: { description: 'The signed-in user and session', schema: signedInSchema },
      401: problem('No valid session'),
    },
    async handle({ auth }) {
      return {
        status: 200,
        body: serializeSession(auth),
      };
    },
  }),
  defineRoute({
    method: 'POST',
    path: '/password/change',
    operationId: 'changePassword',
    summary: 'Change the password; other sessions are revoked unless asked otherwise',
    tag: 'account',
    auth: 'session',
    rateLimited: true,
    body: changePasswordInputSchema,
    responses: {
      200: { description: 'Changed', schema: z.object({ revokedSessions: z.number() }) },
      400: problem('New password rejected by policy'),
      401: problem(
        'Current password wrong, no session, or step_up_required: the last authentication is older than 5 minutes',
      ),
    },
    async handle({ api, auth, body, call }) {
      const result = await api.changePassword(auth.session, body, call);
      return { status: 200, body: result };
    },
  }),
  defineRoute({
    method: 'POST',
    path: '/reauthenticate',
    operationId: 'reauthenticate',
    summary: 'Step-up: prove the password again; the current session records the fresh authentication',
    tag: 'account',
    auth: 'session',
    rateLimited: true,
    body: reauthenticateInputSchema,
    responses: {
      200: {
        description: 'Reauthenticated: the session, its `authTime.pwd` now',
        schema: z.object({ session: sessionSchema }),
      },
      400: problem('Invalid input'),
      401: problem('Wrong password or no session'),
      429: problem('Rate limited or too many failures'),
    },
    async handle({ api, auth, body, call }) {
      // auth: 'session' validated the cookie's or the bearer access token's session
      const { session } = await api.reauthenticate(auth, body, call);
      return { status: 200, body: { session: toPublicSession(session, auth.session.id) } };
    },
  }),
];

export const sessionRoutes = [
  defineRoute({
    method: 'GET',
    path: '/sessions',
    operationId: 'listSessions',
    summary: "The signed-in user's active sessions",
    tag: 'sessions',
    auth: 'session',
    responses: {
      200: {
        description: 'Active sessions, newest first',
        schema: z.object({ items: z.array(sessionSchema) }),
      },
    },
    async handle({ api, auth }) {
      const sessions = await api.listSessions(auth.user.id);
      return { status: 200, body: { items: sessions.map((s) => toPublicSession(s, auth.session.id)) } };
    },
  }),
  defineRoute({
    method: 'DELETE',
    path: '/sessions/:sessionId',
    operationId: 'revokeSession',
    summary: 'Revoke one of your sessions',
    tag: 'sessions',
    auth: 'session',
    params: z.object({ sessionId: z.string().min(1).max(64) }),
    responses: { 204: { description: 'Revoked' }, 404: problem('No such active session of yours') },
    async handle({ api, auth, params, call }) {
      await api.revokeSession(auth.user.id, params.sessionId, call);
      // revoking the current session signs this client out
      return params.sessionId === auth.session.id ? { status: 204, session: null } : { status: 204 };
    },
  }),
  defineRoute({
    method: 'POST',
    path: '/sessions/revoke-others',
    operationId: 'revokeOtherSessions',
    summary: 'Revoke every session but the current one',
    tag: 'sessions',
    auth: 'session',
    responses: { 200: { description: 'Revoked', schema: z.object({ revoked: z.number() }) } },
    async handle({ api, auth, call }) {
      const revoked = await api.revokeOtherSessions(auth.user.id, auth.session.id, call);
      return { status: 200, body: { revoked } };
    },
  }),
];
