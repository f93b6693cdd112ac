import { type Auth, AuthError } from '@portcullis/core';
import type { AuthorizationResource } from '@portcullis/core/authorization';
import type { Request, RequestHandler } from 'express';
import { ensureAuthenticated } from './require-auth.js';
import { runGuard } from './run-guard.js';

type MaybePromise<T> = T | Promise<T>;

export interface RequirePermissionOptions {
  /**
   * The tenant to decide in. Default: the route's `:tenantId` parameter. When that (or this
   * function's result) is empty, the tenant the session acts in; with neither, 400
   * `tenant_required`.
   */
  tenant?: (req: Request) => MaybePromise<string | null | undefined>;
  /**
   * The resource acted on, for policies that read `resource.*` (an owner id, a status…). It may
   * load it, and may throw an `AuthError` (e.g. `not_found`), which is answered as problem+json.
   */
  resource?: (req: Request) => MaybePromise<AuthorizationResource | undefined>;
}

/**
 * Middleware that lets a request through only when the signed-in user may do `action` in the
 * tenant, by `auth.api.requirePermission` (roles, the tenant's policies, code-defined policies;
 * `context.mfa`, `context.authAgeSeconds` and `context.ip` from this request):
 *
 * - no valid session: 401 `unauthenticated` (and, on unsafe methods, the same Origin check as
 *   `requireAuth`; an earlier `requireAuth` is reused, not repeated);
 * - not a member of the tenant: 404 `not_found`, whatever tenant id was asked for;
 * - denied: 403 `forbidden`, with the decision's `reason` in the problem body;
 * - allowed: `req.auth.decision` holds the decision, and the next handler runs.
 *
 * @example
 * app.delete(
 *   '/api/tenants/:tenantId/documents/:id',
 *   requirePermission(auth, 'document.delete', {
 *     resource: async (req) => ({ type: 'document', ...(await documents.get(req.params.id)) }),
 *   }),
 *   async (req, res) => {
 *     await documents.delete(req.params.id)
 *     res.status(204).end()
 *   },
 * )
 */
export function requirePermission(
  auth: Auth,
  action: string,
  options: RequirePermissionOptions = {},
): RequestHandler {
  return function portcullisRequirePermission(req, res, next) {
    runGuard(res, next, async () => {
      const current = await ensureAuthenticated(auth, req, res);
      if (!current) return false;
      const named = options.tenant ? await options.tenant(req) : routeTenantId(req);
      const tenantId = named ?? current.session.tenantId;
      if (!tenantId) throw new AuthError('tenant_required', { detail: 'no tenant to decide in' });
      const resource = options.resource ? await options.resource(req) : undefined;
      const { ip } = auth.callContext(req.headers, { clientIp: req.socket.remoteAddress ?? null });
      const decision = await auth.api.requirePermission({
        userId: current.user.id,
        tenantId,
        action,
        ...(resource ? { resource } : {}),
        session: current.session,
        ip: ip ?? null,
      });
      req.auth = { ...current, decision };
      return true;
    });
  };
}

function routeTenantId(req: Request): string | undefined {
  const value: unknown = req.params?.tenantId;
  return typeof value === 'string' && value !== '' ? value : undefined;
}
