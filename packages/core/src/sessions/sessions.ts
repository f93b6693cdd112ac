import type { User } from '../users/users.js';

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

/** A validated session and its user. */
export interface SessionWithUser {
  session: Session;
  user: User;
}

/** A new session with its token: the token is returned once and never stored. */
export interface IssuedSession {
  session: Session;
  token: string;
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

/**
 * The RFC 8176 `amr` values Portcullis treats as a second factor: one-time codes (TOTP and
 * recovery codes record `otp`), hardware- and software-bound keys (passkeys record `hwk`), and
 * codes sent by SMS or telephone.
 */
const SECOND_FACTOR_METHODS: ReadonlySet<string> = new Set(['otp', 'hwk', 'swk', 'sms', 'tel']);

/**
 * Whether a session's authentication was multi-factor: `amr` says `mfa` (an authenticator that
 * is multi-factor by itself, such as a passkey with user verification), or it holds a second
 * factor together with another method. Two methods of the first kind (a password and a magic
 * link, say) are not multi-factor: neither proves possession of a registered authenticator.
 *
 * @example
 * isMultiFactor(['pwd', 'otp'])   // true
 * isMultiFactor(['hwk', 'mfa'])   // true
 * isMultiFactor(['pwd', 'email']) // false
 */
export function isMultiFactor(amr: readonly string[]): boolean {
  if (amr.includes('mfa')) return true;
  const distinct = new Set(amr);
  return distinct.size > 1 && [...distinct].some((method) => SECOND_FACTOR_METHODS.has(method));
}
