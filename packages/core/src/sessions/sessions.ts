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

/**
 * `amr` and `authTime` after the session's user proved `method` at `at`: the method's time is
 * set (epoch seconds, floored) and the method is appended to `amr` unless already listed. The
 * one rule every `SessionStore.recordAuthentication` applies.
 *
 * @example
 * withAuthentication({ amr: ['pwd'], authTime: { pwd: 1700000000 } }, 'otp', new Date(1700000300_000))
 * // { amr: ['pwd', 'otp'], authTime: { pwd: 1700000000, otp: 1700000300 } }
 */
export function withAuthentication(
  session: Pick<Session, 'amr' | 'authTime'>,
  method: string,
  at: Date,
): Pick<Session, 'amr' | 'authTime'> {
  return {
    amr: session.amr.includes(method) ? [...session.amr] : [...session.amr, method],
    authTime: { ...session.authTime, [method]: Math.floor(at.getTime() / 1000) },
  };
}
