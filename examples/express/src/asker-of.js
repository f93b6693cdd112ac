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
