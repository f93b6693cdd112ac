import { decodeJwt } from 'jose';
import { z } from 'zod';
import { recordChange } from '../audit/index.js';
import type { AuthorizationService, Decision } from '../authorization/index.js';
import type { CallContext } from '../call-context.js';
import { AuthError, isAuthError } from '../errors.js';
import type { Clock } from '../ports/clock.js';
import type { Storage } from '../ports/storage.js';
import type { RateLimiter } from '../rate-limit/index.js';
import type { Session } from '../sessions/index.js';
import { parseInput } from '../validation.js';
import type { AccessTokenService } from './access-token-service.js';
import { parseScopeParameter } from './scope-parameter.js';
import {
  ACCESS_TOKEN_TYPE_URN,
  type ExchangeTokenRequest,
  exchangeTokenInputSchema,
} from './token-exchange-schema.js';
import type { AccessTokenPrincipal, ActorClaim } from './tokens.js';

/**
 * The permissions token exchange asks the authorization engine about, in the built-in catalog:
 * `token.exchange` (delegation: an actor token acts for the subject) and `token.impersonate`
 * (no actor token: the caller acts as the subject). No default role carries them, and a role is
 * never enough, not even the owner's `*`: only a policy of the tenant (or a global one) allows.
 */
export const TOKEN_EXCHANGE_PERMISSIONS = ['token.exchange', 'token.impersonate'] as const;

/** The resource type an exchange asks about: the subject, a `user` (policies name it as `resource`). */
export const TOKEN_EXCHANGE_RESOURCE_TYPE = 'user';

/**
 * Who asks for the exchange, as its caller established: the client the token endpoint
 * authenticated, or, for server-side use, a user the app names (an admin acting from its own
 * back office), with that user's session when the app has it (policies may then read
 * `context.mfa` and `context.authAgeSeconds`).
 */
export type TokenExchangeCaller =
  | { type: 'client'; id: string; tenantId: string; environment?: string | null }
  | { type: 'user'; id: string; session?: Pick<Session, 'amr' | 'authTime'> };

/** {@link ExchangeTokensApi.exchangeToken}'s input: the RFC 8693 parameters and the caller. */
export interface ExchangeTokenInput extends ExchangeTokenRequest {
  caller: TokenExchangeCaller;
}

/** A successful token exchange response (RFC 8693 §2.2.1). There is no refresh token. */
export interface TokenExchangeResponse {
  access_token: string;
  issued_token_type: typeof ACCESS_TOKEN_TYPE_URN;
  token_type: 'Bearer';
  expires_in: number;
  /** The granted scopes, space-separated; absent when the token carries none. */
  scope?: string;
}

/** The token exchange operation of `auth.api`. */
export interface ExchangeTokensApi {
  /**
   * Token exchange (RFC 8693) for delegation and impersonation. Verifies the subject token (an
   * access token of a user in a tenant; for a client caller, a token without `tid` is taken in
   * the client's tenant) and the actor token, if any, as `verifyAccessToken` does; the actor is the actor token's user or client (delegation, `token.exchange`) or, with
   * no actor token, the caller itself (impersonation, `token.impersonate`). The authorization
   * engine decides with the actor as its subject and `{ type: 'user', id: <subject>, tenantId,
   * roles, attributes }` as the resource, and only an allow policy grants. The result is a new
   * access token for the subject with `act` naming the actor (and the subject token's own `act`
   * nested inside, RFC 8693 §4.1), the same `sid` (revoking the subject's session revokes it),
   * scopes a subset of the subject token's, an audience among the subject token's or the
   * configured resources, and an expiry never past either token's. Audited as
   * `token.exchanged` / `token.impersonated` with both subjects, with an outbox event, in one
   * transaction; rate-limited per caller (`tokenExchange`).
   *
   * Errors: `invalid_request` (malformed input, an invalid, expired or revoked token, tokens or
   * caller of different tenants or environments, RFC 8693 §2.2.2), `invalid_scope`,
   * `invalid_target`, `forbidden` (no policy allows; its `reason` says which rule decided; the
   * token endpoint answers it as `invalid_request`, as §2.2.2 asks), `rate_limited`.
   *
   * @example
   * // a support tool, authenticated as an M2M client, acts as a user it was handed a token of
   * const exchanged = await auth.api.exchangeToken({
   *   subjectToken: userAccessToken,
   *   subjectTokenType: 'urn:ietf:params:oauth:token-type:access_token',
   *   scope: 'tickets:read',
   *   caller: { type: 'client', id: client.id, tenantId: client.tenantId, environment: client.environment },
   * })
   * // exchanged.access_token carries act: { sub: client.id, sub_type: 'client' }
   */
  exchangeToken(input: ExchangeTokenInput, context?: CallContext): Promise<TokenExchangeResponse>;
}

export interface TokenExchangeService {
  api: ExchangeTokensApi;
}

export interface TokenExchangeDeps {
  storage: Storage;
  clock: Clock;
  rateLimiter: RateLimiter;
  accessTokens: Pick<AccessTokenService, 'issue' | 'verify'>;
  authorization: Pick<AuthorizationService, 'api' | 'decideForClient'>;
}

export interface TokenExchangeOptions {
  /** The `iss` of our tokens: a subject or actor token for this audience is accepted. */
  issuer: string;
  accessTokenTtlSeconds: number;
  /**
   * Resource indicators the install knows (RFC 8707): an exchanged token may be issued for them,
   * and tokens issued for them may be exchanged, besides the issuer's own audience.
   */
  resources: readonly string[];
}

// each exchange nests the previous actors one level deeper: bound the token's size
const MAX_ACTOR_CHAIN = 4;

const callerSchema = z.discriminatedUnion('type', [
  z.object({
    type: z.literal('client'),
    id: z.string().min(1).max(200),
    tenantId: z.string().min(1).max(200),
    environment: z.string().min(1).max(100).nullish(),
  }),
  z.object({
    type: z.literal('user'),
    id: z.string().min(1).max(200),
    session: z.object({ amr: z.array(z.string()), authTime: z.record(z.string(), z.number()) }).optional(),
  }),
]);

interface Actor {
  type: 'user' | 'client';
  id: string;
  session?: Pick<Session, 'amr' | 'authTime'> | undefined;
}

export function createTokenExchangeService(
  { storage, clock, rateLimiter, accessTokens, authorization }: TokenExchangeDeps,
  options: TokenExchangeOptions,
): TokenExchangeService {
  const acceptedAudiences = new Set([options.issuer, ...options.resources]);

  /** Verifies a token given for `parameter`; an unusable one is the request's fault (§2.2.2). */
  async function verifyGiven(token: string, parameter: string): Promise<AccessTokenPrincipal> {
    let audience: string | undefined;
    try {
      const { aud, iss } = decodeJwt(token);
      // whichever of its audiences we serve: tokens issued for a known resource are ours too, and
      // so is a tenant issuer's own audience (verification then holds `iss` to the token's `tid`)
      audience = (typeof aud === 'string' ? [aud] : (aud ?? [])).find(
        (a) => acceptedAudiences.has(a) || (typeof iss === 'string' && a === iss),
      );
    } catch {
      // not a JWT at all: refused below as any invalid token
    }
    if (audience === undefined) {
      throw new AuthError('invalid_request', { detail: `${parameter} is invalid, expired or revoked` });
    }
    try {
      return await accessTokens.verify(token, { audience });
    } catch (error) {
      if (isAuthError(error, 'access_token_invalid')) {
        throw new AuthError('invalid_request', {
          detail: `${parameter} is invalid, expired or revoked`,
          cause: error,
        });
      }
      throw error;
    }
  }

  function grantedScopes(subject: AccessTokenPrincipal, requested: string | undefined): string[] {
    const asked = parseScopeParameter(requested);
    if (asked === undefined) return subject.scopes;
    if (asked.some((scope) => !subject.scopes.includes(scope))) {
      throw new AuthError('invalid_scope', {
        detail: 'a requested scope is not granted to the subject token',
      });
    }
    return asked;
  }

  function audienceOf(
    subject: AccessTokenPrincipal,
    request: { audience?: string[] | undefined; resource?: string[] | undefined },
  ): string | string[] {
    for (const resource of request.resource ?? []) {
      // RFC 8707 §2: an absolute URI without a fragment
      if (!URL.canParse(resource) || resource.includes('#')) {
        throw new AuthError('invalid_target', {
          detail: 'resource must be an absolute URI without a fragment',
        });
      }
    }
    const targets = [...new Set([...(request.audience ?? []), ...(request.resource ?? [])])];
    if (targets.length === 0) return subject.claims.aud;
    const own = typeof subject.claims.aud === 'string' ? [subject.claims.aud] : subject.claims.aud;
    // the subject token's audiences, or resources the install knows: never an arbitrary target
    if (targets.some((target) => !own.includes(target) && !options.resources.includes(target))) {
      throw new AuthError('invalid_target', { detail: 'unknown audience or resource' });
    }
    return targets.length === 1 ? (targets[0] as string) : targets;
  }

  /** Allowed only when an allow policy matched: a role (the owner's `*`) never suffices. */
  function allowedByPolicy(decision: Decision): boolean {
    if (!decision.allowed) return false;
    if (decision.reason.kind === 'policy') return true;
    return (decision.explanation ?? []).some(
      (entry) => entry.rule.startsWith('policy:') && entry.effect === 'allow' && entry.matched,
    );
  }

  const api: ExchangeTokensApi = {
    async exchangeToken(input, context = {}) {
      const { caller: rawCaller, ...rawRequest } = (input ?? {}) as Partial<ExchangeTokenInput>;
      const caller = parseInput(callerSchema, rawCaller) as TokenExchangeCaller;
      const request = parseInput(exchangeTokenInputSchema, rawRequest);

      const limited = await rateLimiter.consume('tokenExchange', `${caller.type}:${caller.id}`, {
        ip: context.ip,
      });
      if (limited) (context.rateLimits ??= []).push(limited);

      const subject = await verifyGiven(request.subjectToken, 'subject_token');
      // a user of the shared pool signs in to no tenant: a client's exchange happens in the
      // client's tenant, of which the subject must then be a member (checked below)
      const tenantId = subject.tenantId ?? (caller.type === 'client' ? caller.tenantId : null);
      if (subject.type !== 'user' || tenantId === null) {
        throw new AuthError('invalid_request', {
          detail: "subject_token must be a user's token in a tenant",
        });
      }
      const actorPrincipal =
        request.actorToken === undefined ? null : await verifyGiven(request.actorToken, 'actor_token');
      if (actorPrincipal?.actor) {
        // who really acts would be the actor token's own actor: ask that one to exchange instead
        throw new AuthError('invalid_request', { detail: 'actor_token must not itself be delegated' });
      }
      const actor: Actor = actorPrincipal
        ? {
            type: actorPrincipal.type,
            id: actorPrincipal.id,
            session: actorPrincipal.authTime === null ? undefined : sessionOf(actorPrincipal),
          }
        : caller.type === 'user'
          ? { type: 'user', id: caller.id, session: caller.session }
          : { type: 'client', id: caller.id };

      // one tenant and one environment for the caller and both tokens: never crossing
      const tenantsMatch =
        (actorPrincipal === null || actorPrincipal.tenantId === tenantId) &&
        (caller.type !== 'client' || caller.tenantId === tenantId);
      if (!tenantsMatch) {
        throw new AuthError('invalid_request', {
          detail: 'the tokens and the caller belong to different tenants',
        });
      }
      const environments = new Set(
        [
          subject.environment,
          actorPrincipal?.environment,
          caller.type === 'client' ? caller.environment : null,
        ].filter((e): e is string => typeof e === 'string'),
      );
      if (environments.size > 1) {
        throw new AuthError('invalid_request', {
          detail: 'the tokens and the caller belong to different environments',
        });
      }
      if (depthOf(subject.actor) >= MAX_ACTOR_CHAIN) {
        throw new AuthError('invalid_request', { detail: 'subject_token has been exchanged too many times' });
      }

      const scopes = grantedScopes(subject, request.scope);
      const audience = audienceOf(subject, request);

      const membership = await storage.memberships.find(tenantId, subject.id);
      if (!membership) {
        throw new AuthError('invalid_request', { detail: 'the subject is not a member of the tenant' });
      }
      const delegation = actorPrincipal !== null;
      const action = delegation ? 'token.exchange' : 'token.impersonate';
      const question = {
        tenantId,
        action,
        resource: {
          type: TOKEN_EXCHANGE_RESOURCE_TYPE,
          id: subject.id,
          tenantId,
          roles: membership.roles,
          attributes: membership.attributes,
        },
        context: {
          actorType: actor.type,
          delegation,
          scopes,
          clientId: caller.type === 'client' ? caller.id : subject.clientId,
        },
        explain: true,
        ip: context.ip ?? null,
      };
      const decision =
        actor.type === 'user'
          ? await authorization.api.authorize({ ...question, userId: actor.id, session: actor.session })
          : await authorization.decideForClient({ ...question, clientId: actor.id });
      if (!allowedByPolicy(decision as Decision)) {
        throw new AuthError('forbidden', {
          // the same words whatever decided: how the tenant's rules are written is not the client's business
          detail: `not allowed: ${action}`,
          reason: decision.reason,
        });
      }

      // never past the subject token's expiry, nor the actor token's: the delegation ends with either
      const nowSeconds = Math.floor(clock.now().getTime() / 1000);
      const endsAt = Math.min(subject.claims.exp, actorPrincipal?.claims.exp ?? Number.POSITIVE_INFINITY);
      const ttlSeconds = Math.min(options.accessTokenTtlSeconds, endsAt - nowSeconds);
      if (ttlSeconds < 1) throw new AuthError('invalid_request', { detail: 'subject_token is expired' });

      const act: ActorClaim = {
        sub: actor.id,
        sub_type: actor.type,
        ...(subject.actor ? { act: subject.actor } : {}),
      };
      const clientId = caller.type === 'client' ? caller.id : subject.clientId;
      const environment = [...environments][0];
      const issued = await accessTokens.issue({
        subject: subject.id,
        clientId,
        audience,
        tenantId,
        sessionId: subject.sessionId,
        scopes,
        amr: subject.amr,
        ...(subject.claims.acr ? { acr: subject.claims.acr } : {}),
        ...(subject.authTime === null ? {} : { authTime: subject.authTime }),
        ...(environment ? { environment } : {}),
        actor: act,
        ttlSeconds,
      });

      // the token is handed out only once its audit entry and event are committed
      await storage.transaction((tx) =>
        recordChange(tx, clock, context, {
          tenantId,
          action: delegation ? 'token.exchanged' : 'token.impersonated',
          actor: { type: actor.type, id: actor.id },
          target: { type: 'user', id: subject.id },
          data: {
            actor: { type: actor.type, id: actor.id },
            subject: { type: 'user', id: subject.id },
            ...(subject.actor ? { priorActor: subject.actor } : {}),
            scopes,
            audience,
            clientId,
            sessionId: subject.sessionId,
            tokenId: issued.tokenId,
            subjectTokenId: subject.tokenId,
            expiresAt: issued.expiresAt.toISOString(),
          },
        }),
      );

      return {
        access_token: issued.token,
        issued_token_type: ACCESS_TOKEN_TYPE_URN,
        token_type: 'Bearer',
        expires_in: issued.expiresInSeconds,
        ...(scopes.length > 0 ? { scope: scopes.join(' ') } : {}),
      };
    },
  };

  return { api };
}

/** The authentication an actor token tells of, as a session would (for `context.mfa`, …). */
function sessionOf(principal: AccessTokenPrincipal): Pick<Session, 'amr' | 'authTime'> {
  const at = principal.authTime ?? 0;
  return { amr: principal.amr, authTime: Object.fromEntries(principal.amr.map((method) => [method, at])) };
}

function depthOf(act: ActorClaim | null | undefined): number {
  let depth = 0;
  for (let current = act; current; current = current.act) depth++;
  return depth;
}
