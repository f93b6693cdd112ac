import type { User, UserStatus } from './users.js';

/** The users slice of the storage port. Emails are unique per pool (`tenantId` or shared). */
export interface UserStore {
  /**
   * Inserts a user. Throws a conflict when another user of the same pool has the same
   * normalized email: of concurrent creations with one email, exactly one succeeds.
   */
  create(user: User): Promise<void>;
  findById(id: string): Promise<User | null>;
  /**
   * Locks the user's row until the enclosing transaction ends (`SELECT … FOR UPDATE`); a
   * concurrent transaction locking the same user waits for this one to commit or roll back.
   * Services take it first in a transaction that reads the user's credentials and writes on
   * what it read (whether a new second factor is the first one, and so comes with recovery
   * codes), so two such transactions never both act on one snapshot. Returns false, locking
   * nothing, when no user has this id.
   *
   * Only meaningful on a transaction's stores. Where transactions already run one at a time
   * (SQLite, whose writes are serialized; the memory adapter) a plain existence check suffices.
   */
  lock(id: string): Promise<boolean>;
  /** The user of the pool (`tenantId` null = shared pool) with this normalized email, or null. */
  findByEmail(tenantId: string | null, normalizedEmail: string): Promise<User | null>;
  /** Sets the status; returns the updated user or null when absent. */
  updateStatus(id: string, status: UserStatus, updatedAt: Date): Promise<User | null>;
  /**
   * Sets `emailVerifiedAt` (and `updatedAt`) to `verifiedAt`, in one conditional UPDATE, only
   * when the user's email is still exactly `email` and not verified yet. Returns whether this
   * call verified it (of concurrent callers at most one does).
   */
  markEmailVerified(id: string, email: string, verifiedAt: Date): Promise<boolean>;
}
