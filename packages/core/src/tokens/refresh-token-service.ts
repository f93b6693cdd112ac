import { recordChange } from '../audit/index.js';
import type { CallContext } from '../call-context.js';
import { sha256Hex } from '../crypto/random.js';
import { uuidv7 } from '../crypto/uuid.js';
import { AuthError } from '../errors.js';
import type { Clock } from '../ports/clock.js';
import type { Storage, StorageStores } from '../ports/storage.js';
import type { RateLimiter } from '../rate-limit/index.js';
import type { Session } from '../sessions/sessions.js';
import type { AccessTokenService } from './access-token-service.js';
import {
  createSuccessorDeriver,
  generateRefreshToken,
  isWellFormedRefreshToken,
} from './refresh-token-format.js';
import type { ResolvedRefreshTokensOptions } from './refresh-token-options.js';
import type { RefreshToken, RefreshTokenWithSession } from './refresh-token-store.js';

/**
 * An access token and the refresh token that renews it, as a token response (RFC 6749 §5.1)
 * carries them: `accessToken` is `access_token`, `expiresIn` is `expires_in`, and so on.
 */
export interface TokenPair {
  accessToken: string;
  tokenType: 'Bearer';
  /** Seconds until the access token expires. */
  expiresIn: number;
  refreshToken: string;
}

/** Who a token pair is issued to, beyond the session: the client and its scopes. */
export interface IssueTokensOptions {
  /** Default `refreshTokens.firstPartyClientId`. */
  clientId?: string;
  scopes?: readonly string[];
}

/** The token-mode operations of `auth.api`: access and refresh tokens for apps without cookies. */
export interface RefreshTokensApi {
  /**
   * Issues an access token and the first refresh token of a new family for the session this
   * session token belongs to (what a sign-in returned as `token`), so a mobile or CLI app can
   * hold tokens instead of a cookie. The family is bound to the session: it ends when the
   * session does. `unauthenticated` when the session is not active.
   *
   * @example
   * const signedIn = await auth.api.signIn({ email, password })
   * if (!('mfaRequired' in signedIn)) {
   *   const { accessToken, refreshToken, expiresIn } = await auth.api.issueTokens(signedIn.token)
   * }
   */
  issueTokens(sessionToken: string, options?: IssueTokensOptions, context?: CallContext): Promise<TokenPair>;
  /**
   * Exchanges a refresh token for a new pair; the old refresh token is spent (rotation). A retry
   * of the same token within `refreshTokens.graceSeconds` gets the same successor back (and a new
   * access token); a spent token presented later revokes its family and its session
   * (`refresh_token_reused`, audited as `refresh_token.reuse_detected`). Rate-limited
   * (`tokenRefresh`). Errors: `refresh_token_invalid` (malformed, unknown, expired, revoked, or
   * its session ended), `refresh_token_reused`, `rate_limited`.
   *
   * @example
   * const pair = await auth.api.refreshTokens(stored.refreshToken, { ip })
   * save(pair.refreshToken) // the old one is spent
   */
  refreshTokens(refreshToken: string, context?: CallContext): Promise<TokenPair>;
}

/** The refresh-token domain: its `auth.api` operations, and what `/oauth/token` uses. */
export interface RefreshTokenService {
  api: RefreshTokensApi;
  /**
   * `refreshTokens` for the OAuth `refresh_token` grant (RFC 6749 §6): the same rotation, grace
   * and reuse rules, the same rate limit, and with `clientId`, a token issued to another client
   * is `refresh_token_invalid` (the grant's `invalid_grant`), looked up but never spent.
   */
  refresh(refreshToken: string, options: RefreshOptions, context?: CallContext): Promise<TokenPair>;
  /**
   * Revocation of a refresh token (RFC 7009) by the client it was issued to: its whole family is
   * revoked (audited as `refresh_token.revoked`); the session and the access tokens already
   * issued are left to end on their own (at most the access-token lifetime). Returns whether the
   * token was one of `clientId`'s; anything else (unknown, another client's) changes nothing.
   */
  revoke(refreshToken: string, options: { clientId: string }, context?: CallContext): Promise<boolean>;
}

/** Options of {@link RefreshTokenService.refresh}. */
export interface RefreshOptions {
  /** The client presenting the token: a token of another client is refused, not spent. */
  clientId?: string | undefined;
  /**
   * Scopes for the new access token (RFC 6749 §6): a subset of the family's, which the new
   * refresh token keeps whole; `invalid_scope` otherwise. The family's scopes when absent.
   */
  scopes?: readonly string[] | undefined;
}

/** What the refresh-token service uses. */
export interface RefreshTokenServiceDeps {
  storage: Storage;
  clock: Clock;
  rateLimiter: RateLimiter;
  accessTokens: Pick<AccessTokenService, 'issuePrepared' | 'prepare'>;
  /** The app secret: successors are derived under a key from it. */
  secret: string;
}

export interface RefreshTokenServiceOptions {
  refreshTokens: ResolvedRefreshTokensOptions;
  /** `session.idleTtlSeconds`: a refresh is a use of the session and moves its idle expiry. */
  idleTtlSeconds: number;
}

/** How a presented refresh token was answered, decided under the storage's compare-and-sets. */
type Outcome = { kind: 'pair'; pair: TokenPair } | { kind: 'lost_race' };

export function createRefreshTokenService(
  deps: RefreshTokenServiceDeps,
  options: RefreshTokenServiceOptions,
): RefreshTokenService {
  const { storage, clock, rateLimiter, accessTokens } = deps;
  const { refreshTokens: settings, idleTtlSeconds } = options;
  const deriveSuccessor = createSuccessorDeriver(deps.secret);

  /**
   * Signs the access token for `token`'s session. Called inside the transaction that holds the
   * session's row lock, so the token exists before any revocation of the session can commit.
   */
  async function accessTokenFor(
    token: RefreshToken,
    session: Session,
    refreshToken: string,
    scopes: readonly string[] = scopesOf(token),
  ) {
    const authTimes = Object.values(session.authTime);
    // `prepare` ran before the transaction: signing here reads nothing outside it
    const issued = await accessTokens.issuePrepared({
      subject: token.userId,
      clientId: token.clientId,
      tenantId: token.tenantId,
      sessionId: token.sessionId,
      scopes,
      amr: session.amr,
      ...(authTimes.length > 0 ? { authTime: Math.max(...authTimes) } : {}),
    });
    const pair: TokenPair = {
      accessToken: issued.token,
      tokenType: 'Bearer',
      expiresIn: issued.expiresInSeconds,
      refreshToken,
    };
    return pair;
  }

  /** A refresh is a use of the session: its idle expiry moves, never past its absolute one. */
  async function touchSession(tx: StorageStores, session: Session, now: Date) {
    const idleExpiresAt = new Date(
      Math.min(now.getTime() + idleTtlSeconds * 1000, session.expiresAt.getTime()),
    );
    await tx.sessions.touch(session.id, now, idleExpiresAt);
  }

  /** The current token is spent for its successor: one compare-and-set decides who rotates. */
  async function rotate(
    { token, session }: RefreshTokenWithSession,
    scopes: readonly string[] | undefined,
    context: CallContext,
  ): Promise<Outcome> {
    // the access token is signed inside the transaction: its issuer and key are read before it
    await accessTokens.prepare(token.tenantId);
    return storage.transaction(async (tx) => {
      const now = clock.now();
      const child: RefreshToken = {
        ...token,
        id: uuidv7(now.getTime()),
        parentId: token.id,
        generation: token.generation + 1,
        tokenHash: '',
        createdAt: now,
        rotatedAt: null,
        replacedById: null,
        graceReplays: 0,
        revokedAt: null,
        revokedReason: null,
      };
      if (!(await tx.refreshTokens.claimRotation(token.id, child.id, now))) return { kind: 'lost_race' };
      const successor = deriveSuccessor(token.familyId, token.id, child.generation);
      child.tokenHash = sha256Hex(successor);
      await tx.refreshTokens.create(child);
      await touchSession(tx, session, now);
      await recordChange(tx, clock, context, {
        tenantId: token.tenantId,
        action: 'refresh_token.rotated',
        actor: context.actor ?? { type: 'user', id: token.userId },
        target: { type: 'session', id: token.sessionId },
        data: { userId: token.userId, familyId: token.familyId, generation: child.generation },
      });
      return { kind: 'pair', pair: await accessTokenFor(token, session, successor, scopes) };
    });
  }

  /** A retry within the grace window: the same successor again, if replays remain. */
  async function replay(
    { token, session }: RefreshTokenWithSession,
    scopes: readonly string[] | undefined,
    context: CallContext,
  ): Promise<Outcome> {
    await accessTokens.prepare(token.tenantId);
    return storage.transaction(async (tx) => {
      const now = clock.now();
      const since = new Date(now.getTime() - settings.graceSeconds * 1000);
      if (!(await tx.refreshTokens.claimGraceReplay(token.id, since, settings.maxGraceReplays, now)))
        return { kind: 'lost_race' };
      await recordChange(tx, clock, context, {
        tenantId: token.tenantId,
        action: 'refresh_token.replayed',
        actor: context.actor ?? { type: 'user', id: token.userId },
        target: { type: 'session', id: token.sessionId },
        data: { userId: token.userId, familyId: token.familyId, generation: token.generation + 1 },
      });
      const successor = deriveSuccessor(token.familyId, token.id, token.generation + 1);
      return { kind: 'pair', pair: await accessTokenFor(token, session, successor, scopes) };
    });
  }

  /**
   * A spent token presented after its grace: someone holds a copy. The family and its session
   * are revoked (not the user's other sessions), with a security event for the owner's app.
   */
  async function reuseDetected({ token }: RefreshTokenWithSession, context: CallContext): Promise<never> {
    await storage.transaction(async (tx) => {
      const now = clock.now();
      // the session's row first, as a rotation locks it: the other order could deadlock with one
      const sessionRevoked = await tx.sessions.revoke(
        token.userId,
        token.sessionId,
        now,
        'refresh_token_reuse',
      );
      const revokedTokens = await tx.refreshTokens.revokeFamily(token.familyId, now, 'reuse_detected');
      await recordChange(tx, clock, context, {
        tenantId: token.tenantId,
        action: 'refresh_token.reuse_detected',
        actor: context.actor ?? { type: 'system', id: null },
        // the user's own chain: the owner's security history, whoever presented the copy
        target: { type: 'user', id: token.userId },
        data: {
          sessionId: token.sessionId,
          familyId: token.familyId,
          generation: token.generation,
          revokedTokens,
          sessionRevoked,
        },
        event: { security: true, familyId: token.familyId, sessionId: token.sessionId },
      });
    });
    throw new AuthError('refresh_token_reused', {
      detail: 'this refresh token was already used; its sign-in has been ended',
    });
  }

  async function answer(
    presented: string,
    context: CallContext,
    { clientId, scopes }: RefreshOptions,
  ): Promise<TokenPair> {
    const tokenHash = sha256Hex(presented);
    // a lost compare-and-set is decided again from what the winner wrote: once is enough, since
    // a token only moves forward (current → rotated → revoked)
    for (let attempt = 0; attempt < 2; attempt++) {
      const found = await storage.refreshTokens.findByTokenHash(tokenHash);
      if (!found) throw invalid('unknown refresh token');
      const { token, session } = found;
      if (clientId !== undefined && token.clientId !== clientId)
        throw invalid('the refresh token was issued to another client');
      const now = clock.now();
      if (token.revokedAt !== null) throw invalid('the refresh token was revoked');
      if (token.expiresAt.getTime() <= now.getTime()) throw invalid('the refresh token has expired');
      if (!isActive(session, now)) throw invalid('the session has ended');
      const inGrace =
        token.rotatedAt !== null && now.getTime() - token.rotatedAt.getTime() < settings.graceSeconds * 1000;
      // a spent token past its grace is reuse, whatever else the request asks
      if (token.rotatedAt !== null && !inGrace) return reuseDetected(found, context);
      const granted = scopesOf(token);
      if (scopes?.some((scope) => !granted.includes(scope))) {
        // checked before anything is spent: a bad request costs the client nothing
        throw new AuthError('invalid_scope', {
          detail: 'a requested scope was not granted to this refresh token',
        });
      }
      let outcome: Outcome;
      if (token.rotatedAt === null) {
        outcome = await rotate(found, scopes, context);
      } else {
        outcome = await replay(found, scopes, context);
        // within the window but out of replays: a retry storm, not a theft; nothing is revoked
        if (outcome.kind === 'lost_race' && attempt === 1)
          throw invalid('the refresh token was already used');
      }
      if (outcome.kind === 'pair') return outcome.pair;
    }
    throw invalid('the refresh token was already used');
  }

  const api: RefreshTokensApi = {
    async issueTokens(sessionToken, issueOptions = {}, context = {}) {
      if (typeof sessionToken !== 'string' || sessionToken.length === 0 || sessionToken.length > 256)
        throw new AuthError('unauthenticated');
      const found = await storage.sessions.findActiveByTokenHash(sha256Hex(sessionToken), clock.now());
      if (!found || found.user.status !== 'active') throw new AuthError('unauthenticated');
      const { session, user } = found;
      const clientId = issueOptions.clientId ?? settings.firstPartyClientId;
      const scopes = [...new Set(issueOptions.scopes ?? [])];
      const refreshToken = generateRefreshToken();
      await accessTokens.prepare(session.tenantId);
      return storage.transaction(async (tx) => {
        const now = clock.now();
        const familyEnd = Math.min(
          now.getTime() + settings.familyLifetimeSeconds * 1000,
          session.expiresAt.getTime(),
        );
        const token: RefreshToken = {
          id: uuidv7(now.getTime()),
          familyId: uuidv7(now.getTime()),
          parentId: null,
          generation: 1,
          sessionId: session.id,
          userId: user.id,
          tenantId: session.tenantId,
          clientId,
          scope: scopes.length > 0 ? scopes.join(' ') : null,
          tokenHash: sha256Hex(refreshToken),
          createdAt: now,
          expiresAt: new Date(familyEnd),
          rotatedAt: null,
          replacedById: null,
          graceReplays: 0,
          revokedAt: null,
          revokedReason: null,
        };
        await tx.refreshTokens.create(token);
        await recordChange(tx, clock, context, {
          tenantId: session.tenantId,
          action: 'refresh_token.issued',
          actor: context.actor ?? { type: 'user', id: user.id },
          target: { type: 'session', id: session.id },
          data: { userId: user.id, familyId: token.familyId, clientId },
        });
        return accessTokenFor(token, session, refreshToken);
      });
    },

    refreshTokens: (refreshToken, context = {}) => refresh(refreshToken, {}, context),
  };

  /** Counted before the token is even looked at: guessing costs the same as refreshing. */
  async function limit(presented: string, context: CallContext) {
    // per client address; per token for server-side calls without one
    const subject = context.ip ? `ip:${context.ip}` : `rt:${sha256Hex(presented).slice(0, 32)}`;
    const state = await rateLimiter.consume('tokenRefresh', subject, { ip: context.ip });
    if (state) (context.rateLimits ??= []).push(state);
  }

  async function refresh(refreshToken: string, refreshOptions: RefreshOptions, context: CallContext = {}) {
    const presented = typeof refreshToken === 'string' ? refreshToken : '';
    await limit(presented, context);
    // a mistyped or truncated token is refused before any lookup
    if (!isWellFormedRefreshToken(presented)) throw invalid('not a refresh token');
    return answer(presented, context, refreshOptions);
  }

  async function revoke(refreshToken: string, { clientId }: { clientId: string }, context: CallContext = {}) {
    const presented = typeof refreshToken === 'string' ? refreshToken : '';
    await limit(presented, context);
    if (!isWellFormedRefreshToken(presented)) return false;
    const found = await storage.refreshTokens.findByTokenHash(sha256Hex(presented));
    if (!found || found.token.clientId !== clientId) return false;
    const { token } = found;
    await storage.transaction(async (tx) => {
      // the session's row first, as a rotation locks it: a rotation in flight commits its child
      // before this reads the family, and none starts until this has revoked it
      await tx.sessions.lock(token.sessionId);
      const now = clock.now();
      const revokedTokens = await tx.refreshTokens.revokeFamily(token.familyId, now, 'revoked');
      // revoking an already revoked family again is not news
      if (revokedTokens === 0) return;
      await recordChange(tx, clock, context, {
        tenantId: token.tenantId,
        action: 'refresh_token.revoked',
        actor: context.actor ?? { type: 'user', id: token.userId },
        target: { type: 'session', id: token.sessionId },
        data: { userId: token.userId, familyId: token.familyId, clientId, revokedTokens },
      });
    });
    return true;
  }

  return { api, refresh, revoke };
}

function scopesOf(token: RefreshToken): string[] {
  return token.scope ? token.scope.split(' ') : [];
}

function invalid(detail: string): AuthError {
  return new AuthError('refresh_token_invalid', { detail });
}

function isActive(session: Session, now: Date): boolean {
  return (
    session.revokedAt === null &&
    session.expiresAt.getTime() > now.getTime() &&
    session.idleExpiresAt.getTime() > now.getTime()
  );
}
