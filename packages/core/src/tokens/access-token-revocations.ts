import type { EventLogger } from '../logging/event-logger.js';
import type { Clock } from '../ports/clock.js';
import { type KeyValue, readMany } from '../ports/key-value.js';
import type { Storage } from '../ports/storage.js';
import { MAX_ACCESS_TOKEN_TTL_SECONDS } from './token-options.js';
import type { AccessTokenClaims } from './tokens.js';

/**
 * Access tokens to deny, as the storage wrapper's effects table announces them after a commit:
 * every token of these sessions; every token of these users (except, per user, those of the
 * session that asked, as a password change keeps the current session); every token acting in
 * these tenants; every token of a user acting in a tenant they left; every token issued to
 * these (deleted) clients; these tokens by their `jti`.
 */
export interface RevokedAccessTokens {
  sessionIds?: string[];
  users?: Array<{ userId: string; exceptSessionId?: string }>;
  tenantIds?: string[];
  members?: Array<{ tenantId: string; userId: string }>;
  /** Every token issued to these clients (`client_id`): their own and those issued through them. */
  clientIds?: string[];
  /** These tokens (by `jti`), each until its expiry. */
  tokens?: Array<{ tokenId: string; expiresAt: Date }>;
}

/**
 * Revocation state for access tokens, which are checked without a database read: a revoked-`sid`
 * set, a per-user (and per-tenant, per-membership) "valid after" epoch and a revoked-`jti` set,
 * each entry kept in the shared key-value store until no token it could deny is still unexpired.
 */
export interface AccessTokenRevocations {
  /** The after-commit effect: records the revocation before the revoking call resolves. */
  revoked(scope: RevokedAccessTokens): Promise<void>;
  /**
   * Denies one token (by `jti`) until it expires: a row of `revoked_access_tokens`, whose
   * after-commit effect writes the store's entry. Inside a caller's transaction, write that row
   * with `tx.revokedAccessTokens.add` instead: the effect follows its commit.
   */
  revokeTokenId(tokenId: string, expiresAt: Date): Promise<void>;
  /**
   * True when the token must be refused. Reads the shared store in one round trip; when the
   * store is unreachable, decides from the database (sessions and memberships), logged as
   * degraded, and refuses what it cannot prove valid.
   */
  isRevoked(claims: AccessTokenClaims): Promise<boolean>;
}

const PREFIX = 'pc:at:';
// Long enough to outlive every token issued before the entry, with the verifier's tolerance.
const ENTRY_TTL_SECONDS = MAX_ACCESS_TOKEN_TTL_SECONDS + 120;
const DEGRADED_LOG_INTERVAL_MS = 10_000;
// Written once per store (no expiry): when it is missing, the store has lost its entries.
const SINCE_KEY = `${PREFIX}since`;

/** The issue time of a token in milliseconds: from its UUIDv7 `jti` when it has one, else `iat`. */
export function issuedAtMs(claims: Pick<AccessTokenClaims, 'jti' | 'iat'>): number {
  const uuid = /^([0-9a-f]{8})-([0-9a-f]{4})-7[0-9a-f]{3}-/i.exec(claims.jti);
  if (uuid?.[1] && uuid[2]) {
    const ms = Number.parseInt(uuid[1] + uuid[2], 16);
    // a jti whose time disagrees with iat is not trusted for sub-second precision
    if (Math.floor(ms / 1000) === claims.iat) return ms;
  }
  return claims.iat * 1000;
}

export function createAccessTokenRevocations(collaborators: {
  /** The shared store, not wrapped in a local fallback: an outage must be seen, not hidden. */
  kv: KeyValue;
  storage: Storage;
  clock: Clock;
  logger: EventLogger;
}): AccessTokenRevocations {
  const { kv, storage, clock, logger } = collaborators;
  let lastDegradedLogMs = Number.NEGATIVE_INFINITY;

  async function put(key: string, value: string, ttlSeconds = ENTRY_TTL_SECONDS) {
    try {
      await kv.set(PREFIX + key, value, { ttlSeconds });
    } catch (error) {
      // the revocation is committed; instances then fall back to the database only while the
      // store is down, so record loudly that an entry is missing
      logger.error('portcullis.access_token.revocation_not_recorded', { key, error });
    }
  }

  /**
   * The database's view, when the store cannot answer (down) or may have forgotten (flushed).
   * Refused: a token revoked by its `jti`; any token of a registered client that is no longer
   * active, or of a tenant that is not; a session-bound token whose session ended (or, acting in
   * another tenant than its session's, whose membership did); a user's token without a session
   * whose user exists and is not active, or, with the
   * store down, at all (a password change's epoch lives only in the store). Logged as degraded
   * when the store is down.
   */
  async function fromDatabase(claims: AccessTokenClaims, storeDown: boolean): Promise<boolean> {
    const now = clock.now();
    if (storeDown && now.getTime() - lastDegradedLogMs > DEGRADED_LOG_INTERVAL_MS) {
      lastDegradedLogMs = now.getTime();
      logger.warn('portcullis.access_token.revocation_checked_in_database');
    }
    if (await storage.revokedAccessTokens.isRevoked(claims.jti, now)) return true;
    // a deleted client ends its own tokens and those issued through it (an exchange)
    const client = await storage.clients.findById(claims.client_id);
    if (client && client.status !== 'active') return true;
    if (claims.tid) {
      const tenant = await storage.tenants.findById(claims.tid);
      if (tenant?.status !== 'active') return true;
    }
    if (!claims.sid) {
      // a client's own token: a registered client was checked above; one the app names itself
      // (`issueAccessToken` for its own services) is revoked by jti only, which was checked too
      if (claims.sub === claims.client_id) return false;
      if (storeDown) return true;
      // a subject that is no user is one the app named itself (`issueAccessToken`)
      const user = await storage.users.findById(claims.sub);
      return user !== null && user.status !== 'active';
    }
    const sessions = await storage.sessions.listActiveByUser(claims.sub, now);
    const session = sessions.find((s) => s.id === claims.sid);
    if (!session) return true;
    if (claims.tid && session.tenantId !== claims.tid) {
      return (await storage.memberships.find(claims.tid, claims.sub)) === null;
    }
    return false;
  }

  return {
    async revoked(scope) {
      const nowMs = clock.now().getTime();
      await Promise.all([
        ...(scope.sessionIds ?? []).map((sid) => put(`sid:${sid}`, String(nowMs))),
        ...(scope.users ?? []).map((u) =>
          put(`user:${u.userId}`, u.exceptSessionId ? `${nowMs}:${u.exceptSessionId}` : String(nowMs)),
        ),
        ...(scope.tenantIds ?? []).map((tid) => put(`tenant:${tid}`, String(nowMs))),
        ...(scope.members ?? []).map((m) => put(`member:${m.tenantId}:${m.userId}`, String(nowMs))),
        ...(scope.clientIds ?? []).map((id) => put(`client:${id}`, String(nowMs))),
        ...(scope.tokens ?? []).map(({ tokenId, expiresAt }) =>
          put(`jti:${tokenId}`, '1', Math.ceil((expiresAt.getTime() - nowMs) / 1000) + 120),
        ),
      ]);
    },

    async revokeTokenId(tokenId, expiresAt) {
      const now = clock.now();
      // already expired: refused anyway, nothing to remember
      if (expiresAt.getTime() <= now.getTime()) return;
      await storage.revokedAccessTokens.add({ tokenId, expiresAt, revokedAt: now });
    },

    async isRevoked(claims) {
      const keys = [
        SINCE_KEY,
        `${PREFIX}jti:${claims.jti}`,
        `${PREFIX}user:${claims.sub}`,
        `${PREFIX}client:${claims.client_id}`,
      ];
      if (claims.sid) keys.push(`${PREFIX}sid:${claims.sid}`);
      if (claims.tid)
        keys.push(`${PREFIX}tenant:${claims.tid}`, `${PREFIX}member:${claims.tid}:${claims.sub}`);
      let values: (string | null)[];
      try {
        values = await readMany(kv, keys);
      } catch {
        return fromDatabase(claims, true);
      }
      const [since, jti, user, client, ...rest] = values;
      if (jti !== null && jti !== undefined) return true;
      // A store that lost its entries (flushed, failed over to an empty replica) would forget
      // revocations: its marker is gone with them. Until every token issued before then has
      // expired, the database confirms each session-bound token as well.
      const nowMs = clock.now().getTime();
      if (since == null) {
        // a failed write only means the next verification confirms with the database again
        await Promise.resolve()
          .then(() => kv.setIfAbsent(SINCE_KEY, String(nowMs)))
          .catch(() => false);
      }
      if (since == null || nowMs - Number(since) < ENTRY_TTL_SECONDS * 1000) {
        if (await fromDatabase(claims, false)) return true;
      }
      const issuedMs = issuedAtMs(claims);
      if (client != null && issuedMs <= Number(client)) return true;
      if (user) {
        const [epoch, exceptSessionId] = user.split(':');
        if (issuedMs <= Number(epoch) && !(exceptSessionId && exceptSessionId === claims.sid)) return true;
      }
      if (claims.sid && rest.shift() != null) return true;
      // tenant and membership epochs
      return rest.some((epoch) => epoch != null && issuedMs <= Number(epoch));
    },
  };
}
