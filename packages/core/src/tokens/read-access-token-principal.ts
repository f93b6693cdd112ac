import type { AccessTokenClaims, AccessTokenPrincipal, ActorClaim } from './tokens.js';

// Delegation chains deeper than this are refused rather than walked: no issuer builds them.
const MAX_ACTOR_DEPTH = 5;

/**
 * The principal a verified payload names, or why the payload is not a Portcullis access token:
 * `exp`, `iat`, `sub`, `jti` and `client_id` must be there (RFC 9068 §2.2), and every optional
 * claim must have its declared type, so nothing downstream trusts a field of the wrong shape.
 * The signature, `iss`, `aud` and the times are the caller's to check.
 */
export function readAccessTokenPrincipal(payload: Record<string, unknown>): AccessTokenPrincipal | string {
  const { sub, jti, client_id: clientId, exp, iat, tid, sid, scope, amr, acr, auth_time, env, act } = payload;
  if (!isEpochSeconds(exp)) return 'the token has no valid "exp" claim';
  if (!isEpochSeconds(iat)) return 'the token has no valid "iat" claim';
  if (!isNonEmptyString(sub)) return 'the token has no "sub" claim';
  if (!isNonEmptyString(jti)) return 'the token has no "jti" claim';
  if (!isNonEmptyString(clientId)) return 'the token has no "client_id" claim';
  if (tid !== undefined && !isNonEmptyString(tid)) return 'the "tid" claim is not a string';
  if (sid !== undefined && !isNonEmptyString(sid)) return 'the "sid" claim is not a string';
  if (scope !== undefined && typeof scope !== 'string') return 'the "scope" claim is not a string';
  if (amr !== undefined && !(Array.isArray(amr) && amr.every(isNonEmptyString))) {
    return 'the "amr" claim is not an array of strings';
  }
  if (acr !== undefined && typeof acr !== 'string') return 'the "acr" claim is not a string';
  if (auth_time !== undefined && !isEpochSeconds(auth_time)) return 'the "auth_time" claim is not a time';
  if (env !== undefined && !isNonEmptyString(env)) return 'the "env" claim is not a string';
  if (act !== undefined && !isActorClaim(act, 1)) return 'the "act" claim is malformed';

  const claims = payload as unknown as AccessTokenClaims;
  return {
    // a client-credentials token names the client as its subject and belongs to no session
    type: sid === undefined && sub === clientId ? 'client' : 'user',
    id: sub,
    clientId,
    tenantId: tid ?? null,
    sessionId: sid ?? null,
    scopes: scope ? scope.split(' ').filter((s) => s !== '') : [],
    environment: env ?? null,
    actor: (act as ActorClaim | undefined) ?? null,
    amr: (amr as string[] | undefined) ?? [],
    authTime: auth_time ?? null,
    expiresAt: new Date(exp * 1000),
    tokenId: jti,
    claims,
  };
}

function isNonEmptyString(value: unknown): value is string {
  return typeof value === 'string' && value !== '';
}

function isEpochSeconds(value: unknown): value is number {
  return typeof value === 'number' && Number.isFinite(value) && value >= 0;
}

function isActorClaim(value: unknown, depth: number): value is ActorClaim {
  if (depth > MAX_ACTOR_DEPTH || typeof value !== 'object' || value === null || Array.isArray(value)) {
    return false;
  }
  const { sub, sub_type: subType, act } = value as Record<string, unknown>;
  if (!isNonEmptyString(sub)) return false;
  if (subType !== undefined && subType !== 'user' && subType !== 'client') return false;
  return act === undefined || isActorClaim(act, depth + 1);
}
