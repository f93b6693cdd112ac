import {
  type Auth,
  AuthError,
  isAuthError,
  problemResponse,
  rateLimitHeaders,
  readApiKey,
  type SessionWithUser,
  type StepUpRequirement,
  type VerifiedApiKey,
} from '@portcullis/core';
import type { AuthorizationResource, Decision } from '@portcullis/core/authorization';
import { type AuthSource, resolveAuth } from './auth-source.js';

const UNSAFE_METHODS = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

export interface RoutePermissionOptions {
  /** The tenant to decide in (e.g. from the route's params). Default: the tenant the session acts in. */
  tenantId?: string | null;
  /** The resource acted on, for policies that read `resource.*`. */
  resource?: AuthorizationResource;
}

/** The signed-in user and session, and the decision that let the request through. */
export interface PermittedRequest extends SessionWithUser {
  decision: Decision;
}

export interface RouteApiKeyOptions {
  /**
   * The environment the route serves (`live`, `test`…): a key of another one is refused with
   * 403 `api_key_wrong_environment`. This is the Next.js form of Express's
   * `requireEnvironment`. Default: any configured environment.
   */
  environment?: string;
  /**
   * An action the key must be allowed (`auth.api.authorize` with the key as principal and the
   * request's IP): its permissions, its condition, its owner's current permissions and the
   * tenant's deny policies all apply; denied: 403 `forbidden` with the reason. Decided inside the
   * verification, before the key's rate-limit policies and credits count the request, so a
   * refused use (e.g. from outside the key's CIDR) spends nothing.
   */
  permission?: string;
  /** The resource acted on, for conditions and policies that read `resource.*`. */
  resource?: AuthorizationResource;
}

/** A verified API key, and the headers to send on the route's response. */
export interface RouteVerifiedApiKey extends VerifiedApiKey {
  /**
   * `RateLimit-Policy` and `RateLimit` of the policies that counted the request (empty when none
   * did): pass them to your response, e.g. `Response.json(body, { headers: key.headers })`.
   */
  headers: Headers;
}

/** The guards `createSessionHelpers` adds for route handlers; each answers a `Response` to return as is. */
export interface RouteGuards {
  /**
   * For route handlers: the caller and the allowing decision when the request's session user may
   * do `action` in the tenant (`auth.api.requirePermission`), else the problem `Response` to
   * return: 401 `unauthenticated`, 403 `csrf_origin_mismatch` (unsafe methods from an untrusted
   * origin, as core's own routes), 404 `not_found` for a non-member (tenant ids reveal nothing),
   * 403 `forbidden` with the decision's `reason`, 400 `tenant_required` when no tenant is known.
   *
   * @example
   * // app/api/tenants/[tenantId]/invoices/[id]/route.ts
   * export async function DELETE(request: Request, { params }: { params: Promise<{ tenantId: string; id: string }> }) {
   *   const { tenantId, id } = await params
   *   const invoice = await invoices.get(tenantId, id)
   *   const allowed = await requirePermission(request, 'invoice.delete', {
   *     tenantId,
   *     resource: { type: 'invoice', ownerId: invoice.ownerId },
   *   })
   *   if (allowed instanceof Response) return allowed
   *   await invoices.delete(tenantId, id)
   *   return new Response(null, { status: 204 })
   * }
   */
  requirePermission(
    request: Request,
    action: string,
    options?: RoutePermissionOptions,
  ): Promise<PermittedRequest | Response>;
  /**
   * For route handlers: the caller when the session's user authenticated within
   * `maxAgeSeconds` (by one of `methods` when given; `auth.api.checkStepUp`), else the problem
   * `Response` to return — 401 `step_up_required` with the RFC 9470 challenge
   * `WWW-Authenticate: Bearer error="insufficient_user_authentication", …, max_age=<n>`, or 401
   * `unauthenticated`, or 403 `csrf_origin_mismatch`. The client then posts its password to
   * `/reauthenticate` under the auth base path and retries.
   *
   * @example
   * // app/api/account/route.ts
   * export async function DELETE(request: Request) {
   *   const fresh = await requireStepUp(request, { maxAgeSeconds: 300 })
   *   if (fresh instanceof Response) return fresh
   *   await deleteAccount(fresh.user.id)
   *   return new Response(null, { status: 204 })
   * }
   */
  requireStepUp(request: Request, requirement: StepUpRequirement): Promise<SessionWithUser | Response>;
  /**
   * For route handlers called by machines: the verified API key (from `x-api-key` or
   * `Authorization: Bearer <key>`) with its tenant and principal, else the problem `Response`:
   * 401 `unauthenticated` (no key), 401 `api_key_malformed`, `api_key_invalid`,
   * `api_key_expired` or `api_key_revoked`, 403 `api_key_wrong_environment`, 403 `forbidden`,
   * 429 `rate_limited` (the key's rate-limit policies) or `api_key_credits_exhausted` (its quota),
   * with `Retry-After` and the `RateLimit` fields. A key that passes comes with `headers`, its
   * `RateLimit-Policy` / `RateLimit` fields, to send on the route's response.
   *
   * @example
   * // app/api/v1/invoices/route.ts
   * export async function GET(request: Request) {
   *   const key = await requireApiKey(request, { environment: 'live', permission: 'invoice.read' })
   *   if (key instanceof Response) return key
   *   return Response.json(await invoices.list(key.tenantId), { headers: key.headers })
   * }
   */
  requireApiKey(request: Request, options?: RouteApiKeyOptions): Promise<RouteVerifiedApiKey | Response>;
}

/** The route-handler guards over an auth source; thin: the rules are core's. */
export function createRouteGuards(source: AuthSource): RouteGuards {
  /** Runs a check, answering an AuthError it throws as core's problem response. */
  async function guarded<T>(check: (auth: Auth) => Promise<T>): Promise<T | Response> {
    try {
      return await check(await resolveAuth(source));
    } catch (error) {
      if (isAuthError(error)) return problemResponse(error);
      throw error;
    }
  }

  async function authenticate(auth: Auth, request: Request): Promise<SessionWithUser> {
    const found = await auth.api.getSession(request);
    if (!found) throw new AuthError('unauthenticated');
    // a session cookie must come from a trusted origin on unsafe methods; a bearer-only request
    // (token mode) carries no ambient credential and need not
    if (UNSAFE_METHODS.has(request.method.toUpperCase())) auth.assertTrustedOrigin(request.headers);
    return found;
  }

  return {
    requirePermission: (request, action, options = {}) =>
      guarded(async (auth) => {
        const current = await authenticate(auth, request);
        const tenantId = options.tenantId || current.session.tenantId;
        if (!tenantId) throw new AuthError('tenant_required', { detail: 'no tenant to decide in' });
        const decision = await auth.api.requirePermission({
          userId: current.user.id,
          tenantId,
          action,
          ...(options.resource ? { resource: options.resource } : {}),
          session: current.session,
          ip: auth.callContext(request.headers).ip ?? null,
        });
        return { ...current, decision };
      }),

    requireStepUp: (request, requirement) =>
      guarded(async (auth) => {
        const current = await authenticate(auth, request);
        auth.api.checkStepUp(current.session, requirement);
        return current;
      }),

    requireApiKey: (request, options = {}) =>
      guarded(async (auth) => {
        const presented = readApiKey(request.headers);
        if (!presented) {
          throw new AuthError('unauthenticated', {
            detail: 'an API key is required (x-api-key or Authorization: Bearer)',
          });
        }
        const context = auth.callContext(request.headers);
        const verified = await auth.api.verifyApiKey(presented, {
          ...(options.environment !== undefined ? { environment: options.environment } : {}),
          ...(options.permission !== undefined
            ? {
                authorize: {
                  action: options.permission,
                  ...(options.resource ? { resource: options.resource } : {}),
                },
              }
            : {}),
          context,
        });
        const headers = new Headers();
        const fields = rateLimitHeaders(context.rateLimits ?? []);
        if (fields) {
          headers.set('ratelimit-policy', fields.policy);
          headers.set('ratelimit', fields.limit);
        }
        return { ...verified, headers };
      }),
  };
}
