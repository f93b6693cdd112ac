import { z } from 'zod';
import { singleLineTextSchema } from '../../validation.js';

/** Inputs of the passkey routes; `auth.api` parses with the same schemas as the HTTP layer. */

// base64url as browsers send it (no padding); bounded so garbage costs nothing to refuse
const base64url = (max: number) =>
  z
    .string()
    .max(max)
    .regex(/^[A-Za-z0-9_-]*$/, 'must be base64url');

/** A credential id: at most 1023 bytes (WebAuthn L3), 1364 characters of base64url. */
const credentialId = base64url(1400).min(1);

const passkeyName = singleLineTextSchema(1, 100).describe('A label for the passkey, e.g. "MacBook Touch ID"');

// Only the fields the verification reads are checked here; browsers add more (publicKey,
// authenticatorData, publicKeyAlgorithm...), which are kept as they are (`loose`).
const registrationResponseSchema = z
  .looseObject({
    id: credentialId,
    rawId: credentialId,
    type: z.literal('public-key'),
    response: z.looseObject({
      clientDataJSON: base64url(8192).min(1),
      attestationObject: base64url(65_536).min(1),
      transports: z.array(z.string().max(32)).max(16).optional(),
    }),
    authenticatorAttachment: z.string().max(32).nullish(),
    clientExtensionResults: z.record(z.string(), z.unknown()).default({}),
  })
  .describe('The RegistrationResponseJSON of `startRegistration()` / `credential.toJSON()`');

const authenticationResponseSchema = z
  .looseObject({
    id: credentialId,
    rawId: credentialId,
    type: z.literal('public-key'),
    response: z.looseObject({
      clientDataJSON: base64url(8192).min(1),
      authenticatorData: base64url(8192).min(1),
      signature: base64url(2048).min(1),
      userHandle: base64url(256).nullish(),
    }),
    authenticatorAttachment: z.string().max(32).nullish(),
    clientExtensionResults: z.record(z.string(), z.unknown()).default({}),
  })
  .describe('The AuthenticationResponseJSON of `startAuthentication()` / `credential.toJSON()`');

export const passkeyRegistrationOptionsInputSchema = z.object({}).strict();

export const registerPasskeyInputSchema = z
  .object({ response: registrationResponseSchema, name: passkeyName.optional() })
  .strict();

const challengeIdField = z
  .string()
  .min(1)
  .max(128)
  .describe('From the `mfaRequired` answer of `POST /login`: the passkey completes that login');

export const passkeyAuthenticationOptionsInputSchema = z
  .object({ challengeId: challengeIdField.optional() })
  .strict();

export const authenticatePasskeyInputSchema = z
  .object({ response: authenticationResponseSchema, challengeId: challengeIdField.optional() })
  .strict();

export const renamePasskeyInputSchema = z.object({ name: passkeyName }).strict();

export type RegisterPasskeyInput = z.input<typeof registerPasskeyInputSchema>;
export type PasskeyAuthenticationOptionsInput = z.input<typeof passkeyAuthenticationOptionsInputSchema>;
export type AuthenticatePasskeyInput = z.input<typeof authenticatePasskeyInputSchema>;
export type RenamePasskeyInput = z.input<typeof renamePasskeyInputSchema>;
