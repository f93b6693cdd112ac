import { createVerifier } from '@portcullis/core/tokens';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  AUDIENCE,
  signingKey,
  startTestIssuer,
  type TestIssuer,
} from '../../../packages/core/test/support/token-issuer.js';
import { GET as whoami } from '../app/api/resource/whoami/route.js';
import { resourceProxy } from '../lib/resource-server.js';

// The Next.js example as a resource server (docs/tokens.md, "Verifying tokens in a resource
// server"): the proxy step refuses requests without a valid bearer access token, the route names
// the principal. Tokens come from a stand-in issuer with a real JWKS over HTTP.
let issuer: TestIssuer;

beforeAll(async () => {
  issuer = await startTestIssuer([await signingKey('EdDSA')]);
  // what a deployment sets to point the example at its issuer (read on the first request)
  process.env.PORTCULLIS_ISSUER = issuer.issuer;
  process.env.API_AUDIENCE = AUDIENCE;
});
afterAll(async () => {
  delete process.env.PORTCULLIS_ISSUER;
  delete process.env.API_AUDIENCE;
  await issuer.close();
});

const request = (authorization?: string) =>
  new Request('http://localhost:3001/api/resource/whoami', {
    headers: authorization ? { authorization } : {},
  });

describe('the Next.js example as a resource server', () => {
  it('the proxy step lets a valid bearer token through and answers the rest itself', async () => {
    const verifier = createVerifier({ issuer: issuer.issuer, audience: AUDIENCE });
    expect(await resourceProxy(request(`Bearer ${await issuer.mint()}`), verifier)).toBeUndefined();

    const missing = await resourceProxy(request(), verifier);
    expect(missing?.status).toBe(401);
    expect(missing?.headers.get('www-authenticate')).toBe('Bearer');

    const forged = await resourceProxy(request('Bearer a.b.c'), verifier);
    expect(forged?.status).toBe(401);
    expect(forged?.headers.get('www-authenticate')).toMatch(/error="invalid_token"/);
    expect(forged?.headers.get('content-type')).toBe('application/problem+json');
  });

  it('the route answers who the token speaks for, with the verifier configured from the environment', async () => {
    const response = await whoami(request(`Bearer ${await issuer.mint()}`));
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({
      type: 'user',
      id: '0191e0c4-0000-7000-8000-000000000001',
      tenantId: '0191e0c4-0000-7000-8000-0000000000aa',
      clientId: 'first-party',
      scopes: ['openid', 'invoices:read'],
    });
    const refused = await whoami(request('Bearer a.b.c'));
    expect(refused.status).toBe(401);
  });
});
