import { createRemoteJWKSet, jwtVerify } from 'jose';
import jwt from 'jsonwebtoken';
import jwksClient from 'jwks-rsa';
import * as oauth from 'oauth4webapi';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createVerifier } from '../src/tokens/public.js';
import {
  AUDIENCE,
  type SigningKey,
  signingKey,
  startTestIssuer,
  type TestIssuer,
} from './support/token-issuer.js';

// The tokens the verifier tests mint are in Portcullis's access-token format (RFC 9068); libraries
// nobody here wrote accept them, and so does our verifier: the format is the standard one.

let ed: SigningKey;
let es: SigningKey;
let rs: SigningKey;
let issuer: TestIssuer;

beforeAll(async () => {
  [ed, es, rs] = await Promise.all([signingKey('EdDSA'), signingKey('ES256'), signingKey('RS256')]);
  issuer = await startTestIssuer([ed, es, rs]);
});
afterAll(() => issuer.close());

function request(token: string): Request {
  return new Request('https://api.example.test/invoices', { headers: { authorization: `Bearer ${token}` } });
}

describe('interoperability of the access-token format', () => {
  for (const alg of ['EdDSA', 'ES256', 'RS256'] as const) {
    it(`oauth4webapi.validateJwtAccessToken accepts a ${alg} token, as does our verifier`, async () => {
      const key = { EdDSA: ed, ES256: es, RS256: rs }[alg];
      const token = await issuer.mint({ key });
      const as: oauth.AuthorizationServer = { issuer: issuer.issuer, jwks_uri: issuer.jwksUri };
      const claims = await oauth.validateJwtAccessToken(as, request(token), AUDIENCE, {
        [oauth.allowInsecureRequests]: true,
      });
      expect(claims).toMatchObject({ iss: issuer.issuer, aud: AUDIENCE, client_id: 'first-party' });

      const ours = createVerifier({ issuer: issuer.issuer, audience: AUDIENCE, algorithms: [alg] });
      expect((await ours.verify(token)).tokenId).toBe(claims.jti);
    });
  }

  it('oauth4webapi refuses what our verifier refuses for the same reason: a token that is not at+jwt', async () => {
    const token = await issuer.mint({ header: { typ: 'JWT' } });
    const as: oauth.AuthorizationServer = { issuer: issuer.issuer, jwks_uri: issuer.jwksUri };
    await expect(
      oauth.validateJwtAccessToken(as, request(token), AUDIENCE, { [oauth.allowInsecureRequests]: true }),
    ).rejects.toThrow();
  });

  for (const alg of ['ES256', 'RS256'] as const) {
    it(`jsonwebtoken + jwks-rsa verify a ${alg} token against the JWKS`, async () => {
      const key = alg === 'ES256' ? es : rs;
      const token = await issuer.mint({ key });
      const client = jwksClient({ jwksUri: issuer.jwksUri });
      const payload = await new Promise<jwt.JwtPayload>((resolve, reject) => {
        jwt.verify(
          token,
          (header, callback) => {
            client.getSigningKey(header.kid, (error, signingKey) =>
              callback(error, signingKey?.getPublicKey()),
            );
          },
          { algorithms: [alg], issuer: issuer.issuer, audience: AUDIENCE, complete: false },
          (error, decoded) => (error ? reject(error) : resolve(decoded as jwt.JwtPayload)),
        );
      });
      expect(payload).toMatchObject({ iss: issuer.issuer, sub: '0191e0c4-0000-7000-8000-000000000001' });
      const decoded = jwt.decode(token, { complete: true });
      expect(decoded?.header).toMatchObject({ typ: 'at+jwt', kid: key.kid, alg });
    });
  }

  it('jose createRemoteJWKSet + jwtVerify (typ at+jwt) verify an EdDSA token', async () => {
    const token = await issuer.mint({ key: ed });
    const { payload, protectedHeader } = await jwtVerify(token, createRemoteJWKSet(new URL(issuer.jwksUri)), {
      issuer: issuer.issuer,
      audience: AUDIENCE,
      typ: 'at+jwt',
    });
    expect(protectedHeader.kid).toBe(ed.kid);
    expect(payload.client_id).toBe('first-party');
  });
});
