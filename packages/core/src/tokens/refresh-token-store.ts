import type { Session } from '../sessions/sessions.js';

/**
 * One refresh token of a family: the first one a sign-in issued (generation 1, no parent) or the
 * successor a rotation wrote. Only `tokenHash` (SHA-256 of the opaque `pc_rt_…` token) is stored.
 */
export interface RefreshToken {
  id: string;
  /** Every token descending from one sign-in shares it; reuse revokes the whole family. */
  familyId: string;
  /** The token this one replaced, null for the first of its family. */
  parentId: string | null;
  /** 1 for the first token of a family, its parent's plus one after that. */
  generation: number;
  /** The session the family is bound to: it dies with the session. */
  sessionId: string;
  userId: string;
  tenantId: string | null;
  /** The first-party (or OAuth) client the family was issued to. */
  clientId: string;
  /** Space-separated scopes the family carries; null for a first-party sign-in. */
  scope: string | null;
  tokenHash: string;
  createdAt: Date;
  /** The family's absolute end, the same for every generation; never after the session's. */
  expiresAt: Date;
  /** When this token was exchanged for its successor (`replacedById`), null while it is current. */
  rotatedAt: Date | null;
  replacedById: string | null;
  /** How many retries within the grace window were answered with the same successor. */
  graceReplays: number;
  revokedAt: Date | null;
  revokedReason: string | null;
}

/** A refresh token and the session its family is bound to, whatever the session's state. */
export interface RefreshTokenWithSession {
  token: RefreshToken;
  session: Session;
}

/** The refresh-tokens slice of the storage port. */
export interface RefreshTokenStore {
  /** Inserts a token. Throws a conflict if its id or token hash exists. */
  create(token: RefreshToken): Promise<void>;
  /**
   * The token with this hash and its session, in one query, whatever their state (rotated,
   * revoked, expired: the caller tells reuse from a typo by it); null when no token has this hash.
   */
  findByTokenHash(tokenHash: string): Promise<RefreshTokenWithSession | null>;
  /**
   * The rotation's compare-and-set: marks the token rotated at `now`, replaced by `childId`,
   * when it is current (not rotated, not revoked, not expired at `now`) and its session is
   * active at `now`. Returns true for the caller that rotated it: of concurrent callers exactly
   * one wins. Call it inside the transaction that writes the child.
   *
   * It takes the session row's write lock first (before the token's), so a concurrent revocation
   * of the session either committed before (this returns false) or waits for this transaction.
   */
  claimRotation(tokenId: string, childId: string, now: Date): Promise<boolean>;
  /**
   * A retry of an already rotated token within the grace window: counts one replay when the
   * token was rotated at or after `rotatedSince`, has fewer than `maxReplays` replays, is not
   * revoked, and its session is active at `now` (locked as in {@link claimRotation}). Returns
   * true when it counted: of concurrent callers at most `maxReplays - graceReplays` win.
   */
  claimGraceReplay(tokenId: string, rotatedSince: Date, maxReplays: number, now: Date): Promise<boolean>;
  /**
   * Revokes every unrevoked token of the family; returns how many this call revoked (concurrent
   * callers never count one token twice).
   */
  revokeFamily(familyId: string, revokedAt: Date, reason: string): Promise<number>;
}
