import { exportSPKI, importJWK } from 'jose';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { AccessTokenError, createVerifier, type Verifier } from '../src/tokens/public.js';
import {
  AUDIENCE,
  base64url,
  defaultClaims,
  recordFetches,
  type SigningKey,
  signCompact,
  signingKey,
  startTestIssuer,
  type TestIssuer,
} from './support/token-issuer.js';

// The JWT negative suite: every token here is refused with `access_token_invalid`, for the reason
// named, and no request leaves for anywhere but the issuer's own JWKS. Each starts from a valid
// token (the first case proves it passes) and changes one thing.

let issuer: TestIssuer;
let tenantB: TestIssuer;
let attacker: TestIssuer;
let ed: SigningKey;
let es: SigningKey;
let attackerKey: SigningKey;
let verifier: Verifier;
let fetches: ReturnType<typeof recordFetches>;

beforeAll(async () => {
  [ed, es, attackerKey] = await Promise.all([signingKey('EdDSA'), signingKey('ES256'), signingKey('EdDSA')]);
  issuer = await startTestIssuer([ed, es]);
  tenantB = await startTestIssuer([await signingKey('EdDSA')]);
  // serves the attacker's key at /auth/.well-known/jwks.json and counts every request it gets
  attacker = await startTestIssuer([attackerKey]);
  verifier = createVerifier({ issuer: issuer.issuer, audience: AUDIENCE });
});
afterAll(async () => {
  await Promise.all([issuer.close(), tenantB.close(), attacker.close()]);
});

beforeEach(() => {
  fetches = recordFetches();
});
afterEach(() => {
  fetches.restore();
  // nothing but an issuer's own JWKS was ever fetched (the configured one: each case's verifier
  // names its issuer); the attacker's server, named in jku/x5u headers, saw no request
  for (const url of fetches.urls) {
    expect(url.startsWith(attacker.origin)).toBe(false);
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/auth\/\.well-known\/jwks\.json$/);
  }
  expect(attacker.requests).toEqual([]);
});

const nowSeconds = () => Math.floor(Date.now() / 1000);

async function refused(token: string, reason: RegExp, by: Verifier = verifier): Promise<void> {
  const error = await by.verify(token).then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!(error instanceof AccessTokenError)) throw new Error(`accepted or failed untyped: ${String(error)}`);
  expect(error.code).toBe('access_token_invalid');
  expect(error.detail).toMatch(reason);
}

function replaceSignature(token: string, signature: string): string {
  return `${token.split('.').slice(0, 2).join('.')}.${signature}`;
}

describe('the JWT negative suite: all refused', () => {
  it('(control) the unmodified token passes', async () => {
    await expect(verifier.verify(await issuer.mint())).resolves.toMatchObject({ type: 'user' });
  });

  it('alg none with an empty signature', async () => {
    const token = await signCompact(
      { alg: 'none', typ: 'at+jwt', kid: ed.kid },
      defaultClaims(issuer.issuer, nowSeconds()),
      null,
    );
    await refused(token, /compact JWS/);
  });

  it('alg none with a signature attached', async () => {
    const token = await signCompact(
      { alg: 'none', typ: 'at+jwt', kid: ed.kid },
      defaultClaims(issuer.issuer, nowSeconds()),
      null,
    );
    await refused(`${token}${base64url('x')}`, /algorithm/);
  });

  it("HS256 keyed with the Ed25519 public key's bytes", async () => {
    const secret = new Uint8Array(Buffer.from(ed.publicJwk.x ?? '', 'base64url'));
    const token = await signCompact(
      { alg: 'HS256', typ: 'at+jwt', kid: ed.kid },
      defaultClaims(issuer.issuer, nowSeconds()),
      secret,
    );
    await refused(token, /algorithm/);
  });

  it("HS256 keyed with the RSA public key's PEM, at a verifier that accepts RS256", async () => {
    const rs = await signingKey('RS256');
    const local = await startTestIssuer([rs]);
    try {
      const pem = await exportSPKI((await importJWK(rs.publicJwk, 'RS256')) as CryptoKey);
      const token = await signCompact(
        { alg: 'HS256', typ: 'at+jwt', kid: rs.kid },
        defaultClaims(local.issuer, nowSeconds()),
        new Uint8Array(Buffer.from(pem)),
      );
      const rsVerifier = createVerifier({ issuer: local.issuer, audience: AUDIENCE, algorithms: ['RS256'] });
      await refused(token, /algorithm/, rsVerifier);
      expect(local.jwksRequests()).toBe(0);
    } finally {
      await local.close();
    }
  });

  it('an unknown kid, and a burst of them refetches the JWKS at most once per cooldown', async () => {
    await verifier.verify(await issuer.mint()); // key set loaded
    const before = issuer.jwksRequests();
    for (let i = 0; i < 20; i++) {
      await refused(await issuer.mint({ header: { kid: `unknown-${i}` } }), /kid/);
    }
    expect(issuer.jwksRequests() - before).toBeLessThanOrEqual(1);
  });

  it('no kid at all', async () => {
    await refused(await issuer.mint({ header: { kid: undefined } }), /kid/);
  });

  it("jku pointing at the attacker's JWKS (signed with the attacker's key): not followed", async () => {
    const token = await issuer.mint({
      key: attackerKey,
      header: { jku: attacker.jwksUri, kid: attackerKey.kid },
    });
    await refused(token, /kid/);
  });

  it("x5u pointing at the attacker's server: not followed", async () => {
    const token = await issuer.mint({
      key: attackerKey,
      header: { x5u: `${attacker.origin}/cert.pem`, kid: attackerKey.kid },
    });
    await refused(token, /kid/);
  });

  it("jwk header carrying the attacker's public key: not used", async () => {
    const token = await issuer.mint({ key: attackerKey, header: { jwk: attackerKey.publicJwk } });
    await refused(token, /kid/);
  });

  it('jwk header carrying the attacker key under the issuer kid: the signature fails', async () => {
    const token = await issuer.mint({
      key: attackerKey,
      header: { kid: ed.kid, jwk: attackerKey.publicJwk },
    });
    await refused(token, /signature/);
  });

  it('x5c header with a certificate chain: not used', async () => {
    const token = await issuer.mint({
      key: attackerKey,
      header: { kid: ed.kid, x5c: [Buffer.from('not really a certificate').toString('base64')] },
    });
    await refused(token, /signature/);
  });

  it('a private JWK in the header', async () => {
    const token = await issuer.mint({
      key: attackerKey,
      header: { jwk: attackerKey.privateJwk, kid: attackerKey.kid },
    });
    await refused(token, /kid/);
  });

  it('typ JWT: an ID token used as an access token', async () => {
    const token = await issuer.mint({ header: { typ: 'JWT' }, claims: { nonce: 'n-1', at_hash: 'abc' } });
    await refused(token, /typ/);
  });

  it('no typ at all', async () => {
    await refused(await issuer.mint({ header: { typ: undefined } }), /typ/);
  });

  it('a typ that is not a string (a number), never a 500', async () => {
    const token = await signCompact(
      { alg: 'EdDSA', typ: 9068, kid: ed.kid },
      defaultClaims(issuer.issuer, nowSeconds()),
      ed.privateKey,
    );
    await refused(token, /typ/);
  });

  it('a header that is JSON but not an object (null, an array)', async () => {
    const rest = (await issuer.mint()).split('.').slice(1).join('.');
    await refused(`${base64url('null')}.${rest}`, /header/);
    await refused(`${base64url('["EdDSA"]')}.${rest}`, /header|algorithm/);
  });

  it('a refresh-token-like typ (rt+jwt)', async () => {
    await refused(await issuer.mint({ header: { typ: 'rt+jwt' } }), /typ/);
  });

  it('a logout-token / other JWT profile typ (application/jwt)', async () => {
    await refused(await issuer.mint({ header: { typ: 'application/jwt' } }), /typ/);
  });

  it('expired beyond the clock tolerance', async () => {
    const issued = nowSeconds() - 400;
    await refused(await issuer.mint({ nowSeconds: issued, claims: { exp: nowSeconds() - 10 } }), /expired/);
  });

  it('not valid yet: nbf beyond the tolerance', async () => {
    await refused(await issuer.mint({ claims: { nbf: nowSeconds() + 60 } }), /nbf/);
  });

  it('issued in the future: iat beyond the tolerance', async () => {
    await refused(await issuer.mint({ claims: { iat: nowSeconds() + 60 } }), /iat/);
  });

  it('a wrong audience', async () => {
    await refused(await issuer.mint({ claims: { aud: 'https://other-api.test' } }), /"aud"/);
  });

  it('no audience', async () => {
    await refused(await issuer.mint({ claims: { aud: undefined } }), /"aud"/);
  });

  it('a wrong issuer (signed by the right key)', async () => {
    await refused(await issuer.mint({ claims: { iss: 'https://evil.test/auth' } }), /"iss"/);
  });

  it('crit naming an unknown extension', async () => {
    const token = await signCompact(
      { alg: 'ES256', typ: 'at+jwt', kid: es.kid, crit: ['urn:example:policy'], 'urn:example:policy': 1 },
      defaultClaims(issuer.issuer, nowSeconds()),
      es.privateKey,
    );
    await refused(token, /critical/);
  });

  it('crit naming a member the header does not even carry', async () => {
    const token = await signCompact(
      { alg: 'EdDSA', typ: 'at+jwt', kid: ed.kid, crit: ['exp'] },
      defaultClaims(issuer.issuer, nowSeconds()),
      ed.privateKey,
    );
    await refused(token, /critical/);
  });

  it("tenant A's token at tenant B's verifier (A's issuer, A's key)", async () => {
    const atB = createVerifier({ issuer: tenantB.issuer, audience: AUDIENCE });
    const fromA = await issuer.mint();
    const error = await atB.verify(fromA).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(AccessTokenError);
    expect((error as AccessTokenError).code).toBe('access_token_invalid');
  });

  it("a token claiming tenant B's issuer but signed by tenant A's key", async () => {
    const atB = createVerifier({ issuer: tenantB.issuer, audience: AUDIENCE });
    await refused(await issuer.mint({ claims: { iss: tenantB.issuer } }), /kid/, atB);
  });

  it("a token signed by tenant A's key under tenant B's kid", async () => {
    const atB = createVerifier({ issuer: tenantB.issuer, audience: AUDIENCE });
    const kidB = tenantB.published[0]?.kid;
    await refused(
      await issuer.mint({ claims: { iss: tenantB.issuer }, header: { kid: kidB } }),
      /signature/,
      atB,
    );
  });

  it('a truncated signature', async () => {
    const token = await issuer.mint();
    await refused(token.slice(0, -6), /signature/);
  });

  it('a signature cut off entirely (two segments)', async () => {
    const token = await issuer.mint();
    await refused(token.split('.').slice(0, 2).join('.'), /compact JWS/);
  });

  it('a re-padded signature (base64 "=" padding)', async () => {
    const token = await issuer.mint({ key: es });
    await refused(`${token}=`, /compact JWS/);
    await refused(`${token}==`, /compact JWS/);
  });

  it('a signature in standard base64 instead of base64url', async () => {
    const token = await issuer.mint({ key: es });
    const signature = Buffer.from(token.split('.')[2] ?? '', 'base64url').toString('base64');
    await refused(replaceSignature(token, signature), /compact JWS|signature/);
  });

  it('a signature with one character changed', async () => {
    const token = await issuer.mint();
    const signature = token.split('.')[2] ?? '';
    const flipped = `${signature[0] === 'A' ? 'B' : 'A'}${signature.slice(1)}`;
    await refused(replaceSignature(token, flipped), /signature/);
  });

  it('a payload changed after signing (another sub)', async () => {
    const token = await issuer.mint();
    const [header, payload, signature] = token.split('.');
    const claims = JSON.parse(Buffer.from(payload ?? '', 'base64url').toString());
    const forged = base64url(JSON.stringify({ ...claims, sub: 'someone-else' }));
    await refused(`${header}.${forged}.${signature}`, /signature/);
  });

  it('no exp', async () => {
    await refused(await issuer.mint({ claims: { exp: undefined } }), /"exp"/);
  });

  it('no sub', async () => {
    await refused(await issuer.mint({ claims: { sub: undefined } }), /"sub"/);
  });

  it('no jti', async () => {
    await refused(await issuer.mint({ claims: { jti: undefined } }), /"jti"/);
  });

  it('no client_id', async () => {
    await refused(await issuer.mint({ claims: { client_id: undefined } }), /"client_id"/);
  });

  it('no iat', async () => {
    await refused(await issuer.mint({ claims: { iat: undefined } }), /"iat"/);
  });

  it('claims of the wrong shape (scope as an array, act without sub)', async () => {
    await refused(await issuer.mint({ claims: { scope: ['admin'] } }), /"scope"/);
    await refused(await issuer.mint({ claims: { act: { sub_type: 'user' } } }), /"act"/);
    await refused(await issuer.mint({ claims: { sub: 42 } }), /"sub"/);
  });

  it('an algorithm off the allowlist, even with its key in the JWKS (ES384)', async () => {
    const es384 = await signingKey('ES384');
    issuer.published.push(es384);
    try {
      await refused(await issuer.mint({ key: es384 }), /algorithm/);
    } finally {
      issuer.published = issuer.published.filter((key) => key !== es384);
    }
  });

  it('RS256 when the verifier did not opt in', async () => {
    const rs = await signingKey('RS256');
    issuer.published.push(rs);
    try {
      await refused(await issuer.mint({ key: rs }), /algorithm/);
    } finally {
      issuer.published = issuer.published.filter((key) => key !== rs);
    }
  });

  it('RS256 with a 2048-bit key, even when RS256 is allowed', async () => {
    const weak = await signingKey('RS256', { modulusLength: 2048 });
    const local = await startTestIssuer([weak]);
    try {
      const rsVerifier = createVerifier({ issuer: local.issuer, audience: AUDIENCE, algorithms: ['RS256'] });
      await refused(await local.mint(), /3072/, rsVerifier);
    } finally {
      await local.close();
    }
  });

  it('signed by a key since removed from the JWKS', async () => {
    const removed = await signingKey('EdDSA');
    const kept = await signingKey('EdDSA');
    const local = await startTestIssuer([removed, kept]);
    try {
      const token = await local.mint({ key: removed });
      local.published = [kept];
      const fresh = createVerifier({ issuer: local.issuer, audience: AUDIENCE });
      await refused(token, /kid/, fresh);
    } finally {
      await local.close();
    }
  });

  it('a JWE (five segments)', async () => {
    const token = await issuer.mint();
    await refused(`${token}.${base64url('iv')}.${base64url('tag')}`, /compact JWS/);
  });

  it('a header that is not JSON', async () => {
    const token = await issuer.mint();
    await refused(`${base64url('{"alg":')}.${token.split('.').slice(1).join('.')}`, /header/);
  });

  it('a token larger than 8 KiB', async () => {
    await refused(await issuer.mint({ claims: { padding: 'x'.repeat(9000) } }), /malformed/);
  });
});
