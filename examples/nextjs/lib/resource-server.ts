import { createVerifier, type Verifier } from '@portcullis/core/tokens';

// The example as a resource server: `/api/resource/*` takes `Authorization: Bearer <access token>`
// instead of the session cookie, verified with `@portcullis/core/tokens` (edge-safe: no database,
// no Node.js API) against the issuer's JWKS. The issuer is this app's own Portcullis by default;
// another service would point PORTCULLIS_ISSUER at it.

let shared: Verifier | undefined;

/** The app's verifier, made on first use (creating it fetches nothing; the JWKS is fetched on the first token). */
export function resourceVerifier(): Verifier {
  const baseUrl = process.env.BASE_URL || `http://localhost:${process.env.PORT || 3001}`;
  shared ??= createVerifier({
    issuer: process.env.PORTCULLIS_ISSUER || `${baseUrl}/api/auth`,
    audience: process.env.API_AUDIENCE || baseUrl,
  });
  return shared;
}

/**
 * The proxy step for `/api/resource/*`: a request without a valid access token is answered here
 * (problem+json 401/403 with `WWW-Authenticate: Bearer …`) and never reaches a route. A valid one
 * goes on; the route verifies it again, which the verifier's cache makes a map lookup plus the
 * revocation check.
 */
export async function resourceProxy(
  request: Request,
  verifier: Verifier = resourceVerifier(),
): Promise<Response | undefined> {
  const result = await verifier.authenticate(request);
  return result instanceof Response ? result : undefined;
}
