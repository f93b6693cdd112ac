import type { Clock } from '../ports/clock.js';
import { type KeyValue, readMany } from '../ports/key-value.js';
import type { Logger } from '../ports/logger.js';
import type { Storage } from '../ports/storage.js';
import { MAX_ACCESS_TOKEN_TTL_SECONDS } from './token-options.js';
import type { AccessTokenClaims } from './tokens.js';

/**
 * Access tokens to deny, as the storage wrapper's effects table announces them after a commit:
 * every token of these sessions; every token of these users (except, per user, those of the
 * session that asked, as a password change keeps the current session); every token acting in
 * these tenants; every token of a user acting in a tenant they left; every token issued to
 * these (deleted) clients.
 */
export interface RevokedAccessTokens {
  sessionIds?: string[];
  users?: Array<{ userId: string; exceptSessionId?: string }>;
  tenantIds?: string[];
  members?: Array<{ tenantId: string; userId: string }>;
  /** Every token issued to these clients (`client_id`): their own and those issued through them. */
  clientIds?: string[];
}

/**
 * Revocation state for access tokens, which are checked without a database read: a revoked-`sid`
 * set, a per-user (and per-tenant, per-membership) "valid after" epoch and a revoked-`jti` set,
 * each entry kept in the shared key-value store until no token it could deny is still unexpired.
 */
export interface AccessTokenRevocations {
  /** The after-commit effect: records the revocation before the revoking call resolves. */
  revoked(scope: RevokedAccessTokens): Promise<void>;
  /** Denies one token (by `jti`) until it expires. */
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
  logger: Logger;
}): AccessTokenRevocations {
  const { kv, storage, clock, logger } = collaborators;
  let lastDegradedLogMs = Number.NEGATIVE_INFINITY;

  async function put(key: string, value: string) {
    try {
      await kv.set(PREFIX + key, value, { ttlSeconds: ENTRY_TTL_SECONDS });
    } catch (error) {
      // the revocation is committed; instances then fall back to the database only while the
      // store is down, so record loudly that an entry is missing
      logger.error('access token revocation not recorded in the key-value store', { key, error });
    }
  }

  /**
   * The database's view: is the token's session still active (and, acting in another tenant than
   * its session, its membership)? A client's own token: is the client still active? And in
   * either case, was the token revoked by its `jti`? Logged as degraded when the store is down.
   */
  async function fromDatabase(claims: AccessTokenClaims, storeDown: boolean): Promise<boolean> {
    if (storeDown && clock.now().getTime() - lastDegradedLogMs > DEGRADED_LOG_INTERVAL_MS) {
      lastDegradedLogMs = clock.now().getTime();
      logger.warn('key-value store unreachable: access token revocation checked against the database');
    }
    // a token revoked by its jti: the database keeps that too
    if (await storage.revokedAccessTokens.isRevoked(claims.jti, clock.now())) return true;
    if (!claims.sid) {
      // a client's own token: the client must still exist (a deleted one's epoch may be lost)
      const client = await storage.clients.findById(claims.client_id);
      return client !== null && client.status !== 'active';
    }
    const sessions = await storage.sessions.listActiveByUser(claims.sub, clock.now());
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
      ]);
    },

    async revokeTokenId(tokenId, expiresAt) {
      const now = clock.now();
      const ttlSeconds = Math.ceil((expiresAt.getTime() - now.getTime()) / 1000) + 120;
      if (ttlSeconds <= 120) return;
      // the database first: what verification falls back to while the store is down or lost it
      await storage.revokedAccessTokens.add({ tokenId, expiresAt, revokedAt: now });
      // a failed write fails the revocation: instances that reach the store would not see it
      await kv.set(`${PREFIX}jti:${tokenId}`, '1', { ttlSeconds });
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
