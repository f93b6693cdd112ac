import type { Page, PageRequest } from '../ports/pagination.js';
import type { Member, Membership } from './memberships.js';

/**
 * The memberships slice of the storage port. Every method names its tenant.
 *
 * Memberships carry no version of their own: a membership is one indexed read by (tenant, user),
 * so authorization reads it on every request and role changes or removals take effect on the
 * next one; `updatedAt` records when it last changed.
 */
export interface MembershipStore {
  /** Inserts a membership. Throws a conflict when the user is already a member of the tenant. */
  create(membership: Membership): Promise<void>;
  /** The user's membership in this tenant, or null. */
  find(tenantId: string, userId: string): Promise<Membership | null>;
  /** Members of the tenant with their user fields, ordered by membership id, in one query. */
  listByTenant(tenantId: string, page: PageRequest): Promise<Page<Member>>;
  /** Every membership of the user, across tenants, ordered by tenant id. */
  listByUser(userId: string): Promise<Membership[]>;
  /**
   * Replaces the membership's role keys and sets `updatedAt`. Returns the membership as this call
   * left it, or null when the user is not a member of the tenant.
   */
  updateRoles(tenantId: string, userId: string, roles: string[], updatedAt: Date): Promise<Membership | null>;
  /**
   * Replaces the membership's ABAC attributes and sets `updatedAt`. Returns the membership as this
   * call left it, or null when the user is not a member of the tenant.
   */
  updateAttributes(
    tenantId: string,
    userId: string,
    attributes: Record<string, unknown>,
    updatedAt: Date,
  ): Promise<Membership | null>;
  /**
   * Deletes the user's membership in the tenant. Returns true for the caller that deleted it: of
   * concurrent callers exactly one wins. False when the user is not a member.
   */
  remove(tenantId: string, userId: string): Promise<boolean>;
  /**
   * How many memberships of the tenant hold this role key (the last-owner rule). A snapshot: to
   * act on it safely, count and change in one transaction.
   */
  countWithRole(tenantId: string, roleKey: string): Promise<number>;
}
