import { z } from 'zod';
import { memberRolesSchema } from '../memberships/index.js';
import { emailSchema } from '../users/index.js';

export const DEFAULT_INVITATION_TTL_SECONDS = 7 * 86_400;
export const MAX_INVITATION_TTL_SECONDS = 30 * 86_400;
/** An open link is accepted at most this many times. */
export const MAX_INVITATION_USES = 1_000;

export const createInvitationInputSchema = z
  .object({
    email: emailSchema.optional().describe('Invite this address only; omit for an open link'),
    roles: memberRolesSchema.describe('Roles the new member gets (each must exist and be yours to grant)'),
    maxUses: z
      .number()
      .int()
      .min(1)
      .max(MAX_INVITATION_USES)
      .optional()
      .describe('Acceptances allowed; default 1 (an email invitation is always used once)'),
    expiresInSeconds: z
      .number()
      .int()
      .min(60)
      .max(MAX_INVITATION_TTL_SECONDS)
      .optional()
      .describe('Default 7 days, at most 30'),
  })
  .strict()
  .refine((v) => v.email === undefined || v.maxUses === undefined || v.maxUses === 1, {
    message: 'an email invitation is accepted once: omit maxUses or set it to 1',
    path: ['maxUses'],
  });

export type CreateInvitationInput = z.input<typeof createInvitationInputSchema>;

/** Invitation tokens are 43 base64url characters; anything far longer is not one. */
export const invitationTokenSchema = z.string().min(1).max(200);

export const acceptInvitationInputSchema = z.object({ token: invitationTokenSchema }).strict();
