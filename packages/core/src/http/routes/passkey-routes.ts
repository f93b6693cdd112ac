import { z } from 'zod';
import {
  authenticatePasskeyInputSchema,
  passkeyAuthenticationOptionsInputSchema,
  passkeyRegistrationOptionsInputSchema,
  registerPasskeyInputSchema,
  renamePasskeyInputSchema,
} from '../../credentials/passkeys/passkey-schemas.js';
import type { PasskeySummary } from '../../credentials/passkeys/passkeys.js';
import { component } from '../openapi-components.js';
import {
  problemSchema,
  sessionSchema,
  signedInSchema,
  toPublicSession,
  toPublicUser,
} from '../response-schemas.js';
import { defineRoute } from '../route.js';
import { deliveryFields, deliveryOf, signedInResponse, tokenPairSchema } from '../sign-in-response.js';

const problem = (description: string) => ({ description, schema: problemSchema });

const optionsSchema = z.object({
  options: z
    .record(z.string(), z.unknown())
    .describe('WebAuthn options JSON: pass as `optionsJSON` to @simplewebauthn/browser'),
});

const passkeySchema = component(
  'Passkey',
  z.object({
    id: z.string(),
    name: z.string(),
    deviceType: z.enum(['singleDevice', 'multiDevice']),
    backedUp: z.boolean(),
    transports: z.array(z.string()),
    createdAt: z.string(),
    lastUsedAt: z.string().nullable(),
  }),
);

const registeredPasskeySchema = component(
  'RegisteredPasskey',
  passkeySchema.extend({
    recoveryCodes: z
      .array(z.string())
      .optional()
      .describe("Only with the user's first second factor: shown this once, only their hashes are stored"),
  }),
);

function toPublicPasskey(passkey: PasskeySummary) {
  return {
    ...passkey,
    createdAt: passkey.createdAt.toISOString(),
    lastUsedAt: passkey.lastUsedAt ? passkey.lastUsedAt.toISOString() : null,
  };
}

const idParams = z.object({ id: z.string().min(1).max(64) });

export const passkeyRoutes = [
  defineRoute({
    method: 'POST',
    path: '/passkeys/registration/options',
    operationId: 'passkeyRegistrationOptions',
    summary: 'Start registering a passkey: WebAuthn creation options (challenge bound to this session)',
    tag: 'passkeys',
    auth: 'session',
    body: passkeyRegistrationOptionsInputSchema,
    responses: {
      200: { description: 'Pass `options` to startRegistration()', schema: optionsSchema },
      401: problem('No session, or step_up_required: the last authentication is older than 15 minutes'),
    },
    async handle({ api, auth, call }) {
      return { status: 200, body: await api.passkeyRegistrationOptions(auth, call) };
    },
  }),
  defineRoute({
    method: 'POST',
    path: '/passkeys/registration',
    operationId: 'registerPasskey',
    summary: 'Finish registering a passkey with the browser’s registration response',
    tag: 'passkeys',
    auth: 'session',
    body: registerPasskeyInputSchema,
    responses: {
      201: {
        description: "Registered; with the user's first second factor, 10 recovery codes shown this once",
        schema: registeredPasskeySchema,
      },
      400: problem('Invalid input'),
      401: problem('No session, step_up_required, passkey_challenge_invalid or passkey_verification_failed'),
      409: problem('This passkey is already registered'),
    },
    async handle({ api, auth, body, call }) {
      const { recoveryCodes, ...passkey } = await api.registerPasskey(auth, body, call);
      return {
        status: 201,
        body: { ...toPublicPasskey(passkey), ...(recoveryCodes ? { recoveryCodes } : {}) },
      };
    },
  }),
  defineRoute({
    method: 'POST',
    path: '/passkeys/authentication/options',
    operationId: 'passkeyAuthenticationOptions',
    summary:
      'WebAuthn request options: for a pending login with challengeId, for step-up with a session, else a usernameless sign-in',
    tag: 'passkeys',
    auth: 'none',
    rateLimited: true,
    body: passkeyAuthenticationOptionsInputSchema,
    responses: {
      200: { description: 'Pass `options` to startAuthentication()', schema: optionsSchema },
      400: problem('Invalid input'),
      401: problem(
        'Unknown or expired pending login (mfa_challenge_invalid), or no passkey (passkey_unknown)',
      ),
      429: problem('Rate limited'),
    },
    async handle({ api, body, call, currentSession }) {
      const current = await currentSession();
      return { status: 200, body: await api.passkeyAuthenticationOptions(body, current, call) };
    },
  }),
  defineRoute({
    method: 'POST',
    path: '/passkeys/authentication',
    operationId: 'authenticateWithPasskey',
    summary: 'Sign in, complete a pending login, or step up with a passkey',
    tag: 'passkeys',
    auth: 'none',
    rateLimited: true,
    body: authenticatePasskeyInputSchema.extend(deliveryFields),
    responses: {
      200: {
        description:
          'Signed in (`{ user, session }`, a new session cookie), or `mfaRequired` (a passkey without user verification, for a user with TOTP), or, for step-up, `{ session }`: the current session with `authTime.hwk` now',
        schema: z.union([
          signedInSchema,
          tokenPairSchema,
          z.object({
            mfaRequired: z.literal(true),
            challengeId: z.string(),
            methods: z.array(z.enum(['totp', 'recovery_code', 'passkey'])),
          }),
          z.object({ session: sessionSchema }),
        ]),
      },
      400: problem('Invalid input'),
      401: problem(
        'passkey_challenge_invalid, passkey_verification_failed, passkey_unknown, passkey_counter_regression or mfa_challenge_invalid',
      ),
      403: problem('Account suspended'),
      429: problem('Rate limited or too many failures'),
    },
    async handle({ api, body, call, currentSession, config }) {
      const { delivery: asked, client_id, ...input } = body;
      const delivery = deliveryOf({ delivery: asked, client_id }, config);
      const current = await currentSession();
      const result = await api.authenticateWithPasskey(input, current, call);
      if ('mfaRequired' in result) return { status: 200, body: result };
      if (!('token' in result)) {
        return { status: 200, body: { session: toPublicSession(result.session, result.session.id) } };
      }
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
  defineRoute({
    method: 'GET',
    path: '/passkeys',
    operationId: 'listPasskeys',
    summary: "The signed-in user's passkeys",
    tag: 'passkeys',
    auth: 'session',
    responses: {
      200: { description: 'Passkeys, oldest first', schema: z.object({ items: z.array(passkeySchema) }) },
      401: problem('No session'),
    },
    async handle({ api, auth }) {
      return { status: 200, body: { items: (await api.listPasskeys(auth.user.id)).map(toPublicPasskey) } };
    },
  }),
  defineRoute({
    method: 'PATCH',
    path: '/passkeys/:id',
    operationId: 'renamePasskey',
    summary: 'Rename one of your passkeys',
    tag: 'passkeys',
    auth: 'session',
    params: idParams,
    body: renamePasskeyInputSchema,
    responses: {
      200: { description: 'Renamed', schema: passkeySchema },
      400: problem('Invalid input'),
      401: problem('No session'),
      404: problem('No such passkey of yours'),
    },
    async handle({ api, auth, params, body, call }) {
      return {
        status: 200,
        body: toPublicPasskey(await api.renamePasskey(auth.user.id, params.id, body, call)),
      };
    },
  }),
  defineRoute({
    method: 'DELETE',
    path: '/passkeys/:id',
    operationId: 'deletePasskey',
    summary: 'Delete one of your passkeys (needs a fresh authentication)',
    tag: 'passkeys',
    auth: 'session',
    params: idParams,
    responses: {
      204: { description: 'Deleted' },
      401: problem('No session, or step_up_required: authenticate again first'),
      404: problem('No such passkey of yours'),
    },
    async handle({ api, auth, params, call }) {
      await api.deletePasskey(auth.session, params.id, call);
      return { status: 204 };
    },
  }),
];
