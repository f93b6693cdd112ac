import { exportJWK, generateKeyPair, SignJWT } from 'jose';
import * as oidc from 'openid-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sha256Hex } from '../src/crypto/random.js';
import type { Auth } from '../src/index.js';
import { serveHandler } from './support/handler-server.js';
import { randomSlug, tenantWorld } from './support/tenant-world.js';
import { ORIGIN, PASSWORD, uniqueEmail } from './support.js';

/**
 * M2M clients over real HTTP: `auth.handler` behind a node:http server, driven by `openid-client`
 * (discovery, client credentials with basic, post and private_key_jwt, introspection, revocation)
 * and by hand-made requests for every error the endpoints answer.
 */

let auth: Auth | undefined;
let server: Awaited<ReturnType<typeof serveHandler>>;
let baseURL: string;

beforeAll(async () => {
  server = await serveHandler(() => auth);
  baseURL = server.baseURL;
});

afterAll(() => server.close());

const RESOURCE = 'https://api.example.test/invoices';

async function world(config: Record<string, unknown> = {}) {
  const w = await tenantWorld({
    config: {
      baseURL,
      trustedOrigins: [ORIGIN],
      clients: {
        scopes: { 'invoices:read': ['invoice.read'], 'invoices:write': ['invoice.update'] },
        resources: [RESOURCE],
      },
      authorization: {},
      ...config,
    },
  });
  auth = w.auth;
  const createClient = async (
    body: Record<string, unknown>,
    cookie = w.owner.cookie,
    tenant = w.tenantId,
  ) => {
    const res = await w.client.post(
      `/tenants/${tenant}/clients`,
      { name: 'Billing worker', ...body },
      cookie,
    );
    return res;
  };
  /** Another tenant with its own owner. */
  async function otherTenant() {
    const owner = await w.client.signUp(uniqueEmail('other'));
    const created = await w.client.post(
      '/tenants',
      { slug: randomSlug('other'), name: 'Other' },
      owner.cookie,
    );
    expect(created.status).toBe(201);
    return { owner, tenantId: created.body.id as string };
  }
  return { ...w, createClient, otherTenant };
}

const METADATA_PATH = '/auth/.well-known/oauth-authorization-server';

/** An openid-client configuration from discovery, for a client authenticating with `method`. */
function discover(clientId: string, method: oidc.ClientAuth) {
  return oidc.discovery(new URL(`${baseURL}${METADATA_PATH}`), clientId, undefined, method, {
    execute: [oidc.allowInsecureRequests],
  });
}

/** A raw form POST to an OAuth endpoint. */
async function postForm(
  path: string,
  form: string | Record<string, string>,
  headers: Record<string, string> = {},
) {
  const body = typeof form === 'string' ? form : new URLSearchParams(form).toString();
  const response = await fetch(`${baseURL}/auth${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
    body,
  });
  const text = await response.text();
  return { status: response.status, headers: response.headers, body: text ? JSON.parse(text) : null };
}

const basic = (id: string, secret: string) =>
  `Basic ${Buffer.from(`${encodeURIComponent(id)}:${encodeURIComponent(secret)}`).toString('base64')}`;

describe('M2M client management', () => {
  it('creates a client with a secret shown once and stored only as its SHA-256, audited and emitted', async () => {
    const w = await world();
    const created = await w.createClient({ environment: 'test', scopes: ['invoices:read'] });

    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({
      tenantId: w.tenantId,
      environment: 'test',
      authMethod: 'client_secret',
      allowedScopes: ['invoices:read'],
      status: 'active',
      previousSecret: null,
    });
    expect(created.body.secret).toMatch(/^pc_cs_[A-Za-z0-9_-]{43}$/);
    const stored = await w.storage.clients.findById(created.body.id);
    expect(stored?.secretHash).toBe(sha256Hex(created.body.secret));
    expect(JSON.stringify(stored)).not.toContain(created.body.secret);

    const listed = await w.client.get(`${w.base}/clients`, w.owner.cookie);
    expect(listed.status).toBe(200);
    expect(listed.body.items).toHaveLength(1);
    expect(listed.body.items[0].secret).toBeUndefined();
    expect(JSON.stringify(listed.body)).not.toContain(stored?.secretHash);

    expect(await w.auditActions()).toContain('client.created');
    expect((await w.deliver()).map((e) => e.type)).toContain('client.created');
  });

  it('needs client.manage, and answers 404 for another tenant and its client ids', async () => {
    const w = await world();
    const member = await w.addMember(['member']);
    const created = await w.createClient({});
    const other = await w.otherTenant();

    expect((await w.createClient({}, member.cookie)).status).toBe(403);
    expect((await w.client.get(`${w.base}/clients`, member.cookie)).status).toBe(403);
    expect((await w.createClient({}, other.owner.cookie)).status).toBe(404);
    // the other tenant's owner, naming our client under their own tenant
    const theirs = `/tenants/${other.tenantId}/clients/${created.body.id}`;
    expect((await w.client.post(`${theirs}/rotate-secret`, {}, other.owner.cookie)).status).toBe(404);
    expect((await w.client.call('DELETE', theirs, { cookie: other.owner.cookie })).status).toBe(404);
    expect((await w.client.get(`/tenants/${other.tenantId}/clients`, other.owner.cookie)).body.items).toEqual(
      [],
    );
    expect((await w.storage.clients.findById(created.body.id))?.status).toBe('active');
  });

  it('refuses the clients of a suspended tenant, and resumes them with it', async () => {
    const w = await world();
    const client = (await w.createClient({})).body;
    const form = { grant_type: 'client_credentials', client_id: client.id, client_secret: client.secret };
    expect((await postForm('/oauth/token', form)).status).toBe(200);
    const suspend = (status: string) =>
      w.client.call('PATCH', w.base, { body: { status }, cookie: w.owner.cookie });
    expect((await suspend('suspended')).status).toBe(200);
    const refused = await postForm('/oauth/token', form);
    expect([refused.status, refused.body.error]).toEqual([401, 'invalid_client']);
    expect((await suspend('active')).status).toBe(200);
    expect((await postForm('/oauth/token', form)).status).toBe(200);
  });

  it('refuses unknown scopes, unknown environments, and jwks that are private or missing', async () => {
    const w = await world();
    expect((await w.createClient({ scopes: ['admin:all'] })).body.code).toBe('unknown_scope');
    expect((await w.createClient({ environment: 'staging' })).status).toBe(400);
    expect((await w.createClient({ authMethod: 'private_key_jwt' })).status).toBe(400);
    const { privateKey } = await generateKeyPair('EdDSA', { extractable: true });
    const privateJwk = await exportJWK(privateKey);
    expect(
      (await w.createClient({ authMethod: 'private_key_jwt', jwks: { keys: [privateJwk] } })).status,
    ).toBe(400);
    expect(
      (
        await w.createClient({
          authMethod: 'private_key_jwt',
          jwks: { keys: [{ kty: 'EC', crv: 'P-256', x: 'AA', y: 'AA' }] },
        })
      ).status,
    ).toBe(400);
    expect(await w.storage.clients.listByTenant(w.tenantId, { limit: 10 })).toEqual({
      items: [],
      nextCursor: null,
    });
  });

  it('deletes a client: it gets no more tokens, and its tokens stop verifying and introspect inactive', async () => {
    const w = await world();
    const worker = (await w.createClient({ scopes: ['invoices:read'] })).body;
    const observer = (await w.createClient({})).body;
    const token = await oidc.clientCredentialsGrant(
      await discover(worker.id, oidc.ClientSecretPost(worker.secret)),
    );

    expect(await w.auth.api.verifyAccessToken(token.access_token)).toMatchObject({ clientId: worker.id });

    expect(
      (await w.client.call('DELETE', `${w.base}/clients/${worker.id}`, { cookie: w.owner.cookie })).status,
    ).toBe(204);
    // its tokens end with it, everywhere the key-value store reaches, not at their exp
    await expect(w.auth.api.verifyAccessToken(token.access_token)).rejects.toMatchObject({
      code: 'access_token_invalid',
    });
    expect(
      (await w.client.call('DELETE', `${w.base}/clients/${worker.id}`, { cookie: w.owner.cookie })).status,
    ).toBe(404);
    const refused = await postForm('/oauth/token', {
      grant_type: 'client_credentials',
      client_id: worker.id,
      client_secret: worker.secret,
    });
    expect([refused.status, refused.body.error]).toEqual([401, 'invalid_client']);
    const config = await discover(observer.id, oidc.ClientSecretBasic(observer.secret));
    expect(await oidc.tokenIntrospection(config, token.access_token)).toEqual({ active: false });
    expect(await w.auditActions()).toContain('client.deleted');
  });
});

describe('the token endpoint with openid-client', () => {
  it('publishes RFC 8414 metadata that openid-client discovers, cacheable, with no private member', async () => {
    await world();
    const served = await fetch(`${baseURL}${METADATA_PATH}`);
    expect(served.headers.get('cache-control')).toBe('public, max-age=3600');
    // no member of a private JWK, no secret: only public names (client_secret_basic is a method)
    expect(JSON.stringify(await served.json())).not.toMatch(/"(d|p|q|dp|dq|qi|k|secret)"\s*:/);
    const config = await discover('anyone', oidc.None());
    const metadata = config.serverMetadata();
    expect(metadata).toMatchObject({
      issuer: `${baseURL}/auth`,
      token_endpoint: `${baseURL}/auth/oauth/token`,
      introspection_endpoint: `${baseURL}/auth/oauth/introspect`,
      revocation_endpoint: `${baseURL}/auth/oauth/revoke`,
      jwks_uri: `${baseURL}/auth/.well-known/jwks.json`,
      grant_types_supported: [
        'client_credentials',
        'authorization_code',
        'refresh_token',
        'urn:ietf:params:oauth:grant-type:token-exchange',
      ],
      code_challenge_methods_supported: ['S256'],
      token_endpoint_auth_methods_supported: [
        'client_secret_basic',
        'client_secret_post',
        'private_key_jwt',
        'none',
      ],
    });
  });

  it('issues a token by client_secret_basic carrying tid, env, client_id and scope, with no refresh token', async () => {
    const w = await world();
    const client = (
      await w.createClient({ environment: 'live', scopes: ['invoices:read', 'invoices:write'] })
    ).body;
    const config = await discover(client.id, oidc.ClientSecretBasic(client.secret));

    const token = await oidc.clientCredentialsGrant(config, { scope: 'invoices:read' });

    expect(token.token_type).toBe('bearer');
    expect(token.refresh_token).toBeUndefined();
    expect(token.scope).toBe('invoices:read');
    expect(token.expires_in).toBeGreaterThan(0);
    const principal = await w.auth.api.verifyAccessToken(token.access_token);
    expect(principal).toMatchObject({
      type: 'client',
      id: client.id,
      clientId: client.id,
      tenantId: w.tenantId,
      environment: 'live',
      scopes: ['invoices:read'],
      sessionId: null,
    });
    expect(principal.claims).toMatchObject({
      tid: w.tenantId,
      env: 'live',
      client_id: client.id,
      scope: 'invoices:read',
    });
  });

  it('issues a token by client_secret_post, with all allowed scopes when none is asked', async () => {
    const w = await world();
    const client = (await w.createClient({ scopes: ['invoices:read', 'invoices:write'] })).body;
    const token = await oidc.clientCredentialsGrant(
      await discover(client.id, oidc.ClientSecretPost(client.secret)),
    );
    expect(token.scope).toBe('invoices:read invoices:write');
  });

  it('issues a token by private_key_jwt, and refuses the same assertion twice', async () => {
    const w = await world();
    const { publicKey, privateKey } = await generateKeyPair('ES256', { extractable: true });
    const jwk = { ...(await exportJWK(publicKey)), kid: 'worker-1', alg: 'ES256' };
    const created = await w.createClient({
      authMethod: 'private_key_jwt',
      jwks: { keys: [jwk] },
      scopes: ['invoices:read'],
    });
    expect(created.status).toBe(201);
    expect(created.body.secret).toBeNull();
    const client = created.body;

    const config = await discover(client.id, oidc.PrivateKeyJwt({ key: privateKey, kid: 'worker-1' }));
    const token = await oidc.clientCredentialsGrant(config);
    expect((await w.auth.api.verifyAccessToken(token.access_token)).clientId).toBe(client.id);

    const assertion = await new SignJWT({})
      .setProtectedHeader({ alg: 'ES256', kid: 'worker-1' })
      .setIssuer(client.id)
      .setSubject(client.id)
      .setAudience(`${baseURL}/auth`)
      .setJti('once-only')
      .setIssuedAt()
      .setExpirationTime('60s')
      .sign(privateKey);
    const form = {
      grant_type: 'client_credentials',
      client_assertion_type: 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer',
      client_assertion: assertion,
    };
    expect((await postForm('/oauth/token', form)).status).toBe(200);
    const replayed = await postForm('/oauth/token', form);
    expect([replayed.status, replayed.body.error]).toEqual([401, 'invalid_client']);
  });

  it('refuses assertions with another audience, several audiences, a far expiry, or an unregistered key', async () => {
    const w = await world();
    const { publicKey, privateKey } = await generateKeyPair('EdDSA', { extractable: true });
    const stranger = await generateKeyPair('EdDSA', { extractable: true });
    const client = (
      await w.createClient({
        authMethod: 'private_key_jwt',
        jwks: { keys: [{ ...(await exportJWK(publicKey)), kid: 'k' }] },
      })
    ).body;
    let n = 0;
    const assertion = (change: { aud?: string | string[]; exp?: string; key?: CryptoKey } = {}) =>
      new SignJWT({})
        .setProtectedHeader({ alg: 'EdDSA', kid: 'k' })
        .setIssuer(client.id)
        .setSubject(client.id)
        .setAudience(change.aud ?? `${baseURL}/auth`)
        .setJti(`jti-${n++}`)
        .setExpirationTime(change.exp ?? '60s')
        .sign(change.key ?? privateKey);
    const attempt = async (jwt: string) =>
      postForm('/oauth/token', {
        grant_type: 'client_credentials',
        client_assertion_type: 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer',
        client_assertion: jwt,
      });

    expect((await attempt(await assertion())).status).toBe(200);
    // the token endpoint's URL is accepted as well (RFC 7523), nothing else
    expect((await attempt(await assertion({ aud: `${baseURL}/auth/oauth/token` }))).status).toBe(200);
    for (const jwt of [
      await assertion({ aud: 'https://elsewhere.example' }),
      await assertion({ aud: [`${baseURL}/auth`, 'https://elsewhere.example'] }),
      await assertion({ aud: [`${baseURL}/auth`] }),
      await assertion({ exp: '10m' }),
      await assertion({ key: stranger.privateKey }),
      'not.a.jwt',
    ]) {
      const refused = await attempt(jwt);
      expect([refused.status, refused.body.error]).toEqual([401, 'invalid_client']);
    }
  });

  it('decodes client_secret_basic as form-urlencoded (RFC 6749 §2.3.1): a secret with : % + and spaces', async () => {
    const w = await world();
    const created = (await w.createClient({ scopes: ['invoices:read'] })).body;
    // a secret an operator imported from elsewhere, with every character that needs encoding
    const secret = 'a:b%20c+d é/=';
    const stored = await w.storage.clients.findById(created.id);
    await w.storage.clients.create({
      ...stored!,
      id: `${created.id.slice(0, -4)}beef`,
      secretHash: sha256Hex(secret),
    });
    const id = `${created.id.slice(0, -4)}beef`;

    const token = await oidc.clientCredentialsGrant(await discover(id, oidc.ClientSecretBasic(secret)));
    expect(token.access_token).toBeTruthy();
    expect(
      (
        await postForm(
          '/oauth/token',
          { grant_type: 'client_credentials' },
          { authorization: basic(id, secret) },
        )
      ).status,
    ).toBe(200);
    // the same characters unencoded are another secret: `+` is a space, `%20` a space
    const raw = `Basic ${Buffer.from(`${id}:${secret}`).toString('base64')}`;
    const refused = await postForm(
      '/oauth/token',
      { grant_type: 'client_credentials' },
      { authorization: raw },
    );
    expect([refused.status, refused.body.error]).toEqual([401, 'invalid_client']);
    expect(refused.headers.get('www-authenticate')).toMatch(/^Basic /);
  });

  it('never gives a test client a live token', async () => {
    const w = await world();
    const testClient = (await w.createClient({ environment: 'test', scopes: ['invoices:read'] })).body;
    const token = await oidc.clientCredentialsGrant(
      await discover(testClient.id, oidc.ClientSecretBasic(testClient.secret)),
    );
    expect((await w.auth.api.verifyAccessToken(token.access_token)).environment).toBe('test');
    // asking for another environment is not a parameter the endpoint knows: still test
    const asked = await postForm(
      '/oauth/token',
      { grant_type: 'client_credentials', env: 'live' },
      { authorization: basic(testClient.id, testClient.secret) },
    );
    expect((await w.auth.api.verifyAccessToken(asked.body.access_token)).environment).toBe('test');
    // and a live client of the same tenant learns nothing about it
    const live = (await w.createClient({ environment: 'live' })).body;
    expect(
      await oidc.tokenIntrospection(
        await discover(live.id, oidc.ClientSecretBasic(live.secret)),
        token.access_token,
      ),
    ).toEqual({ active: false });
  });

  it('sets aud from a known resource indicator (RFC 8707)', async () => {
    const w = await world();
    const client = (await w.createClient({ scopes: ['invoices:read'] })).body;
    const token = await oidc.clientCredentialsGrant(
      await discover(client.id, oidc.ClientSecretBasic(client.secret)),
      { resource: RESOURCE },
    );
    const principal = await w.auth.api.verifyAccessToken(token.access_token, { audience: RESOURCE });
    expect(principal.claims.aud).toEqual([RESOURCE]);
  });
});

const TOKEN_EXCHANGE = 'urn:ietf:params:oauth:grant-type:token-exchange';
const ACCESS_TOKEN_TYPE = 'urn:ietf:params:oauth:token-type:access_token';

describe('the refresh_token and token-exchange grants with openid-client', () => {
  /** A user signed in in token mode, as a mobile app would: a token pair and no cookie. */
  async function tokenSignIn(w: Awaited<ReturnType<typeof world>>, user?: { email: string }) {
    const email = user?.email ?? uniqueEmail('app');
    if (!user) await w.client.signUp(email);
    const login = await w.client.post('/login', { email, password: PASSWORD, delivery: 'token' });
    expect(login.status).toBe(200);
    return login.body as { access_token: string; refresh_token: string; expires_in: number };
  }

  const sessionOf = (accessToken: string) =>
    fetch(`${baseURL}/auth/session`, { headers: { authorization: `Bearer ${accessToken}` } });

  it('refreshes a first-party pair as a public client (refreshTokenGrant); the spent token is then reuse and ends the family', async () => {
    const w = await world({ refreshTokens: { graceSeconds: 0 } });
    const pair = await tokenSignIn(w);
    const app = await discover('first-party', oidc.None());

    const renewed = await oidc.refreshTokenGrant(app, pair.refresh_token);
    expect(renewed.refresh_token).toMatch(/^pc_rt_/);
    expect(renewed.refresh_token).not.toBe(pair.refresh_token);
    expect(renewed.expires_in).toBe(300);
    expect((await sessionOf(renewed.access_token)).status).toBe(200);
    // the new access token is one the openid-client side can validate like any RFC 9068 token
    const claims = await auth!.api.verifyAccessToken(renewed.access_token);
    expect(claims).toMatchObject({ type: 'user', clientId: 'first-party' });

    // the spent token again, past the grace: a copy is in someone else's hands
    await expect(oidc.refreshTokenGrant(app, pair.refresh_token)).rejects.toMatchObject({
      error: 'invalid_grant',
      status: 400,
    });
    // and the family ended with it: the successor is refused too, as is the session
    await expect(oidc.refreshTokenGrant(app, String(renewed.refresh_token))).rejects.toMatchObject({
      error: 'invalid_grant',
    });
    expect((await sessionOf(renewed.access_token)).status).toBe(401);
  });

  it("refuses a first-party refresh token to an M2M client without spending it, and scopes beyond the family's", async () => {
    const w = await world();
    const pair = await tokenSignIn(w);
    const client = (await w.createClient({ scopes: ['invoices:read'] })).body;
    const m2m = await discover(client.id, oidc.ClientSecretBasic(client.secret));
    await expect(oidc.refreshTokenGrant(m2m, pair.refresh_token)).rejects.toMatchObject({
      error: 'invalid_grant',
    });
    // a secret under the first-party id is an authentication attempt, not the public client
    const forged = await postForm('/oauth/token', {
      grant_type: 'refresh_token',
      refresh_token: pair.refresh_token,
      client_id: 'first-party',
      client_secret: 'anything',
    });
    expect(forged).toMatchObject({ status: 401, body: { error: 'invalid_client' } });
    const app = await discover('first-party', oidc.None());
    await expect(
      oidc.refreshTokenGrant(app, pair.refresh_token, { scope: 'invoices:read' }),
    ).rejects.toMatchObject({ error: 'invalid_scope' });
    // none of that spent it: the app still refreshes
    const renewed = await oidc.refreshTokenGrant(app, pair.refresh_token);
    expect(renewed.refresh_token).toMatch(/^pc_rt_/);
  });

  it('revokes a refresh token for the public client (tokenRevocation): its family is over, the session stays', async () => {
    const w = await world();
    const pair = await tokenSignIn(w);
    const app = await discover('first-party', oidc.None());
    const renewed = await oidc.refreshTokenGrant(app, pair.refresh_token);

    // another client cannot revoke it: the same 200, nothing changes
    const client = (await w.createClient({ scopes: ['invoices:read'] })).body;
    const m2m = await discover(client.id, oidc.ClientSecretPost(client.secret));
    await oidc.tokenRevocation(m2m, renewed.refresh_token!);
    const again = await oidc.refreshTokenGrant(app, renewed.refresh_token!);

    await oidc.tokenRevocation(app, again.refresh_token!, { token_type_hint: 'refresh_token' });
    await expect(oidc.refreshTokenGrant(app, again.refresh_token!)).rejects.toMatchObject({
      error: 'invalid_grant',
    });
    const revoked = (await w.deliver()).filter((e) => e.type === 'refresh_token.revoked');
    expect(revoked).toHaveLength(1);
    // the session stays (a logout is POST /logout with the access token)
    expect((await sessionOf(again.access_token)).status).toBe(200);
    // unknown and malformed refresh tokens: 200 as well (RFC 7009 §2.2)
    await oidc.tokenRevocation(app, 'pc_rt_unknown');
  });

  it('exchanges a user token for one that names the client in act (genericGrantRequest), only where a policy allows', async () => {
    // an enforced permission catalog still knows `user`, the resource type an exchange asks about
    const w = await world({ authorization: { permissions: { invoice: ['read', 'update'] } } });
    const member = await w.addMember(['member'], 'subject');
    const subject = await tokenSignIn(w, { email: member.body.user.email });
    const support = (await w.createClient({ scopes: ['invoices:read'] })).body;
    const other = (await w.createClient({ scopes: ['invoices:read'] })).body;
    const policy = await w.client.post(
      `${w.base}/policies`,
      {
        effect: 'allow',
        actions: ['token.impersonate'],
        resource: 'user',
        condition: {
          and: [{ eq: [{ ref: 'subject.type' }, 'client'] }, { eq: [{ ref: 'subject.id' }, support.id] }],
        },
      },
      w.owner.cookie,
    );
    expect(policy.status).toBe(201);

    const desk = await discover(support.id, oidc.ClientSecretBasic(support.secret));
    const exchanged = await oidc.genericGrantRequest(desk, TOKEN_EXCHANGE, {
      subject_token: subject.access_token,
      subject_token_type: ACCESS_TOKEN_TYPE,
    });
    expect(exchanged.issued_token_type).toBe(ACCESS_TOKEN_TYPE);
    expect(exchanged.refresh_token).toBeUndefined();
    const principal = await auth!.api.verifyAccessToken(exchanged.access_token);
    expect(principal).toMatchObject({
      type: 'user',
      id: member.body.user.id,
      tenantId: w.tenantId,
      clientId: support.id,
      actor: { sub: support.id, sub_type: 'client' },
    });
    expect(await w.auditActions(50)).toContain('token.impersonated');
    // it acts for the user within its scopes: it is not the user's session, on no account route
    expect((await sessionOf(subject.access_token)).status).toBe(200);
    expect((await sessionOf(exchanged.access_token)).status).toBe(401);
    for (const [method, path] of [
      ['POST', '/sessions/revoke-others'],
      ['POST', '/mfa/totp/setup'],
      ['POST', '/reauthenticate'],
    ] as const) {
      const response = await fetch(`${baseURL}/auth${path}`, {
        method,
        headers: { authorization: `Bearer ${exchanged.access_token}`, 'content-type': 'application/json' },
        body: JSON.stringify(path === '/reauthenticate' ? { password: PASSWORD } : {}),
      });
      expect(response.status, path).toBe(401);
    }

    // a client no policy names: refused as RFC 8693 §2.2.2 asks
    const stranger = await discover(other.id, oidc.ClientSecretPost(other.secret));
    await expect(
      oidc.genericGrantRequest(stranger, TOKEN_EXCHANGE, {
        subject_token: subject.access_token,
        subject_token_type: ACCESS_TOKEN_TYPE,
      }),
    ).rejects.toMatchObject({ error: 'invalid_request', status: 400 });
  });
});

describe('introspection and revocation', () => {
  it("introspects its own tenant's and environment's tokens, and nothing of another tenant", async () => {
    const w = await world();
    const worker = (await w.createClient({ scopes: ['invoices:read'] })).body;
    const gateway = (await w.createClient({})).body;
    const token = await oidc.clientCredentialsGrant(
      await discover(worker.id, oidc.ClientSecretBasic(worker.secret)),
    );

    const seen = await oidc.tokenIntrospection(
      await discover(gateway.id, oidc.ClientSecretBasic(gateway.secret)),
      token.access_token,
    );
    expect(seen).toMatchObject({
      active: true,
      client_id: worker.id,
      sub: worker.id,
      tid: w.tenantId,
      env: 'live',
      scope: 'invoices:read',
      token_type: 'Bearer',
    });

    const other = await w.otherTenant();
    const outsider = (await w.createClient({}, other.owner.cookie, other.tenantId)).body;
    const outsiderConfig = await discover(outsider.id, oidc.ClientSecretPost(outsider.secret));
    expect(await oidc.tokenIntrospection(outsiderConfig, token.access_token)).toEqual({ active: false });
    expect(await oidc.tokenIntrospection(outsiderConfig, 'garbage')).toEqual({ active: false });
  });

  it("revokes a client's own token until it expires; another tenant's revocation changes nothing; unknown tokens get 200", async () => {
    const w = await world();
    const worker = (await w.createClient({ scopes: ['invoices:read'] })).body;
    const workerConfig = await discover(worker.id, oidc.ClientSecretBasic(worker.secret));
    const token = await oidc.clientCredentialsGrant(workerConfig);
    const other = await w.otherTenant();
    const outsider = (await w.createClient({}, other.owner.cookie, other.tenantId)).body;

    await oidc.tokenRevocation(
      await discover(outsider.id, oidc.ClientSecretBasic(outsider.secret)),
      token.access_token,
    );
    expect((await oidc.tokenIntrospection(workerConfig, token.access_token)).active).toBe(true);
    // nor does another client of the same tenant revoke it: only the client it was issued to
    const neighbour = (await w.createClient({})).body;
    await oidc.tokenRevocation(
      await discover(neighbour.id, oidc.ClientSecretPost(neighbour.secret)),
      token.access_token,
    );
    expect((await oidc.tokenIntrospection(workerConfig, token.access_token)).active).toBe(true);

    await oidc.tokenRevocation(workerConfig, 'no-such-token');
    await oidc.tokenRevocation(workerConfig, token.access_token);
    expect(await oidc.tokenIntrospection(workerConfig, token.access_token)).toEqual({ active: false });
    await expect(w.auth.api.verifyAccessToken(token.access_token)).rejects.toMatchObject({
      code: 'access_token_invalid',
    });
    expect(await w.auditActions()).toContain('client.token_revoked');
  });
});

describe('secret rotation', () => {
  it('keeps the old secret valid during the overlap, shows its last use, and refuses it after', async () => {
    const w = await world();
    const created = (await w.createClient({ scopes: ['invoices:read'] })).body;
    const rotated = await w.client.post(
      `${w.base}/clients/${created.id}/rotate-secret`,
      { overlapSeconds: 3600 },
      w.owner.cookie,
    );
    expect(rotated.status).toBe(200);
    expect(rotated.body.secret).not.toBe(created.secret);

    w.clock.advance(600);
    const old = await postForm('/oauth/token', {
      grant_type: 'client_credentials',
      client_id: created.id,
      client_secret: created.secret,
    });
    expect(old.status).toBe(200);
    const listed = (await w.client.get(`${w.base}/clients`, w.owner.cookie)).body.items[0];
    expect(listed.previousSecret).toEqual({
      expiresAt: new Date(new Date(rotated.body.updatedAt).getTime() + 3_600_000).toISOString(),
      lastUsedAt: w.clock.now().toISOString(),
    });
    expect(listed.secretLastUsedAt).toBeNull();

    w.clock.advance(3001);
    const late = await postForm('/oauth/token', {
      grant_type: 'client_credentials',
      client_id: created.id,
      client_secret: created.secret,
    });
    expect([late.status, late.body.error]).toEqual([401, 'invalid_client']);
    const fresh = await postForm('/oauth/token', {
      grant_type: 'client_credentials',
      client_id: created.id,
      client_secret: rotated.body.secret,
    });
    expect(fresh.status).toBe(200);
    expect((await w.client.get(`${w.base}/clients`, w.owner.cookie)).body.items[0].previousSecret).toBeNull();
    expect(await w.auditActions()).toContain('client.secret_rotated');
  });
});

describe('errors of the OAuth endpoints (RFC 6749 §5.2)', () => {
  it('answers every bad request with its RFC error code, no-store, and never a 500', async () => {
    const w = await world();
    const client = (await w.createClient({ scopes: ['invoices:read'] })).body;
    const auth = { authorization: basic(client.id, client.secret) };
    const cases: Array<[string, string | Record<string, string>, Record<string, string>, number, string]> = [
      ['no grant_type', {}, auth, 400, 'invalid_request'],
      [
        'password grant',
        { grant_type: 'password', username: 'a', password: 'b' },
        auth,
        400,
        'unsupported_grant_type',
      ],
      [
        'refresh_token grant with a malformed token',
        { grant_type: 'refresh_token', refresh_token: 'pc_rt_x' },
        auth,
        400,
        'invalid_grant',
      ],
      [
        'refresh_token grant without the token',
        { grant_type: 'refresh_token' },
        auth,
        400,
        'invalid_request',
      ],
      [
        'token exchange without a subject token',
        { grant_type: 'urn:ietf:params:oauth:grant-type:token-exchange' },
        auth,
        400,
        'invalid_request',
      ],
      [
        'token exchange with an ID token as the subject',
        {
          grant_type: 'urn:ietf:params:oauth:grant-type:token-exchange',
          subject_token: 'eyJhbGciOiJub25lIn0.e30.',
          subject_token_type: 'urn:ietf:params:oauth:token-type:id_token',
        },
        auth,
        400,
        'invalid_request',
      ],
      [
        'scope not allowed',
        { grant_type: 'client_credentials', scope: 'invoices:write' },
        auth,
        400,
        'invalid_scope',
      ],
      ['empty scope', { grant_type: 'client_credentials', scope: ' ' }, auth, 400, 'invalid_scope'],
      [
        'unknown resource',
        { grant_type: 'client_credentials', resource: 'https://unknown.example' },
        auth,
        400,
        'invalid_target',
      ],
      [
        'relative resource',
        { grant_type: 'client_credentials', resource: '/api' },
        auth,
        400,
        'invalid_target',
      ],
      [
        'repeated parameter',
        'grant_type=client_credentials&grant_type=client_credentials',
        auth,
        400,
        'invalid_request',
      ],
      [
        'malformed percent-encoding',
        'grant_type=client_credentials&scope=%E0%A4%A',
        auth,
        400,
        'invalid_request',
      ],
      [
        'wrong secret (basic)',
        { grant_type: 'client_credentials' },
        { authorization: basic(client.id, 'wrong') },
        401,
        'invalid_client',
      ],
      [
        'wrong secret (post)',
        { grant_type: 'client_credentials', client_id: client.id, client_secret: 'wrong' },
        {},
        401,
        'invalid_client',
      ],
      [
        'unknown client',
        { grant_type: 'client_credentials', client_id: 'nobody', client_secret: 'x' },
        {},
        401,
        'invalid_client',
      ],
      ['no client authentication', { grant_type: 'client_credentials' }, {}, 401, 'invalid_client'],
      [
        'two methods',
        { grant_type: 'client_credentials', client_id: client.id, client_secret: client.secret },
        auth,
        400,
        'invalid_request',
      ],
      [
        'malformed Basic',
        { grant_type: 'client_credentials' },
        { authorization: 'Basic %%%' },
        401,
        'invalid_client',
      ],
      [
        'Basic without colon',
        { grant_type: 'client_credentials' },
        { authorization: `Basic ${Buffer.from('nocolon').toString('base64')}` },
        401,
        'invalid_client',
      ],
      [
        'wrong assertion type',
        { grant_type: 'client_credentials', client_assertion_type: 'x', client_assertion: 'y' },
        {},
        401,
        'invalid_client',
      ],
    ];
    for (const [name, form, headers, status, error] of cases) {
      const res = await postForm('/oauth/token', form, headers);
      expect([name, res.status, res.body?.error]).toEqual([name, status, error]);
      expect(res.headers.get('cache-control')).toBe('no-store');
      expect(res.headers.get('content-type')).toMatch(/^application\/json/);
    }
    const basicRefusal = await postForm(
      '/oauth/token',
      { grant_type: 'client_credentials' },
      { authorization: basic(client.id, 'wrong') },
    );
    expect(basicRefusal.headers.get('www-authenticate')).toMatch(/^Basic /);
    const postRefusal = await postForm('/oauth/token', {
      grant_type: 'client_credentials',
      client_id: client.id,
      client_secret: 'no',
    });
    expect(postRefusal.headers.get('www-authenticate')).toBeNull();

    // other media types and bodies
    for (const [type, body] of [
      ['application/json', '{"grant_type":"client_credentials"}'],
      ['text/plain', 'grant_type=client_credentials'],
      ['application/x-www-form-urlencoded', 'x'.repeat(70_000)],
    ]) {
      const response = await fetch(`${baseURL}/auth/oauth/token`, {
        method: 'POST',
        headers: { 'content-type': type as string, ...auth },
        body,
      });
      expect([type, response.status, (await response.json()).error]).toEqual([type, 400, 'invalid_request']);
    }
    for (const path of ['/oauth/introspect', '/oauth/revoke']) {
      const missing = await postForm(path, {}, auth);
      expect([path, missing.status, missing.body.error]).toEqual([path, 400, 'invalid_request']);
      const unauthenticated = await postForm(path, { token: 'x' });
      expect([path, unauthenticated.status, unauthenticated.body.error]).toEqual([
        path,
        401,
        'invalid_client',
      ]);
    }
  });

  it('rate-limits client authentication per client id and per IP, answering 429 with Retry-After', async () => {
    const w = await world({
      trustProxy: true,
      rateLimit: { enabled: true, rules: { clientAuth: { limit: 3, windowSeconds: 60 } } },
    });
    const client = (await w.createClient({})).body;
    const guess = (ip: string, clientId = client.id, secret = 'guess') =>
      postForm(
        '/oauth/token',
        { grant_type: 'client_credentials', client_id: clientId, client_secret: secret },
        { 'x-forwarded-for': ip },
      );

    // one client id guessed from four addresses: the client's own limit
    const statuses: number[] = [];
    for (let i = 0; i < 4; i++) statuses.push((await guess(`198.51.100.${i + 1}`)).status);
    expect(statuses).toEqual([401, 401, 401, 429]);
    const limited = await guess('198.51.100.9', client.id, client.secret);
    expect(limited.status).toBe(429);
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);

    // four client ids from one address: the address's limit
    const fromOne: number[] = [];
    for (let i = 0; i < 4; i++) fromOne.push((await guess('203.0.113.7', `client-${i}`)).status);
    expect(fromOne).toEqual([401, 401, 401, 429]);
  });
});

describe('a client principal in the authorization engine', () => {
  it("decides with the permissions of the token's scopes, never beyond them, and deny policies still win", async () => {
    const w = await world({ authorization: { permissions: { invoice: ['read', 'update', 'delete'] } } });
    const client = (await w.createClient({ scopes: ['invoices:read'] })).body;
    const token = await oidc.clientCredentialsGrant(
      await discover(client.id, oidc.ClientSecretBasic(client.secret)),
    );
    const verified = await w.auth.api.verifyAccessToken(token.access_token);
    const principal = {
      type: 'client' as const,
      id: verified.id,
      scopes: verified.scopes,
      environment: verified.environment,
    };
    const ask = (action: string, explain = false) =>
      w.auth.api.authorize({ tenantId: w.tenantId, action, principal, explain });

    expect(await ask('invoice.read')).toEqual({
      allowed: true,
      reason: { kind: 'grant', permission: 'invoice.read' },
    });
    expect(await ask('invoice.update')).toEqual({ allowed: false, reason: { kind: 'outside_grants' } });
    // a scope the client holds but did not ask for grants nothing to this token
    expect(
      await w.auth.api.authorize({
        tenantId: w.tenantId,
        action: 'invoice.read',
        principal: { ...principal, scopes: [] },
      }),
    ).toEqual({ allowed: false, reason: { kind: 'outside_grants' } });

    // the tenant's policies apply to clients too: a deny on the test environment's clients
    const policy = await w.client.post(
      `${w.base}/policies`,
      {
        effect: 'deny',
        actions: ['invoice.read'],
        resource: 'invoice',
        condition: { eq: [{ ref: 'subject.environment' }, 'live'] },
        description: 'no live machine reads during the audit',
      },
      w.owner.cookie,
    );
    expect(policy.status).toBe(201);
    const denied = await ask('invoice.read', true);
    expect(denied).toMatchObject({ allowed: false, reason: { kind: 'deny_policy', id: policy.body.id } });
    expect('explanation' in denied ? denied.explanation : []).toContainEqual({
      rule: 'grant:invoice.read',
      effect: 'allow',
      matched: true,
      why: 'covers invoice.read',
    });
    const testPrincipal = { ...principal, environment: 'test' };
    expect(
      (await w.auth.api.authorize({ tenantId: w.tenantId, action: 'invoice.read', principal: testPrincipal }))
        .allowed,
    ).toBe(true);
  });
});
