/**
 * A browser (or API client) session. Only `tokenHash` (SHA-256 of the opaque token) is stored;
 * the token itself exists only in the cookie.
 */
export interface Session {
  id: string;
  userId: string;
  /** The tenant the session is acting in, when the user picked one (isolated pools: always). */
  tenantId: string | null;
  tokenHash: string;
  createdAt: Date;
  lastSeenAt: Date;
  /** Expires when not used until then; pushed forward on use. */
  idleExpiresAt: Date;
  /** Hard limit; never extended. */
  expiresAt: Date;
  revokedAt: Date | null;
  revokedReason: string | null;
  ip: string | null;
  userAgent: string | null;
  /** Authentication methods used (RFC 8176 values: `pwd`, `otp`, `hwk`, ...). */
  amr: string[];
  /** When each method was last used, epoch seconds, for step-up checks. */
  authTime: Record<string, number>;
}
