import { z } from 'zod';
import { roleKeySchema } from '../authorization/index.js';
import { jsonObjectSchema } from '../json-object-schema.js';

/** A member holds at most this many roles. */
export const MAX_MEMBER_ROLES = 20;
/** Membership attributes serialize to at most this many bytes of JSON. */
export const MAX_MEMBER_ATTRIBUTES_BYTES = 8_192;

/**
 * The role keys of a member or an invitation: at least one, at most {@link MAX_MEMBER_ROLES},
 * duplicates dropped. Whether each exists in the tenant is the service's check (`unknown_role`).
 */
export const memberRolesSchema = z
  .array(roleKeySchema)
  .min(1, 'at least one role')
  .max(MAX_MEMBER_ROLES)
  .transform((roles) => [...new Set(roles)]);

const attributesSchema = jsonObjectSchema('attributes', { maxBytes: MAX_MEMBER_ATTRIBUTES_BYTES }).describe(
  'ABAC attributes of the member (subject.* in policies), replaced as a whole',
);

export const updateMemberInputSchema = z
  .object({
    roles: memberRolesSchema.optional().describe("Replaces the member's roles"),
    attributes: attributesSchema.optional(),
  })
  .strict()
  .refine((v) => v.roles !== undefined || v.attributes !== undefined, 'nothing to update');

export type UpdateMemberInput = z.input<typeof updateMemberInputSchema>;
