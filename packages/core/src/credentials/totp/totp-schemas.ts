import { z } from 'zod';

/** Inputs of the TOTP routes; `auth.api` parses with the same schemas as the HTTP layer. */
// bounded, not shaped: a malformed code is a wrong code (401), counted like one
const codeField = z.string().min(1).max(64);

export const confirmTotpInputSchema = z
  .object({ code: codeField.describe('The current 6-digit code of the authenticator app') })
  .strict();

export type ConfirmTotpInput = z.infer<typeof confirmTotpInputSchema>;
