import { AuthError } from '@portcullis/core';
import { toWebHeaders } from '@portcullis/express';

/**
 * Who asks, in which tenant, from where: what every `auth.api.authorize` and
 * `auth.api.authorizationFilter` call of a request passes. Needs `requireAuth()` before it and a
 * `:tenantId` route parameter.
 *
 * @param {import('@portcullis/core').Auth} auth
 * @param {import('express').Request} req
 */
export function askerOf(auth, req) {
  const { user, session } = req.auth;
  // the client address by the same trustProxy rule as Portcullis's own routes (policies may
  // test context.ip)
  const { ip } = auth.callContext(toWebHeaders(req), { clientIp: req.socket.remoteAddress ?? null });
  return { userId: user.id, tenantId: req.params.tenantId, session, ip };
}

/**
 * Middleware: lets the request through when the signed-in user may perform `action` on the
 * resource `loadResource` returns; otherwise answers, as problem+json,
 * - 404 `not_found` when there is no such resource or the user is not a member of the tenant
 *   (ids reveal nothing to outsiders),
 * - 403 `forbidden` with the reason of the decision in `detail`.
 *
 * A local stand-in for `requirePermission` of `@portcullis/express`: the call sites stay the same
 * shape, so swapping it is a one-line change each.
 *
 * @param {import('@portcullis/core').Auth} auth
 * @param {string} action e.g. `document.update`
 * @param {(req: import('express').Request) => Promise<{ type: string } | null> | { type: string } | null} loadResource
 *   The resource as policies see it (`resource.ownerId`, …), or null when it does not exist.
 * @returns {import('express').RequestHandler}
 *
 * @example
 * router.patch('/:documentId', authorizeDocument(auth, 'document.update', loadDocument), update);
 */
export function authorizeDocument(auth, action, loadResource) {
  return async function authorizeDocumentAction(req, _res, next) {
    const resource = await loadResource(req);
    if (!resource) throw new AuthError('not_found');
    const decision = await auth.api.authorize({ ...askerOf(auth, req), action, resource });
    if (decision.reason.kind === 'not_member') throw new AuthError('not_found');
    if (!decision.allowed) {
      throw new AuthError('forbidden', { detail: describeDenial(action, decision.reason) });
    }
    next();
  };
}

/**
 * The reason of a denial in words, for the page to show. Names the deciding policy: fine in a
 * demo, and policies are the app's own code; say less in an app whose rules are secret.
 *
 * @param {string} action
 * @param {import('@portcullis/core/authorization').DecisionReason} reason
 */
export function describeDenial(action, reason) {
  switch (reason.kind) {
    case 'deny_policy':
      return `${action} is denied by policy "${reason.id}"`;
    case 'missing_attribute':
      return `${action} is denied: policy "${reason.id}" needs an attribute this request lacks`;
    default:
      return `${action} is not granted by any of your roles, and no policy allows it here`;
  }
}
