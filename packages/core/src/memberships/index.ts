export {
  MAX_MEMBER_ATTRIBUTES_BYTES,
  MAX_MEMBER_ROLES,
  memberRolesSchema,
  type UpdateMemberInput,
  updateMemberInputSchema,
} from './membership-schemas.js';
export { createMembershipService, type MembersApi, type MembershipService } from './membership-service.js';
export type { MembershipStore } from './membership-store.js';
export type { Member, Membership } from './memberships.js';
