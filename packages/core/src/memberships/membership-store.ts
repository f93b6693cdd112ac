import type { Page, PageRequest } from '../ports/pagination.js';
import type { Member, Membership } from './memberships.js';

/** The memberships slice of the storage port. Every method names its tenant. */
export interface MembershipStore {
  /** Inserts a membership. Throws a conflict when the user is already a member of the tenant. */
  create(membership: Membership): Promise<void>;
  /** The user's membership in this tenant, or null. */
  find(tenantId: string, userId: string): Promise<Membership | null>;
  /** Members of the tenant with their user fields, ordered by membership id, in one query. */
  listByTenant(tenantId: string, page: PageRequest): Promise<Page<Member>>;
  /** Every membership of the user, across tenants, ordered by tenant id. */
  listByUser(userId: string): Promise<Membership[]>;
}
