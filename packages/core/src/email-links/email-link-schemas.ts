import { z } from 'zod';
import { emailSchema } from '../users/index.js';

/** Tokens are 43 base64url characters; anything far longer is not one. */
export const oneTimeTokenSchema = z.string().min(1).max(200);

const tenantField = z
  .string()
  .min(1)
  .max(100)
  .optional()
  .describe('Slug or id of the isolated-pool tenant the account belongs to');

export const verifyTokenInputSchema = z.object({ token: oneTimeTokenSchema }).strict();
export type VerifyTokenInput = z.input<typeof verifyTokenInputSchema>;

export const forgotPasswordInputSchema = z.object({ email: emailSchema, tenant: tenantField }).strict();
export type ForgotPasswordInput = z.input<typeof forgotPasswordInputSchema>;

export const resetPasswordInputSchema = z
  .object({ token: oneTimeTokenSchema, password: z.string().min(1).max(4096) })
  .strict();
export type ResetPasswordInput = z.input<typeof resetPasswordInputSchema>;

export const magicLinkInputSchema = z
  .object({
    email: emailSchema,
    redirectTo: z
      .string()
      .min(1)
      .max(2048)
      .optional()
      .describe('Where to go after sign-in: must equal an entry of emailLinks.redirectAllowlist exactly'),
    tenant: tenantField,
  })
  .strict();
export type MagicLinkInput = z.input<typeof magicLinkInputSchema>;
