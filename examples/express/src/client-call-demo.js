import { AuthError } from '@portcullis/core';
import express from 'express';

/**
 * `POST /api/demo/client-call` `{ clientId, clientSecret }`: what the page's "API client" card
 * runs. It does server-side what an M2M client does, because a browser must never hold a client
 * secret: get an access token at the token endpoint (client credentials, `client_secret_basic`)
 * with `fetch`, then call the machine API (`GET /api/resource/reports`) with
 * `Authorization: Bearer`. Both requests go over HTTP to this very server, as they would from
 * another service. The answer tells each step as it happened (a refused step is part of the
 * demo, not a failure of this route): the token response without the token itself, the token's
 * claims, and the API's status and body.
 *
 * Only a signed-in person may run it (`requireAuth()` before it, with the CSRF origin check), so
 * it is no open relay to the token endpoint.
 *
 * @param {{ tokenEndpoint: URL, reportsUrl: URL }} urls Where this server answers
 *   itself (the listening address, not `baseURL`, which may be a proxy's).
 */
export function clientCallDemo(urls) {
  const router = express.Router();
  router.post('/', express.json({ limit: '4kb' }), async (req, res) => {
    const { clientId, clientSecret } = req.body ?? {};
    if (!isCredential(clientId) || !isCredential(clientSecret)) {
      throw new AuthError('invalid_request', { detail: 'send { clientId, clientSecret }, both strings' });
    }
    // RFC 6749 §2.3.1: form-urlencode the id and secret before base64
    const basic = Buffer.from(`${encodeURIComponent(clientId)}:${encodeURIComponent(clientSecret)}`).toString(
      'base64',
    );
    const tokenResponse = await fetch(urls.tokenEndpoint, {
      method: 'POST',
      headers: { authorization: `Basic ${basic}`, 'content-type': 'application/x-www-form-urlencoded' },
      // no `scope`: the token carries every scope the client is allowed, so a client without
      // reports:read gets a token, and the API's refusal (403 insufficient_scope) shows on the card
      body: new URLSearchParams({ grant_type: 'client_credentials' }),
    });
    const tokenBody = await tokenResponse.json();
    const { access_token: accessToken, ...tokenShown } = tokenBody;
    const token = { status: tokenResponse.status, body: tokenShown };
    if (!tokenResponse.ok || typeof accessToken !== 'string') {
      res.json({ token, claims: null, api: null });
      return;
    }
    const apiResponse = await fetch(urls.reportsUrl, {
      headers: { authorization: `Bearer ${accessToken}` },
    });
    res.json({
      token,
      claims: claimsOf(accessToken),
      api: {
        request: 'GET /api/resource/reports',
        status: apiResponse.status,
        wwwAuthenticate: apiResponse.headers.get('www-authenticate'),
        body: await apiResponse.json(),
      },
    });
  });
  return router;
}

const isCredential = (value) => typeof value === 'string' && value !== '' && value.length <= 512;

/** The payload of a JWT, for display only: the API verified the signature, this does not. */
function claimsOf(jwt) {
  const payload = jwt.split('.')[1] ?? '';
  return JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
}
