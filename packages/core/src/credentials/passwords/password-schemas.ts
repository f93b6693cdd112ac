import { z } from 'zod';
import { emailSchema } from '../../users/index.js';
import { singleLineTextSchema } from '../../validation.js';

/** Inputs of the password routes; `auth.api` parses with the same schemas as the HTTP layer. */

// Bounded well above any policy maximum so an oversized password is a 400, not a slow hash.
const passwordField = z.string().min(1).max(4096);

export const signUpInputSchema = z
  .object({
    email: emailSchema,
    password: passwordField,
    name: singleLineTextSchema(1, 200).optional(),
    tenant: z.string().min(1).max(100).optional().describe('Slug or id of an isolated-pool tenant to join'),
    invitationToken: z
      .string()
      .min(1)
      .max(200)
      .optional()
      .describe("Accept this invitation with the new account (into its tenant's pool if isolated)"),
  })
  .strict();

export const signInInputSchema = z
  .object({
    email: emailSchema,
    password: passwordField,
    tenant: z.string().min(1).max(100).optional().describe('Slug or id; required for isolated-pool tenants'),
  })
  .strict();

export const changePasswordInputSchema = z
  .object({
    currentPassword: passwordField,
    newPassword: passwordField,
    revokeOtherSessions: z.boolean().optional().describe('Default true'),
  })
  .strict();

export const reauthenticateInputSchema = z.object({ password: passwordField }).strict();

export const createUserInputSchema = z
  .object({
    email: emailSchema,
    password: passwordField.optional(),
    name: singleLineTextSchema(1, 200).optional(),
    tenantId: z.string().min(1).max(64).optional(),
    emailVerified: z.boolean().optional(),
  })
  .strict();

export type SignUpInput = z.infer<typeof signUpInputSchema>;
export type SignInInput = z.infer<typeof signInInputSchema>;
export type ChangePasswordInput = z.infer<typeof changePasswordInputSchema>;
export type ReauthenticateInput = z.infer<typeof reauthenticateInputSchema>;
