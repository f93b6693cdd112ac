import { recordChange } from '../audit/index.js';
import type { CallContext } from '../call-context.js';
import { generateToken, sha256Hex } from '../crypto/random.js';
import { uuidv7 } from '../crypto/uuid.js';
import { AuthError, isAuthError, type StepUpRequirement } from '../errors.js';
import type { Clock } from '../ports/clock.js';
import type { Storage, StorageStores } from '../ports/storage.js';
import { headerValue, type RequestHeaders } from '../request-headers.js';
import type { User } from '../users/users.js';
import type { SessionCache } from './session-cache.js';
import { readCookie } from './session-cookie.js';
import type { ResolvedSessionOptions } from './session-options.js';
import type { IssuedSession, Session, SessionWithUser } from './sessions.js';
import { checkStepUp } from './step-up.js';

/**
 * The session operations of `auth.api`: reading, listing and revoking a user's sessions, and the
 * step-up check.
 */
export interface SessionsApi {
  /** Revokes the session this token belongs to; a no-op for an unknown token. */
  signOut(sessionToken: string, context?: CallContext): Promise<void>;
  /**
   * The session of a request, or null: its session cookie, or, when it carries none, its
   * `Authorization: Bearer <access token>` (token mode: a valid, unrevoked access token of a
   * user's session, then that session, which must still be active). A request that carries the
   * cookie is always judged by the cookie. Accepts a Web `Request`, its `Headers`, or Node's
   * header object (`req.headers` in Express, Fastify, `node:http`), which is read as is: only
   * the `Cookie` and `Authorization` headers are looked at, so nothing needs converting first.
   *
   * @example
   * const current = await auth.api.getSession(request) // null when signed out
   * const fromExpress = await auth.api.getSession(req.headers)
   */
  getSession(request: Request | RequestHeaders): Promise<SessionWithUser | null>;
  /** The active session for a raw session token and its active user, or null. Extends idle expiry. */
  validateSessionToken(token: string): Promise<SessionWithUser | null>;
  /** The user's active sessions. */
  listSessions(userId: string): Promise<Session[]>;
  /** Revokes one of the user's sessions; `not_found` when absent or already revoked. */
  revokeSession(userId: string, sessionId: string, context?: CallContext): Promise<void>;
  /** Revokes every session of the user but `currentSessionId`; returns how many. */
  revokeOtherSessions(userId: string, currentSessionId: string, context?: CallContext): Promise<number>;
  /** Revokes every session of the user; returns how many. */
  revokeAllSessions(userId: string, context?: CallContext): Promise<number>;
  /**
   * Step-up check: returns when the session's user authenticated at most `maxAgeSeconds` ago (by
   * one of `methods` when given, e.g. `['otp', 'hwk']`; by any method otherwise), and throws
   * `AuthError('step_up_required')` carrying the requirement when not. Answered over HTTP (core's
   * handler, the Express and Next.js helpers) it is a 401 problem with the RFC 9470 challenge
   * `WWW-Authenticate: Bearer error="insufficient_user_authentication", …, max_age=<n>`; the
   * client then calls `POST /reauthenticate` and retries. An invalid requirement is
   * `config_invalid`.
   *
   * @example
   * auth.api.checkStepUp(current.session, { maxAgeSeconds: 300 }) // throws unless fresh enough
   */
  checkStepUp(session: Pick<Session, 'authTime'>, requirement: StepUpRequirement): void;
}

/** The sessions domain: its `auth.api` operations and what the sign-in flows use. */
export interface SessionService {
  api: SessionsApi;
  /**
   * Creates a session with a fresh 256-bit token, on the caller's transaction. `priorAuthTime`:
   * methods proven earlier in the same sign-in (epoch seconds), e.g. `{ pwd }` before `otp`;
   * they precede `method` in `amr`.
   */
  createSession(
    tx: StorageStores,
    input: {
      user: User;
      tenantId: string | null;
      method: string;
      priorAuthTime?: Record<string, number>;
      /**
       * `amr` values that are facts about the sign-in rather than methods with a time of their
       * own, appended after `method`: `mfa` for a passkey that verified its user (RFC 8176).
       */
      extraAmr?: string[];
      context: CallContext;
    },
  ): Promise<IssuedSession>;
  /**
   * Records that the user of this session just proved `method` again (step-up): sets the
   * session's `authTime[method]` to now and adds `method` to its `amr`, audits
   * `session.reauthenticated` in the same transaction, then drops every cached copy of the
   * user's sessions so no instance serves the old `authTime`. `unauthenticated` when the session
   * was revoked in the meantime.
   */
  recordAuthentication(current: SessionWithUser, method: string, context?: CallContext): Promise<Session>;
}

/** What the session service uses. */
export interface SessionServiceDeps {
  storage: Storage;
  clock: Clock;
  /** Present when `session.cache` is on: validated sessions are served from it. */
  sessionCache: SessionCache | null;
  /** Verifies bearer access tokens (token mode): what a bearer request's session is read from. */
  accessTokens: {
    verify(token: string): Promise<{
      type: string;
      id: string;
      sessionId: string | null;
      clientId: string;
      actor: unknown;
    }>;
  };
}

export interface SessionServiceOptions {
  session: ResolvedSessionOptions;
  /** The session cookie's name as browsers send it (with `__Host-` on https). */
  cookieName: string;
  /**
   * The clients whose access tokens stand for their session (token mode's first-party apps). A
   * token issued to any other client, or naming an actor (`act`: an exchange), is no session:
   * it authorizes what its scopes say, never the account routes.
   */
  firstPartyClientIds: readonly string[];
}

export function createSessionService(
  deps: SessionServiceDeps,
  { session: settings, cookieName, firstPartyClientIds }: SessionServiceOptions,
): SessionService {
  const { storage, clock, sessionCache: cache } = deps;

  /**
   * The active session for a token hash: from the cache when it has a current entry, else from
   * the database. A fill reads the revocation versions *before* the database read it caches, so
   * a revocation committed in between leaves the entry stale-tagged, never served.
   */
  async function lookUp(tokenHash: string, now: Date): Promise<SessionWithUser | null> {
    if (!cache) return storage.sessions.findActiveByTokenHash(tokenHash, now);
    const cached = await cache.get(tokenHash);
    if (cached && isActive(cached.session, now)) return { ...cached };
    const first = await storage.sessions.findActiveByTokenHash(tokenHash, now);
    if (!first) return null;
    const versions = await cache.readVersions({ userId: first.user.id, tenantId: first.session.tenantId });
    if (versions === undefined) return first; // the shared store is down: the database answers alone
    const confirmed = await storage.sessions.findActiveByTokenHash(tokenHash, now);
    if (confirmed) await cache.set(tokenHash, confirmed, versions);
    return confirmed;
  }

  /** Whether `lastSeenAt` is due a write: at most once per interval, never per request. */
  function touchDue(session: Session, now: Date): boolean {
    return now.getTime() - session.lastSeenAt.getTime() >= settings.touchIntervalSeconds * 1000;
  }

  async function validate(tokenHash: string, now: Date): Promise<SessionWithUser | null> {
    const found = await lookUp(tokenHash, now);
    if (!found || found.user.status !== 'active') return null;
    if (touchDue(found.session, now)) {
      const idleExpiresAt = new Date(
        Math.min(now.getTime() + settings.idleTtlSeconds * 1000, found.session.expiresAt.getTime()),
      );
      await storage.sessions.touch(found.session.id, now, idleExpiresAt);
      found.session = { ...found.session, lastSeenAt: now, idleExpiresAt };
      cache?.update(tokenHash, found.session);
    }
    return found;
  }

  /**
   * The session a user's access token belongs to, when the token verifies (signature, expiry,
   * revocation) and the session is still active: a revoked session ends its tokens here at once,
   * whatever the revocation state has heard.
   */
  async function sessionOfAccessToken(accessToken: string): Promise<SessionWithUser | null> {
    let principal: Awaited<ReturnType<SessionServiceDeps['accessTokens']['verify']>>;
    try {
      principal = await deps.accessTokens.verify(accessToken);
    } catch (error) {
      if (isAuthError(error, 'access_token_invalid')) return null;
      throw error;
    }
    if (principal.type !== 'user' || !principal.sessionId) return null;
    // an impersonation or delegation token, or one issued to an M2M or third-party client,
    // carries the session's id but not the user's whole account: never the account routes
    if (principal.actor || !firstPartyClientIds.includes(principal.clientId)) return null;
    const now = clock.now();
    const sessions = await storage.sessions.listActiveByUser(principal.id, now);
    const session = sessions.find((s) => s.id === principal.sessionId);
    if (!session) return null;
    const user = await storage.users.findById(principal.id);
    return user && user.status === 'active' ? { session, user } : null;
  }

  const api: SessionsApi = {
    async signOut(token, context = {}) {
      const found = await storage.sessions.findActiveByTokenHash(sha256Hex(token), clock.now());
      if (!found) return;
      await api
        .revokeSession(found.user.id, found.session.id, {
          actor: { type: 'user', id: found.user.id },
          ...context,
        })
        .catch((error) => {
          // a concurrent sign-out already revoked it: the outcome is the same. Anything else
          // (storage down) must not be answered as a successful sign-out.
          if (!isAuthError(error, 'not_found')) throw error;
        });
    },

    getSession(request) {
      const headers = headersOf(request);
      const token = readCookie(headerValue(headers, 'cookie'), cookieName);
      if (token) return api.validateSessionToken(token);
      const bearer = bearerToken(headerValue(headers, 'authorization'));
      return bearer ? sessionOfAccessToken(bearer) : NO_SESSION;
    },

    validateSessionToken(token) {
      if (!token || token.length > 256) return NO_SESSION;
      try {
        const now = clock.now();
        const tokenHash = sha256Hex(token);
        // the fast path: a fresh L1 hit is answered without I/O, a promise chain or another Date
        const hit = cache?.peek(tokenHash, now.getTime());
        if (hit && hit.user.status === 'active' && isActive(hit.session, now) && !touchDue(hit.session, now))
          return Promise.resolve({ ...hit });
        return validate(tokenHash, now);
      } catch (error) {
        return Promise.reject(error);
      }
    },

    listSessions: (userId) => storage.sessions.listActiveByUser(userId, clock.now()),

    async revokeSession(userId, sessionId, context = {}) {
      await storage.transaction(async (tx) => {
        const revoked = await tx.sessions.revoke(userId, sessionId, clock.now(), 'user_revoked');
        if (!revoked) throw new AuthError('not_found', { detail: 'no such active session' });
        await recordChange(tx, clock, context, {
          tenantId: null,
          action: 'session.revoked',
          target: { type: 'session', id: sessionId },
          data: { userId, reason: 'user_revoked' },
        });
      });
    },

    revokeOtherSessions(userId, currentSessionId, context = {}) {
      return revokeAll(userId, context, 'revoked_by_user', currentSessionId);
    },

    revokeAllSessions(userId, context = {}) {
      return revokeAll(userId, context, 'revoked_all');
    },

    checkStepUp: (session, requirement) => checkStepUp(session, requirement, clock.now()),
  };

  return {
    api,

    async createSession(tx, { user, tenantId, method, priorAuthTime = {}, extraAmr = [], context }) {
      const now = clock.now();
      const token = generateToken(32);
      const nowSeconds = Math.floor(now.getTime() / 1000);
      const session: Session = {
        id: uuidv7(now.getTime()),
        userId: user.id,
        tenantId,
        tokenHash: sha256Hex(token),
        createdAt: now,
        lastSeenAt: now,
        idleExpiresAt: new Date(now.getTime() + settings.idleTtlSeconds * 1000),
        expiresAt: new Date(now.getTime() + settings.absoluteTtlSeconds * 1000),
        revokedAt: null,
        revokedReason: null,
        ip: context.ip ?? null,
        userAgent: context.userAgent?.slice(0, 512) ?? null,
        amr: [...new Set([...Object.keys(priorAuthTime).filter((m) => m !== method), method, ...extraAmr])],
        authTime: { ...priorAuthTime, [method]: nowSeconds },
      };
      await tx.sessions.create(session);
      await recordChange(tx, clock, context, {
        tenantId,
        action: 'session.created',
        actor: { type: 'user', id: user.id },
        target: { type: 'session', id: session.id },
        data: { userId: user.id, method },
      });
      return { session, token };
    },

    recordAuthentication({ session, user }, method, context = {}) {
      return storage.transaction(async (tx) => {
        const updated = await tx.sessions.recordAuthentication(session.id, method, clock.now());
        if (!updated) throw new AuthError('unauthenticated', { detail: 'the session has ended' });
        await recordChange(tx, clock, context, {
          tenantId: session.tenantId,
          action: 'session.reauthenticated',
          actor: { type: 'user', id: user.id },
          target: { type: 'session', id: session.id },
          data: { userId: user.id, method },
        });
        return updated;
      });
    },
  };

  function revokeAll(userId: string, context: CallContext, reason: string, except?: string) {
    return storage.transaction(async (tx) => {
      const count = await tx.sessions.revokeAllForUser(userId, clock.now(), reason, except);
      await recordSessionsRevoked(tx, clock, context, { userId, count, reason, keptSessionId: except });
      return count;
    });
  }
}

const NO_SESSION: Promise<null> = Promise.resolve(null);

/** The token of an `Authorization: Bearer <token>` header (RFC 6750 §2.1), or null. */
export function bearerToken(authorization: string | null | undefined): string | null {
  if (!authorization) return null;
  const match = /^Bearer +([A-Za-z0-9\-._~+/]+=*) *$/i.exec(authorization);
  return match ? match[1]! : null;
}

/** A Web `Request`'s headers; `Headers` and Node's header object as they are. */
function headersOf(request: Request | RequestHeaders): RequestHeaders {
  // duck-typed, like headerValue: Request and Headers classes from another realm count too
  const inner = (request as { headers?: unknown }).headers;
  return typeof inner === 'object' && inner !== null && typeof (inner as Headers).get === 'function'
    ? (inner as Headers)
    : (request as RequestHeaders);
}

function isActive(session: Session, now: Date): boolean {
  return (
    session.revokedAt === null &&
    session.expiresAt.getTime() > now.getTime() &&
    session.idleExpiresAt.getTime() > now.getTime()
  );
}

/**
 * Records `session.revoked_all` (audit and outbox, on the caller's transaction) for sessions of
 * `userId` that were just revoked together, whatever the cause (the user, a password change or
 * reset, a suspension): a subscriber to `session.*` hears of every revocation. Nothing when
 * `count` is 0.
 */
export async function recordSessionsRevoked(
  tx: StorageStores,
  clock: Clock,
  context: CallContext,
  revoked: { userId: string; count: number; reason: string; keptSessionId?: string | undefined },
): Promise<void> {
  const { userId, count, reason, keptSessionId } = revoked;
  if (count === 0) return;
  await recordChange(tx, clock, context, {
    tenantId: null,
    action: 'session.revoked_all',
    target: { type: 'user', id: userId },
    data: { userId, count, reason, ...(keptSessionId ? { keptSessionId } : {}) },
  });
}
