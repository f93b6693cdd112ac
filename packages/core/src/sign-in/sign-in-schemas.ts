import { z } from 'zod';

/** The input of `POST /mfa/verify`; `auth.api.verifyMfa` parses with the same schema. */
export const verifyMfaInputSchema = z
  .object({
    challengeId: z.string().min(1).max(128).describe('From the `mfaRequired` answer of `POST /login`'),
    method: z.enum(['totp', 'recovery_code']),
    // bounded, not shaped: a malformed code is a wrong code (401), counted like one
    code: z.string().min(1).max(64).describe('A 6-digit TOTP code or one recovery code'),
  })
  .strict();

export type VerifyMfaInput = z.infer<typeof verifyMfaInputSchema>;
