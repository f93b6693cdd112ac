import { z } from 'zod';
import { confirmTotpInputSchema } from '../../credentials/totp/totp-schemas.js';
import { verifyMfaInputSchema } from '../../sign-in/sign-in-schemas.js';
import { problemSchema, signedInSchema, toPublicSession, toPublicUser } from '../response-schemas.js';
import { defineRoute } from '../route.js';
import { deliveryFields, deliveryOf, signedInResponse, tokenPairSchema } from '../sign-in-response.js';

const problem = (description: string) => ({ description, schema: problemSchema });

const recoveryCodesSchema = z.object({
  recoveryCodes: z.array(z.string()).describe('Shown this once: only their hashes are stored'),
});

export const mfaRoutes = [
  defineRoute({
    method: 'GET',
    path: '/mfa',
    operationId: 'getMfaStatus',
    summary: "The signed-in user's second factors: TOTP on or off, recovery codes left",
    tag: 'mfa',
    auth: 'session',
    responses: {
      200: {
        description: 'The status (never a secret or a code)',
        schema: z.object({ totpEnabled: z.boolean(), recoveryCodesRemaining: z.number().int() }),
      },
      401: problem('No session'),
    },
    async handle({ api, auth }) {
      return { status: 200, body: await api.getMfaStatus(auth.user.id) };
    },
  }),
  defineRoute({
    method: 'POST',
    path: '/mfa/totp/setup',
    operationId: 'setupTotp',
    summary: 'Start TOTP enrolment: a new secret and its otpauth:// URI (pending until confirmed)',
    tag: 'mfa',
    auth: 'session',
    responses: {
      200: {
        description: 'The secret to enter or scan; confirm it with a first code',
        schema: z.object({ secret: z.string(), otpauthUri: z.string() }),
      },
      401: problem('No session, or step_up_required: the last authentication is older than 15 minutes'),
      409: problem('TOTP is already enabled'),
    },
    async handle({ api, auth, call }) {
      return { status: 200, body: await api.setupTotp(auth.session, call) };
    },
  }),
  defineRoute({
    method: 'POST',
    path: '/mfa/totp/confirm',
    operationId: 'confirmTotp',
    summary: 'Turn TOTP on with a first code; answers 10 recovery codes, shown once',
    tag: 'mfa',
    auth: 'session',
    rateLimited: true,
    body: confirmTotpInputSchema,
    responses: {
      200: { description: 'Enabled', schema: recoveryCodesSchema },
      400: problem('Invalid input'),
      401: problem('Wrong code, no session, or step_up_required: authenticate again first'),
      409: problem('No pending setup, or already enabled'),
      429: problem('Too many failures'),
    },
    async handle({ api, auth, body, call }) {
      return { status: 200, body: await api.confirmTotp(auth.session, body, call) };
    },
  }),
  defineRoute({
    method: 'DELETE',
    path: '/mfa/totp',
    operationId: 'disableTotp',
    summary: 'Turn TOTP off and delete the recovery codes (needs a fresh authentication)',
    tag: 'mfa',
    auth: 'session',
    responses: {
      204: { description: 'Disabled' },
      401: problem('No session, or step_up_required: authenticate again first'),
      409: problem('TOTP is not enabled'),
    },
    async handle({ api, auth, call }) {
      await api.disableTotp(auth.session, call);
      return { status: 204 };
    },
  }),
  defineRoute({
    method: 'POST',
    path: '/mfa/recovery-codes',
    operationId: 'regenerateRecoveryCodes',
    summary: 'Replace every recovery code with 10 new ones (needs a fresh authentication)',
    tag: 'mfa',
    auth: 'session',
    responses: {
      200: { description: 'The new codes; the old ones no longer work', schema: recoveryCodesSchema },
      401: problem('No session, or step_up_required: authenticate again first'),
      409: problem('No second factor (TOTP or a passkey)'),
    },
    async handle({ api, auth, call }) {
      return { status: 200, body: await api.regenerateRecoveryCodes(auth.session, call) };
    },
  }),
  defineRoute({
    method: 'POST',
    path: '/mfa/verify',
    operationId: 'verifyMfa',
    summary: 'Complete a login that answered mfaRequired with a TOTP or recovery code',
    tag: 'mfa',
    auth: 'none',
    rateLimited: true,
    body: verifyMfaInputSchema.extend(deliveryFields),
    responses: {
      200: {
        description:
          'Signed in; a new session cookie is set (with `delivery: "token"`, a token pair instead)',
        schema: z.union([signedInSchema, tokenPairSchema]),
      },
      400: problem('Invalid input'),
      401: problem('Wrong or used code (invalid_mfa_code), or an expired challenge (mfa_challenge_invalid)'),
      429: problem('Rate limited or too many failures'),
    },
    async handle({ api, body: { delivery: asked, client_id, ...input }, call, config }) {
      const delivery = deliveryOf({ delivery: asked, client_id }, config);
      const result = await api.verifyMfa(input, call);
      return signedInResponse(200, result, delivery, {
        api,
        call,
        body: {
          user: toPublicUser(result.user),
          session: toPublicSession(result.session, result.session.id),
        },
      });
    },
  }),
];
