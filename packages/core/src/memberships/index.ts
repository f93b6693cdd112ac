export { createMembershipService, type MembershipService } from './membership-service.js';
export type { MembershipStore } from './membership-store.js';
export type { Member, Membership } from './memberships.js';
