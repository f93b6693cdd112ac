import { isAuthError } from '@portcullis/core';
import { AccessTokenError, accessTokenErrorResponse } from '@portcullis/core/tokens';
import { sendWebResponse } from '@portcullis/express';

/**
 * A bearer guard for routes that M2M clients call (client credentials tokens from
 * `POST /auth/oauth/token`), the machine counterpart of `requireAuth()`:
 *
 * - the token is verified in process by `auth.api.verifyAccessToken` (this install's keys, expiry,
 *   and the revocation state: a token revoked at `/auth/oauth/revoke` or of a deleted client is
 *   refused at once);
 * - the authorization engine decides `action` for the client with the permissions its token's
 *   scopes map to (`clients.scopes` in `app.js`), never beyond them, and the tenant's deny
 *   policies still win.
 *
 * Refusals are RFC 6750 answers: problem+json with `WWW-Authenticate: Bearer …`; 401
 * `unauthenticated` without a token, 401 `access_token_invalid` for a bad, expired or revoked one,
 * 403 `insufficient_scope` (with the `scope` it needs) for a user's token or a client whose scopes
 * do not grant `action`. On success `req.client` is the token's principal.
 *
 * @param {import('@portcullis/core').Auth} auth
 * @param {{ action: string, scope: string }} rule The permission the route needs, and the scope
 *   a client asks for to get it (named in the challenge).
 * @returns {import('express').RequestHandler}
 * @example
 * app.get('/api/resource/reports', requireClientToken(auth, { action: 'report.read', scope: 'reports:read' }),
 *   (req, res) => res.json({ tenantId: req.client.tenantId }))
 */
export function requireClientToken(auth, { action, scope }) {
  return (req, res, next) => {
    admit(auth, req, action, scope).then(
      () => next(),
      (error) => {
        if (!(error instanceof AccessTokenError)) {
          next(error);
          return;
        }
        const requestId = res.getHeader('x-request-id');
        sendWebResponse(
          res,
          accessTokenErrorResponse(error, typeof requestId === 'string' ? requestId : undefined),
        ).catch(next);
      },
    );
  };
}

async function admit(auth, req, action, scope) {
  const match = /^Bearer ([^\s]+)$/i.exec(req.headers.authorization ?? '');
  if (!match) {
    throw new AccessTokenError('unauthenticated', { detail: 'send Authorization: Bearer <access token>' });
  }
  let principal;
  try {
    principal = await auth.api.verifyAccessToken(match[1]);
  } catch (error) {
    if (!isAuthError(error, 'access_token_invalid')) throw error;
    throw new AccessTokenError('access_token_invalid', { detail: error.detail ?? 'access token is invalid' });
  }
  if (principal.type !== 'client' || principal.tenantId === null) {
    // a person's token (token mode) carries no client scopes: this API is for machines
    throw new AccessTokenError('insufficient_scope', {
      detail: `needs an M2M client token with the ${scope} scope`,
      scopes: [scope],
    });
  }
  // the client address by Portcullis's trustProxy rule (a tenant policy may test context.ip)
  const { ip } = auth.callContext(req.headers, { clientIp: req.socket.remoteAddress ?? null });
  const decision = await auth.api.authorize({
    tenantId: principal.tenantId,
    action,
    ip: ip ?? null,
    principal: {
      type: 'client',
      id: principal.id,
      scopes: principal.scopes,
      environment: principal.environment,
    },
  });
  if (!decision.allowed) {
    throw new AccessTokenError('insufficient_scope', {
      detail: `the token's scopes do not grant ${action}`,
      scopes: [scope],
    });
  }
  req.client = principal;
}
