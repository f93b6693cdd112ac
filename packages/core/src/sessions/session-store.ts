import type { User } from '../users/users.js';
import type { Session } from './sessions.js';

/** The sessions slice of the storage port. */
export interface SessionStore {
  /** Inserts a session. Throws a conflict if the token hash already exists. */
  create(session: Session): Promise<void>;
  /**
   * The session with this token hash and its user, in one query, if the session is not revoked
   * and neither `expiresAt` nor `idleExpiresAt` is at or before `now`; otherwise null.
   */
  findActiveByTokenHash(tokenHash: string, now: Date): Promise<{ session: Session; user: User } | null>;
  /**
   * Takes the session row's write lock until the transaction ends (`SELECT … FOR UPDATE`), so a
   * change to what belongs to the session (its refresh-token family) is serialized with
   * everything else that locks the row first (a rotation, a revocation). Returns false, locking
   * nothing, when no session has this id. Only meaningful on a transaction's stores; where
   * transactions run one at a time (SQLite, memory) an existence check suffices.
   */
  lock(id: string): Promise<boolean>;
  /** Records use: sets `lastSeenAt` and `idleExpiresAt` (never past `expiresAt`; callers clamp). */
  touch(sessionId: string, lastSeenAt: Date, idleExpiresAt: Date): Promise<void>;
  /**
   * Records that the session's user just proved `method` again (step-up): sets
   * `authTime[method]` to `at` in epoch seconds (floored) and appends `method` to `amr` when it is
   * not there yet; nothing else changes. Applies only to an unrevoked session and returns it as
   * written, or null when the session is absent or revoked.
   *
   * Atomic per session: concurrent calls, for the same or different methods, all take effect —
   * none overwrites another's method with what it read before (no lost update), and `amr` never
   * lists a method twice.
   */
  recordAuthentication(sessionId: string, method: string, at: Date): Promise<Session | null>;
  /** The user's sessions that are active at `now`, newest first. */
  listActiveByUser(userId: string, now: Date): Promise<Session[]>;
  /**
   * Revokes one session of this user if it is not revoked yet. Returns true for the caller that
   * revoked it: of concurrent callers exactly one wins. False when absent, another user's, or
   * already revoked.
   */
  revoke(userId: string, sessionId: string, revokedAt: Date, reason: string): Promise<boolean>;
  /**
   * Revokes every unrevoked session of the user except `exceptSessionId`; returns how many this
   * call revoked (concurrent callers never count one session twice).
   */
  revokeAllForUser(
    userId: string,
    revokedAt: Date,
    reason: string,
    exceptSessionId?: string,
  ): Promise<number>;
  /**
   * Revokes every unrevoked session acting in this tenant (`tenantId` equal to it); returns how
   * many this call revoked. Used when a tenant is suspended.
   */
  revokeAllForTenant(tenantId: string, revokedAt: Date, reason: string): Promise<number>;
  /**
   * Revokes every unrevoked session of this user acting in this tenant (`tenantId` equal to it),
   * leaving their other sessions alone; returns how many this call revoked (concurrent callers
   * never count one session twice). Used when a member is removed or leaves.
   */
  revokeAllForTenantMember(
    tenantId: string,
    userId: string,
    revokedAt: Date,
    reason: string,
  ): Promise<number>;
}
