import { decodeProtectedHeader, importPKCS8, SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Auth, type AuthConfig, createAuth, isAuthError } from '../src/index.js';
import { memoryStorage } from '../src/memory/index.js';
import { silentLogger } from '../src/ports/logger.js';
import type { Storage } from '../src/ports/storage.js';
import { testClock } from '../src/testing/test-clock.js';
import { createVerifier } from '../src/tokens/create-verifier.js';
import { createKeyWrapper } from '../src/tokens/signing-key-material.js';
import { serveHandler } from './support/handler-server.js';
import { PASSWORD, SECRET } from './support.js';

const KEK = { version: 'k1', secret: 'key-encryption-key-0123456789-abcdefghij' };

let current: Auth | undefined;
let server: Awaited<ReturnType<typeof serveHandler>>;
beforeAll(async () => {
  server = await serveHandler(() => current);
});
afterAll(async () => {
  await server.close();
});

/** An install with `tokens.tenantIssuers` on real HTTP, two isolated-pool tenants and a shared one. */
async function setup(
  tokens: Partial<NonNullable<AuthConfig['tokens']>> = {},
  more: Partial<AuthConfig> = {},
) {
  const clock = testClock(new Date(Date.UTC(2030, 0, 1)));
  const storage = memoryStorage();
  const auth = createAuth({
    storage,
    secret: SECRET,
    baseURL: server.baseURL,
    logger: silentLogger,
    clock,
    outbox: { autoStart: false },
    rateLimit: { enabled: false },
    tokens: { tenantIssuers: true, signingKeys: { keyEncryptionKeys: [KEK] }, ...tokens },
    ...more,
  });
  current = auth;
  const owner = await auth.api.signUp({ email: `owner.${Math.random()}@example.com`, password: PASSWORD });
  if ('pending' in owner) throw new Error('pending sign-up');
  const tenant = (slug: string, userPool: 'shared' | 'isolated') =>
    auth.api.createTenant(owner.user.id, { slug: `${slug}-${Date.now()}`, name: slug, userPool });
  const a = await tenant('a', 'isolated');
  const b = await tenant('b', 'isolated');
  const shared = await tenant('s', 'shared');
  const install = `${server.baseURL}/auth`;
  const issuerOf = (tenantId: string) => `${install}/tenants/${tenantId}`;
  return { auth, clock, storage, owner, a, b, shared, install, issuerOf };
}

async function refusal(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => null,
    (e: unknown) => e,
  );
}

async function expectInvalid(promise: Promise<unknown>) {
  const error = await refusal(promise);
  expect(
    isAuthError(error, 'access_token_invalid'),
    `expected access_token_invalid, got ${String(error)}`,
  ).toBe(true);
}

/** Signs arbitrary claims with the active EdDSA key of `issuer`, unwrapped from the store (a forger who holds it). */
async function signWithKeyOf(storage: Storage, issuer: string, claims: Record<string, unknown>) {
  const key = (await storage.signingKeys.listByIssuer(issuer)).find(
    (k) => k.algorithm === 'EdDSA' && k.state === 'active',
  );
  if (!key) throw new Error(`no active key for ${issuer}`);
  const pem = createKeyWrapper([KEK]).unwrap(key.wrappedPrivateKey, key.keyEncryptionKeyVersion);
  return new SignJWT(claims)
    .setProtectedHeader({ alg: 'EdDSA', typ: 'at+jwt', kid: key.id })
    .sign(await importPKCS8(pem, 'EdDSA'));
}

function claimsAt(clock: { now(): Date }, claims: Record<string, unknown>) {
  const iat = Math.floor(clock.now().getTime() / 1000);
  return { sub: 'u1', client_id: 'app', jti: `j-${Math.random()}`, iat, exp: iat + 300, ...claims };
}

async function getJson(path: string) {
  const response = await fetch(`${server.baseURL}/auth${path}`);
  return {
    response,
    body: (await response.json()) as Record<string, unknown> & { keys?: Array<{ kid: string }> },
  };
}

describe('per-tenant issuers (tokens.tenantIssuers)', () => {
  it("issues an isolated-pool tenant's tokens under its own issuer, signed with its own keys", async () => {
    const { auth, a, b, shared, install, issuerOf } = await setup();
    const ofA = await auth.api.issueAccessToken({ subject: 'u1', clientId: 'app', tenantId: a.id });
    expect(ofA.claims.iss).toBe(issuerOf(a.id));
    expect(ofA.claims.aud).toBe(issuerOf(a.id));
    expect(ofA.claims.tid).toBe(a.id);
    const ofShared = await auth.api.issueAccessToken({ subject: 'u1', clientId: 'app', tenantId: shared.id });
    const none = await auth.api.issueAccessToken({ subject: 'u1', clientId: 'app' });
    expect(ofShared.claims.iss).toBe(install);
    expect(none.claims.iss).toBe(install);
    expect(none.kid).toBe(ofShared.kid);
    expect(ofA.kid).not.toBe(none.kid);

    // each issuer publishes its own keys, and only those
    const jwksA = await getJson(`/tenants/${a.id}/.well-known/jwks.json`);
    expect(jwksA.response.status).toBe(200);
    expect(jwksA.response.headers.get('cache-control')).toBe('public, max-age=300');
    expect(jwksA.body.keys?.map((k) => k.kid)).toContain(ofA.kid);
    expect(jwksA.body.keys?.map((k) => k.kid)).not.toContain(none.kid);
    const installKeys = (await getJson('/.well-known/jwks.json')).body.keys?.map((k) => k.kid);
    expect(installKeys).toContain(none.kid);
    expect(installKeys).not.toContain(ofA.kid);
    await auth.api.issueAccessToken({ subject: 'u2', clientId: 'app', tenantId: b.id });
    const jwksB = (await getJson(`/tenants/${b.id}/.well-known/jwks.json`)).body.keys?.map((k) => k.kid);
    expect(jwksB).not.toContain(ofA.kid);
    expect(jwksB?.length).toBeGreaterThan(0);

    await expect(auth.api.verifyAccessToken(ofA.token)).resolves.toMatchObject({ tenantId: a.id, id: 'u1' });
    await expect(auth.api.verifyAccessToken(ofShared.token)).resolves.toMatchObject({ tenantId: shared.id });
    await auth.close();
  });

  it("issues the tenant's tokens along every path: a member's sign-in and refresh, a tenant client's grant, introspection", async () => {
    const { auth, owner, a, shared, install, issuerOf } = await setup(
      {},
      { clients: { scopes: { 'invoices:read': ['invoice.read'] } } },
    );
    const member = await auth.api.signUp({ email: 'member@example.com', password: PASSWORD, tenant: a.slug });
    if ('pending' in member) throw new Error('pending sign-up');
    const pair = await auth.api.issueTokens(member.token);
    const first = await auth.api.verifyAccessToken(pair.accessToken);
    expect(first).toMatchObject({ tenantId: a.id, id: member.user.id });
    expect(first.claims.iss).toBe(issuerOf(a.id));
    const renewed = await auth.api.refreshTokens(pair.refreshToken);
    expect((await auth.api.verifyAccessToken(renewed.accessToken)).claims.iss).toBe(issuerOf(a.id));

    // a tenant M2M client's own token is the tenant issuer's; a shared tenant's client's the install's
    const { client, secret } = await auth.api.createClient(a.id, owner.user.id, {
      name: 'worker',
      scopes: ['invoices:read'],
    });
    const credentials = { clientId: client.id, clientSecret: secret ?? '' };
    const granted = await auth.api.requestClientToken({ grantType: 'client_credentials', credentials });
    const principal = await auth.api.verifyAccessToken(granted.access_token);
    expect(principal).toMatchObject({ type: 'client', tenantId: a.id });
    expect(principal.claims.iss).toBe(issuerOf(a.id));
    await expect(
      auth.api.introspectToken({ token: granted.access_token, credentials }),
    ).resolves.toMatchObject({
      active: true,
      iss: issuerOf(a.id),
    });
    const sharedClient = await auth.api.createClient(shared.id, owner.user.id, {
      name: 'w',
      scopes: ['invoices:read'],
    });
    const sharedToken = await auth.api.requestClientToken({
      grantType: 'client_credentials',
      credentials: { clientId: sharedClient.client.id, clientSecret: sharedClient.secret ?? '' },
    });
    expect((await auth.api.verifyAccessToken(sharedToken.access_token)).claims.iss).toBe(install);
    await auth.close();
  });

  it('serves per-issuer metadata, and 404 for a tenant without its own issuer', async () => {
    const { auth, a, shared, install, issuerOf } = await setup();
    const metadata = await getJson(`/tenants/${a.id}/.well-known/oauth-authorization-server`);
    expect(metadata.response.status).toBe(200);
    expect(metadata.body).toMatchObject({
      issuer: issuerOf(a.id),
      jwks_uri: `${issuerOf(a.id)}/.well-known/jwks.json`,
      token_endpoint: `${install}/oauth/token`,
    });
    expect((await getJson('/.well-known/oauth-authorization-server')).body.issuer).toBe(install);
    for (const path of [
      `/tenants/${shared.id}/.well-known/jwks.json`,
      `/tenants/${shared.id}/.well-known/oauth-authorization-server`,
      '/tenants/no-such-tenant/.well-known/jwks.json',
    ]) {
      const { response, body } = await getJson(path);
      expect(response.status, path).toBe(404);
      expect(response.headers.get('content-type')).toContain('application/problem+json');
      expect(body.code).toBe('not_found');
    }
    await auth.close();

    // off by default: no tenant has an issuer of its own
    const off = await setup({ tenantIssuers: false });
    const token = await off.auth.api.issueAccessToken({ subject: 'u1', clientId: 'app', tenantId: off.a.id });
    expect(token.claims.iss).toBe(off.install);
    expect((await getJson(`/tenants/${off.a.id}/.well-known/jwks.json`)).response.status).toBe(404);
    await off.auth.close();
  });

  it("refuses a token of tenant A under tenant B's issuer, and any token whose issuer is not its tid's", async () => {
    const { auth, clock, storage, a, b, install, issuerOf } = await setup();
    await auth.api.issueAccessToken({ subject: 'u1', clientId: 'app', tenantId: a.id });
    await auth.api.issueAccessToken({ subject: 'u1', clientId: 'app', tenantId: b.id });
    await auth.api.issueAccessToken({ subject: 'u1', clientId: 'app' });

    // (control) a token forged exactly as the issuer would make it passes: the refusals below are real
    const control = await signWithKeyOf(
      storage,
      issuerOf(a.id),
      claimsAt(clock, { iss: issuerOf(a.id), aud: issuerOf(a.id), tid: a.id }),
    );
    await expect(auth.api.verifyAccessToken(control)).resolves.toMatchObject({ tenantId: a.id });

    // A's key, claiming B's issuer and tenant
    await expectInvalid(
      auth.api.verifyAccessToken(
        await signWithKeyOf(
          storage,
          issuerOf(a.id),
          claimsAt(clock, { iss: issuerOf(b.id), aud: issuerOf(b.id), tid: b.id }),
        ),
      ),
    );
    // A's key and issuer, claiming tenant B
    await expectInvalid(
      auth.api.verifyAccessToken(
        await signWithKeyOf(
          storage,
          issuerOf(a.id),
          claimsAt(clock, { iss: issuerOf(a.id), aud: issuerOf(a.id), tid: b.id }),
        ),
      ),
    );
    // the install's key and issuer, claiming isolated tenant A
    await expectInvalid(
      auth.api.verifyAccessToken(
        await signWithKeyOf(storage, install, claimsAt(clock, { iss: install, aud: install, tid: a.id })),
      ),
    );
    // A's key and issuer without a tid (the install's issuer is expected)
    await expectInvalid(
      auth.api.verifyAccessToken(
        await signWithKeyOf(
          storage,
          issuerOf(a.id),
          claimsAt(clock, { iss: issuerOf(a.id), aud: issuerOf(a.id) }),
        ),
      ),
    );
    // A's genuine token where B's issuer is the audience
    const ofA = await auth.api.issueAccessToken({ subject: 'u1', clientId: 'app', tenantId: a.id });
    await expectInvalid(auth.api.verifyAccessToken(ofA.token, { audience: issuerOf(b.id) }));
    // a tid of the wrong type never reaches a lookup
    await expectInvalid(
      auth.api.verifyAccessToken(
        await signWithKeyOf(storage, install, claimsAt(clock, { iss: install, aud: install, tid: 42 })),
      ),
    );
    await auth.close();
  });

  it("a resource server's verifier for a tenant issuer works from that issuer's JWKS, and only for its tokens", async () => {
    const { auth, clock, a, b, issuerOf } = await setup();
    const ofA = await auth.api.issueAccessToken({ subject: 'u1', clientId: 'app', tenantId: a.id });
    const ofB = await auth.api.issueAccessToken({ subject: 'u1', clientId: 'app', tenantId: b.id });
    const installToken = await auth.api.issueAccessToken({
      subject: 'u1',
      clientId: 'app',
      audience: issuerOf(a.id),
    });
    const verifierA = createVerifier({
      issuer: issuerOf(a.id),
      audience: issuerOf(a.id),
      clock,
      cache: false,
    });
    await expect(verifierA.verify(ofA.token)).resolves.toMatchObject({ tenantId: a.id });
    await expect(refusal(verifierA.verify(ofB.token))).resolves.toMatchObject({
      code: 'access_token_invalid',
    });
    await expect(refusal(verifierA.verify(installToken.token))).resolves.toMatchObject({
      code: 'access_token_invalid',
    });
    // B's verifier (B's JWKS) does not know A's key even for a token naming B as its audience
    const verifierB = createVerifier({
      issuer: issuerOf(b.id),
      audience: [issuerOf(a.id), issuerOf(b.id)],
      clock,
    });
    await expect(refusal(verifierB.verify(ofA.token))).resolves.toMatchObject({
      code: 'access_token_invalid',
    });
    await expect(verifierB.verify(ofB.token)).resolves.toMatchObject({ tenantId: b.id });
    await auth.close();
  });

  it("rotates a tenant issuer's keys on a fake clock, apart from the install's, with zero false rejects at its verifier", async () => {
    const { auth, clock, a, issuerOf } = await setup();
    const first = await auth.api.issueAccessToken({
      subject: 'u1',
      clientId: 'app',
      tenantId: a.id,
      ttlSeconds: 900,
    });
    const installFirst = await auth.api.issueAccessToken({ subject: 'u1', clientId: 'app' });
    const refused = await refusal(auth.api.rotateSigningKeys({ tenantId: a.id }));
    expect(isAuthError(refused, 'signing_key_not_ready')).toBe(true);

    // a verifier that honours the JWKS max-age (300 s), checking a fresh token every minute
    const verifier = createVerifier({
      issuer: issuerOf(a.id),
      audience: issuerOf(a.id),
      clock,
      jwksCacheSeconds: 300,
    });
    const seenKids = new Set<string>();
    let rotations = 0;
    for (let minute = 0; minute < 60; minute++) {
      clock.advanceSeconds(60);
      if (minute % 6 === 5) {
        await auth.api.rotateSigningKeys({ tenantId: a.id });
        rotations++;
      }
      const token = await auth.api.issueAccessToken({ subject: 'u1', clientId: 'app', tenantId: a.id });
      seenKids.add(decodeProtectedHeader(token.token).kid ?? '');
      await expect(verifier.verify(token.token)).resolves.toMatchObject({ tenantId: a.id });
    }
    expect(rotations).toBe(10);
    expect(seenKids.size).toBe(11);

    const keysA = await auth.api.listSigningKeys({ tenantId: a.id });
    expect(keysA.find((k) => k.kid === first.kid)?.state).toBe('retired');
    expect(keysA.filter((k) => k.algorithm === 'EdDSA' && k.state === 'active')).toHaveLength(1);
    // the install's keys did not move
    const installKeys = await auth.api.listSigningKeys();
    expect(installKeys.find((k) => k.kid === installFirst.kid)?.state).toBe('active');
    expect(installKeys.map((k) => k.kid)).not.toContain(first.kid);

    // automatic rotation after rotationIntervalSeconds, per issuer
    const before = await auth.api.issueAccessToken({ subject: 'u1', clientId: 'app', tenantId: a.id });
    clock.advanceSeconds(30 * 86_400);
    const after = await auth.api.issueAccessToken({ subject: 'u1', clientId: 'app', tenantId: a.id });
    expect(after.kid).not.toBe(before.kid);
    await auth.close();
  });

  it("revokes a tenant issuer's key by naming the tenant; the install's operations do not reach it", async () => {
    const { auth, storage, a, shared } = await setup();
    const ofA = await auth.api.issueAccessToken({ subject: 'u1', clientId: 'app', tenantId: a.id });
    const notInstall = await refusal(auth.api.revokeSigningKey(ofA.kid));
    expect(isAuthError(notInstall, 'not_found')).toBe(true);
    const sharedTenant = await refusal(auth.api.listSigningKeys({ tenantId: shared.id }));
    expect(isAuthError(sharedTenant, 'not_found')).toBe(true);
    await expect(auth.api.verifyAccessToken(ofA.token)).resolves.toBeDefined();

    const revoked = await auth.api.revokeSigningKey(ofA.kid, { tenantId: a.id });
    expect(revoked.state).toBe('revoked');
    await expectInvalid(auth.api.verifyAccessToken(ofA.token));
    const next = await auth.api.issueAccessToken({ subject: 'u1', clientId: 'app', tenantId: a.id });
    await expect(auth.api.verifyAccessToken(next.token)).resolves.toMatchObject({ tenantId: a.id });
    const { keys } = await auth.api.getJwks({ tenantId: a.id });
    expect(keys.map((k) => k.kid)).not.toContain(ofA.kid);

    // the tenant's audit chain records its key changes
    const events = await storage.audit.list(a.id, { limit: 10, action: 'signing_key.revoked' });
    expect(events.map((e) => e.targetId)).toContain(ofA.kid);
    await auth.close();
  });

  it('is refused with keys held by signers (KMS): a tenant issuer needs keys of its own', () => {
    const signer = {
      kid: 'k',
      alg: 'EdDSA' as const,
      publicJwk: { kty: 'OKP' as const },
      sign: async () => new Uint8Array(),
    };
    const error = (() => {
      try {
        createAuth({
          storage: memoryStorage(),
          secret: SECRET,
          baseURL: 'http://localhost:3000',
          logger: silentLogger,
          tokens: { tenantIssuers: true, signingKeys: { signers: [signer] } },
        });
        return null;
      } catch (e) {
        return e;
      }
    })();
    expect(isAuthError(error, 'config_invalid')).toBe(true);
  });
});
