import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { AUTH_ERROR_CODES } from '../src/errors.js';
import { problemType, STATUS_BY_CODE, TITLE_BY_CODE } from '../src/http/status-codes.js';
import { testClock } from '../src/testing/index.js';
import {
  ACCESS_TOKEN_ERROR_DOCS_URL,
  ACCESS_TOKEN_ERROR_STATUS,
  ACCESS_TOKEN_ERROR_TITLE,
} from '../src/tokens/access-token-error.js';
import { AccessTokenError, createVerifier, isAuthError, type VerifierOptions } from '../src/tokens/public.js';
import {
  AUDIENCE,
  type SigningKey,
  signingKey,
  startTestIssuer,
  type TestIssuer,
} from './support/token-issuer.js';

let ed: SigningKey;
let es: SigningKey;
let rs: SigningKey;
let issuer: TestIssuer;

beforeAll(async () => {
  [ed, es, rs] = await Promise.all([signingKey('EdDSA'), signingKey('ES256'), signingKey('RS256')]);
  issuer = await startTestIssuer([ed, es, rs]);
});
afterAll(() => issuer.close());

function verifierFor(options: Partial<VerifierOptions> = {}) {
  return createVerifier({ issuer: issuer.issuer, audience: AUDIENCE, ...options });
}

function bearer(token: string, headers: Record<string, string> = {}): Request {
  return new Request('http://rs.test/invoices', {
    headers: { authorization: `Bearer ${token}`, ...headers },
  });
}

async function rejection(promise: Promise<unknown>): Promise<AccessTokenError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!(error instanceof AccessTokenError))
    throw new Error(`expected an AccessTokenError, got ${String(error)}`);
  return error;
}

describe('createVerifier: valid tokens', () => {
  it("verifies a user's EdDSA token against the JWKS at <issuer>/.well-known/jwks.json and names the principal", async () => {
    const nowSeconds = Math.floor(Date.now() / 1000);
    const token = await issuer.mint({ key: ed, nowSeconds });
    const principal = await verifierFor().verify(token);
    expect(principal).toMatchObject({
      type: 'user',
      id: '0191e0c4-0000-7000-8000-000000000001',
      clientId: 'first-party',
      tenantId: '0191e0c4-0000-7000-8000-0000000000aa',
      sessionId: '0191e0c4-0000-7000-8000-0000000000bb',
      scopes: ['openid', 'invoices:read'],
      environment: null,
      actor: null,
      amr: ['pwd', 'otp'],
      authTime: nowSeconds - 60,
      expiresAt: new Date((nowSeconds + 300) * 1000),
    });
    expect(principal.tokenId).toBe(principal.claims.jti);
    expect(issuer.requests).toContain('/auth/.well-known/jwks.json');
  });

  it('verifies ES256 tokens by default and RS256 (3072-bit) ones only when RS256 is allowed', async () => {
    await expect(verifierFor().verify(await issuer.mint({ key: es }))).resolves.toMatchObject({
      type: 'user',
    });
    const rsToken = await issuer.mint({ key: rs });
    expect((await rejection(verifierFor().verify(rsToken))).detail).toMatch(/algorithm/);
    await expect(verifierFor({ algorithms: ['RS256'] }).verify(rsToken)).resolves.toMatchObject({
      type: 'user',
    });
  });

  it('names a client-credentials token (sub = client_id, no sid) a client, with its environment and actor', async () => {
    const token = await issuer.mint({
      claims: {
        sub: 'client_123',
        client_id: 'client_123',
        sid: undefined,
        amr: undefined,
        acr: undefined,
        auth_time: undefined,
        env: 'test',
        act: { sub: 'admin-1', sub_type: 'user' },
      },
    });
    const principal = await verifierFor().verify(token);
    expect(principal).toMatchObject({
      type: 'client',
      id: 'client_123',
      sessionId: null,
      environment: 'test',
      actor: { sub: 'admin-1', sub_type: 'user' },
      amr: [],
      authTime: null,
    });
  });

  it('accepts the media-type spelling application/at+jwt (RFC 9068 §2.1)', async () => {
    const token = await issuer.mint({ header: { typ: 'application/at+jwt' } });
    await expect(verifierFor().verify(token)).resolves.toMatchObject({ type: 'user' });
  });

  it('accepts a token of any audience it lists', async () => {
    const token = await issuer.mint({ claims: { aud: ['https://other.test', AUDIENCE] } });
    await expect(verifierFor({ audience: ['https://x.test', AUDIENCE] }).verify(token)).resolves.toBeTruthy();
  });

  it('verifies against a fixed key set without any fetch', async () => {
    const before = issuer.requests.length;
    const verifier = verifierFor({ jwks: { keys: [ed.publicJwk] }, jwksUri: 'http://127.0.0.1:1/never' });
    await expect(verifier.verify(await issuer.mint({ key: ed }))).resolves.toBeTruthy();
    expect(issuer.requests.length).toBe(before);
  });
});

describe('createVerifier: the verified-token cache', () => {
  it('serves a repeated token without checking its signature again, and checks it every time without the cache', async () => {
    const signatureChecks = vi.spyOn(crypto.subtle, 'verify');
    try {
      const token = await issuer.mint();
      const cached = verifierFor();
      for (let i = 0; i < 5; i++) await cached.verify(token);
      expect(signatureChecks).toHaveBeenCalledTimes(1);

      signatureChecks.mockClear();
      const uncached = verifierFor({ cache: false });
      for (let i = 0; i < 3; i++) await uncached.verify(token);
      expect(signatureChecks).toHaveBeenCalledTimes(3);
    } finally {
      signatureChecks.mockRestore();
    }
  });

  it('is bounded: beyond maxEntries the oldest token is checked again', async () => {
    const verifier = verifierFor({ cache: { maxEntries: 2 } });
    const [a, b, c] = await Promise.all([issuer.mint(), issuer.mint(), issuer.mint()]);
    const signatureChecks = vi.spyOn(crypto.subtle, 'verify');
    try {
      await verifier.verify(a);
      await verifier.verify(b);
      await verifier.verify(b);
      expect(signatureChecks).toHaveBeenCalledTimes(2);
      await verifier.verify(c); // evicts a
      await verifier.verify(a);
      expect(signatureChecks).toHaveBeenCalledTimes(4);
    } finally {
      signatureChecks.mockRestore();
    }
  });

  it('keeps a token no longer than the key set is trusted: once its key leaves the JWKS, the cached token fails too', async () => {
    const local = await startTestIssuer([await signingKey('EdDSA')]);
    try {
      const verifier = createVerifier({ issuer: local.issuer, audience: AUDIENCE, jwksCacheSeconds: 0.1 });
      const token = await local.mint();
      await verifier.verify(token);
      local.published = [await signingKey('EdDSA')];
      await new Promise((resolve) => setTimeout(resolve, 150));
      expect((await rejection(verifier.verify(token))).detail).toMatch(/kid/);
    } finally {
      await local.close();
    }
  });

  it('hands out a frozen principal, so no caller can change what the cache serves the next', async () => {
    const verifier = verifierFor();
    const token = await issuer.mint();
    const principal = await verifier.verify(token);
    expect(() => principal.scopes.push('admin')).toThrow(TypeError);
    expect(() => {
      (principal.claims as { scope?: string }).scope = 'admin';
    }).toThrow(TypeError);
    expect((await verifier.verify(token)).scopes).toEqual(['openid', 'invoices:read']);
  });

  it('never serves a cached token past its exp', async () => {
    const clock = testClock(new Date());
    const nowSeconds = Math.floor(clock.now().getTime() / 1000);
    const token = await issuer.mint({ nowSeconds, claims: { exp: nowSeconds + 60 } });
    const verifier = verifierFor({ clock, clockToleranceSeconds: 0 });
    await verifier.verify(token);
    clock.advanceSeconds(59);
    await verifier.verify(token);
    clock.advanceSeconds(2);
    expect((await rejection(verifier.verify(token))).detail).toMatch(/expired/);
  });

  it('asks isRevoked on every hit, and refuses the token once it says so', async () => {
    const revoked = new Set<string>();
    const asked: string[] = [];
    const verifier = verifierFor({
      isRevoked: async (principal) => {
        asked.push(principal.tokenId);
        return principal.sessionId !== null && revoked.has(principal.sessionId);
      },
    });
    const token = await issuer.mint();
    const principal = await verifier.verify(token);
    await verifier.verify(token);
    revoked.add(principal.sessionId ?? '');
    const error = await rejection(verifier.verify(token));
    expect(error.code).toBe('access_token_invalid');
    expect(error.detail).toMatch(/revoked/);
    expect(asked).toHaveLength(3);
  });

  it('refuses (503 storage_unavailable) when the revocation check cannot answer', async () => {
    const verifier = verifierFor({
      isRevoked: () => {
        throw new Error('redis down');
      },
    });
    const response = await verifier.authenticate(bearer(await issuer.mint()));
    if (!(response instanceof Response))
      throw new Error('a revocation check that fails must not let the token in');
    expect(response.status).toBe(503);
    expect(response.headers.get('www-authenticate')).toBe('Bearer');
    expect(await response.json()).toMatchObject({ code: 'storage_unavailable', status: 503 });
  });
});

describe('createVerifier: requirements (scopes and step-up)', () => {
  it('answers 403 insufficient_scope with the needed scope in the challenge', async () => {
    const verifier = verifierFor({ requiredScopes: ['invoices:read', 'invoices:write'], realm: 'billing' });
    const response = await verifier.authenticate(bearer(await issuer.mint()));
    if (!(response instanceof Response)) throw new Error('expected a refusal');
    expect(response.status).toBe(403);
    expect(response.headers.get('www-authenticate')).toBe(
      'Bearer realm="billing", error="insufficient_scope", error_description="the token lacks a scope this request needs", scope="invoices:read invoices:write"',
    );
    expect(await response.json()).toMatchObject({
      code: 'insufficient_scope',
      scopes: ['invoices:read', 'invoices:write'],
    });
  });

  it('per-call requirements replace the verifier-wide ones', async () => {
    const verifier = verifierFor({ requiredScopes: ['invoices:write'] });
    const token = await issuer.mint();
    await expect(verifier.verify(token, { requiredScopes: ['invoices:read'] })).resolves.toBeTruthy();
    expect((await rejection(verifier.verify(token))).code).toBe('insufficient_scope');
  });

  it('asks for a step-up (RFC 9470) when auth_time is older than maxAuthAgeSeconds', async () => {
    const verifier = verifierFor({ maxAuthAgeSeconds: 30 });
    const response = await verifier.authenticate(bearer(await issuer.mint()));
    if (!(response instanceof Response)) throw new Error('expected a refusal');
    expect(response.status).toBe(401);
    expect(response.headers.get('www-authenticate')).toBe(
      'Bearer error="insufficient_user_authentication", error_description="a more recent authentication is required", max_age=30',
    );
    expect(await response.json()).toMatchObject({ code: 'step_up_required', maxAgeSeconds: 30 });
    await expect(verifierFor({ maxAuthAgeSeconds: 120 }).verify(await issuer.mint())).resolves.toBeTruthy();
  });

  it('asks for a step-up with acr_values when the acr is not one of those required', async () => {
    const verifier = verifierFor({ acrValues: ['urn:portcullis:hwk', 'urn:portcullis:phr'] });
    const error = await rejection(verifier.verify(await issuer.mint()));
    expect(error.code).toBe('step_up_required');
    expect(error.challenge).toBe(
      'Bearer error="insufficient_user_authentication", error_description="a stronger authentication is required", acr_values="urn:portcullis:hwk urn:portcullis:phr"',
    );
    const strong = await issuer.mint({ claims: { acr: 'urn:portcullis:hwk' } });
    await expect(verifier.verify(strong)).resolves.toBeTruthy();
  });

  it('a client token never satisfies a user-authentication requirement', async () => {
    const token = await issuer.mint({
      claims: { sub: 'c1', client_id: 'c1', sid: undefined, auth_time: undefined, acr: undefined },
    });
    expect((await rejection(verifierFor({ maxAuthAgeSeconds: 3600 }).verify(token))).code).toBe(
      'step_up_required',
    );
  });
});

describe('createVerifier: authenticate(request)', () => {
  it('returns the principal for a valid bearer token', async () => {
    const result = await verifierFor().authenticate(bearer(await issuer.mint()));
    expect(result).not.toBeInstanceOf(Response);
    expect(result).toMatchObject({ type: 'user' });
  });

  it('answers a request without a token 401 with a bare Bearer challenge (RFC 6750 §3.1)', async () => {
    for (const request of [
      new Request('http://rs.test/'),
      new Request('http://rs.test/', { headers: { authorization: 'Basic dXNlcjpwYXNz' } }),
    ]) {
      const response = await verifierFor().authenticate(request);
      if (!(response instanceof Response)) throw new Error('expected a refusal');
      expect(response.status).toBe(401);
      expect(response.headers.get('www-authenticate')).toBe('Bearer');
      expect(response.headers.get('content-type')).toBe('application/problem+json');
      expect(await response.json()).toMatchObject({ code: 'unauthenticated', status: 401 });
    }
  });

  it('answers an invalid token 401 problem+json with error="invalid_token", no-store and the request id', async () => {
    const response = await verifierFor().authenticate(bearer('a.b.c', { 'x-request-id': 'req-42' }));
    if (!(response instanceof Response)) throw new Error('expected a refusal');
    expect(response.status).toBe(401);
    expect(response.headers.get('www-authenticate')).toMatch(
      /^Bearer error="invalid_token", error_description="/,
    );
    expect(response.headers.get('cache-control')).toBe('no-store');
    expect(response.headers.get('x-request-id')).toBe('req-42');
    expect(await response.json()).toMatchObject({
      type: `${ACCESS_TOKEN_ERROR_DOCS_URL}#access_token_invalid`,
      title: 'Invalid access token',
      status: 401,
      code: 'access_token_invalid',
      requestId: 'req-42',
    });
  });

  it('answers a malformed Authorization header as an invalid token, never a 500', async () => {
    for (const authorization of [
      'Bearer',
      'Bearer ',
      'Bearer a b',
      'Bearer ä.b.c',
      `Bearer ${'x'.repeat(9000)}`,
    ]) {
      const response = await verifierFor().authenticate(
        new Request('http://rs.test/', { headers: { authorization } }),
      );
      if (!(response instanceof Response)) throw new Error('expected a refusal');
      expect(response.status, authorization).toBe(401);
      expect(((await response.json()) as { code: string }).code).toBe('access_token_invalid');
    }
  });

  it("answers 503 jwks_unavailable, without error=invalid_token, when the issuer's keys cannot be fetched", async () => {
    const token = await issuer.mint();
    issuer.failWith = 500;
    try {
      const response = await verifierFor().authenticate(bearer(token));
      if (!(response instanceof Response)) throw new Error('expected a refusal');
      expect(response.status).toBe(503);
      expect(response.headers.get('www-authenticate')).toBe('Bearer');
      expect(await response.json()).toMatchObject({ code: 'jwks_unavailable' });
    } finally {
      issuer.failWith = null;
    }
    const unreachable = createVerifier({
      issuer: issuer.issuer,
      audience: AUDIENCE,
      jwksUri: 'http://127.0.0.1:9/jwks.json',
    });
    expect((await rejection(unreachable.verify(token))).code).toBe('jwks_unavailable');
  });

  it('verifyRequest throws the typed error instead, which isAuthError recognises', async () => {
    const error = await rejection(verifierFor().verifyRequest(new Request('http://rs.test/')));
    expect(isAuthError(error, 'unauthenticated')).toBe(true);
  });
});

describe('createVerifier: key rotation', () => {
  it('fetches the JWKS again for a new kid once the cooldown allows, and not before', async () => {
    const local = await startTestIssuer([await signingKey('EdDSA')]);
    try {
      const verifier = createVerifier({ issuer: local.issuer, audience: AUDIENCE, jwksCooldownSeconds: 0.2 });
      await verifier.verify(await local.mint());
      expect(local.jwksRequests()).toBe(1);
      const next = await signingKey('EdDSA');
      local.published.push(next);
      const rotated = await local.mint({ key: next });
      // within the cooldown, an unknown kid is refused without a fetch
      expect((await rejection(verifier.verify(rotated))).detail).toMatch(/kid/);
      expect(local.jwksRequests()).toBe(1);
      await new Promise((resolve) => setTimeout(resolve, 250));
      await expect(verifier.verify(rotated)).resolves.toBeTruthy();
      expect(local.jwksRequests()).toBe(2);
    } finally {
      await local.close();
    }
  });
});

describe('createVerifier: key rotation on a test clock', () => {
  it('verifies every token across a rotation (next → active → retired → removed) with zero false rejects', async () => {
    const first = await signingKey('EdDSA');
    const second = await signingKey('EdDSA');
    const local = await startTestIssuer([first]);
    try {
      const clock = testClock(new Date());
      const startSeconds = Math.floor(clock.now().getTime() / 1000);
      // defaults: key set trusted 600 s, unknown-kid cooldown 30 s; tokens live 300 s
      const verifier = createVerifier({ issuer: local.issuer, audience: AUDIENCE, clock });
      const minted: Array<{ token: string; atSeconds: number }> = [];
      const rejects: string[] = [];
      for (let t = 0; t <= 1500; t += 10) {
        const nowSeconds = startSeconds + t;
        if (t === 100) local.published = [first, second]; // published as next, 600 s + before it signs
        if (t === 1070) local.published = [second]; // retired key removed after its last token expired
        const signer = t >= 710 ? second : first;
        minted.push({ token: await local.mint({ key: signer, nowSeconds }), atSeconds: t });
        // the newest token, and one minted 250 s ago (still valid, perhaps by the older key)
        for (const { token, atSeconds } of minted.filter(
          (m) => m.atSeconds === t || m.atSeconds === t - 250,
        )) {
          await verifier
            .verify(token)
            .catch((e: unknown) => rejects.push(`t=${t} (minted ${atSeconds}): ${e}`));
        }
        clock.advanceSeconds(10);
      }
      expect(rejects).toEqual([]);
      // the new key was learned from the key set's refetch after 600 s on the test clock (t = 600,
      // 1200), never from an unknown kid
      expect(local.jwksRequests()).toBe(3);
    } finally {
      await local.close();
    }
  });
});

describe('createVerifier: concurrency', () => {
  it('50 concurrent first verifications fetch the JWKS once', async () => {
    const local = await startTestIssuer([await signingKey('ES256')]);
    try {
      const verifier = createVerifier({ issuer: local.issuer, audience: AUDIENCE });
      const tokens = await Promise.all(Array.from({ length: 50 }, () => local.mint()));
      const principals = await Promise.all(tokens.map((token) => verifier.verify(token)));
      expect(new Set(principals.map((p) => p.tokenId)).size).toBe(50);
      expect(local.jwksRequests()).toBe(1);
    } finally {
      await local.close();
    }
  });
});

describe('createVerifier: configuration', () => {
  it('refuses algorithms it does not support, and an empty audience', () => {
    expect(() => verifierFor({ algorithms: ['HS256' as never] })).toThrow(/unsupported algorithm/);
    expect(() => verifierFor({ audience: [] })).toThrow(/audience/);
    expect(() => verifierFor({ clockToleranceSeconds: 3600 })).toThrow(/clockTolerance/);
  });
});

describe('access token errors', () => {
  it('have the statuses, titles and problem types of the http tables', () => {
    expect(ACCESS_TOKEN_ERROR_DOCS_URL).toBe(problemType('internal_error').split('#')[0]);
    for (const [code, status] of Object.entries(ACCESS_TOKEN_ERROR_STATUS)) {
      expect(AUTH_ERROR_CODES).toContain(code);
      expect(status, code).toBe(STATUS_BY_CODE[code as keyof typeof STATUS_BY_CODE]);
      expect(ACCESS_TOKEN_ERROR_TITLE[code as keyof typeof ACCESS_TOKEN_ERROR_TITLE], code).toBe(
        TITLE_BY_CODE[code as keyof typeof TITLE_BY_CODE],
      );
    }
  });
});
