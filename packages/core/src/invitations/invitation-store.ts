import type { Page, PageRequest } from '../ports/pagination.js';
import type { Invitation } from './invitations.js';

/** The invitations slice of the storage port. */
export interface InvitationStore {
  /** Inserts an invitation. Throws a conflict when the id or the token hash exists. */
  create(invitation: Invitation): Promise<void>;
  /**
   * The invitation with this token hash, in any tenant (the token is the credential), whatever
   * its status or expiry; or null.
   */
  findByTokenHash(tokenHash: string): Promise<Invitation | null>;
  /** The tenant's invitations, every status, ordered by id, page by page. */
  listByTenant(tenantId: string, page: PageRequest): Promise<Page<Invitation>>;
  /**
   * Revokes the tenant's invitation if it is still pending, setting `updatedAt`. Returns true for
   * the caller that revoked it (of concurrent callers exactly one wins); false when absent,
   * another tenant's, already revoked or exhausted.
   */
  revoke(tenantId: string, id: string, updatedAt: Date): Promise<boolean>;
  /**
   * Uses the invitation once, in one conditional UPDATE: `uses` goes up by one only when it is
   * pending, `expiresAt` is after `now` and `uses < maxUses`; the use that reaches `maxUses` also
   * sets it `exhausted`. Returns the invitation as this call left it, or null when it could not be
   * used. Under concurrency `maxUses` is never exceeded: of 20 concurrent callers on an invitation
   * with 3 uses left, exactly 3 get it.
   */
  consumeUse(id: string, now: Date): Promise<Invitation | null>;
}
