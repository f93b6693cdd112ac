import { z } from 'zod';

/** Inputs of the MFA routes; `auth.api` parses with the same schemas as the HTTP layer. */
// bounded, not shaped: a malformed code is a wrong code (401), counted like one
const codeField = z.string().min(1).max(64);

export const confirmTotpInputSchema = z
  .object({ code: codeField.describe('The current 6-digit code of the authenticator app') })
  .strict();

export const verifyMfaInputSchema = z
  .object({
    challengeId: z.string().min(1).max(128).describe('From the `mfaRequired` answer of `POST /login`'),
    method: z.enum(['totp', 'recovery_code']),
    code: codeField.describe('A 6-digit TOTP code or one recovery code'),
  })
  .strict();

export type ConfirmTotpInput = z.infer<typeof confirmTotpInputSchema>;
export type VerifyMfaInput = z.infer<typeof verifyMfaInputSchema>;
