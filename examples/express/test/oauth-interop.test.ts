import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createRemoteJWKSet, decodeProtectedHeader, exportJWK, generateKeyPair, jwtVerify } from 'jose';
import jwt from 'jsonwebtoken';
import jwksClient from 'jwks-rsa';
import * as oauth from 'oauth4webapi';
import * as oidc from 'openid-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer } from '../src/app.js';

// The running Express example as an OAuth authorization server and resource server, driven only
// by libraries nobody here wrote: openid-client (v6) for discovery and every grant, introspection
// and revocation; oauth4webapi, jose and jsonwebtoken + jwks-rsa verifying the access tokens it
// issues against its JWKS. Each run starts the example (in-process, from the workspace sources,
// on SQLite and a free port) with the token algorithms given, the first of which signs: ES256,
// then RS256 (opt-in, what jsonwebtoken-era verifiers know).

const PASSWORD = 'correct horse battery staple';
const TOKEN_EXCHANGE = 'urn:ietf:params:oauth:grant-type:token-exchange';
const ACCESS_TOKEN_TYPE = 'urn:ietf:params:oauth:token-type:access_token';

const runs = [
  { alg: 'ES256', algorithms: ['ES256', 'RS256'] },
  { alg: 'RS256', algorithms: ['RS256', 'ES256'] },
] as const;

describe.each(runs)('the Express example signing with $alg, against OAuth and JWT libraries', ({
  alg,
  algorithms,
}) => {
  const tempDir = mkdtempSync(join(tmpdir(), 'portcullis-example-oauth-'));
  let server: Awaited<ReturnType<typeof startServer>>;
  let base: string;
  let issuer: string;
  let metadataUrl: URL;
  let owner: { email: string; cookie: string };
  let tenantId: string;

  /** A client address of its own per sign-up and login (10 sign-ups per address and 10 minutes). */
  let addresses = 0;
  const newAddress = () => `198.51.100.${++addresses}`;

  beforeAll(async () => {
    server = await startServer({
      port: 0,
      host: '127.0.0.1',
      databaseUrl: `sqlite:${join(tempDir, 'oauth.sqlite')}`,
      dataDir: tempDir,
      secret: randomBytes(32).toString('base64url'),
      trustProxy: true,
      tokenAlgorithms: [...algorithms],
    });
    base = server.url;
    issuer = `${base}/auth`;
    metadataUrl = new URL(`${issuer}/.well-known/oauth-authorization-server`);
    owner = await signUp('owner');
    const created = await send('POST', '/auth/tenants', {
      cookie: owner.cookie,
      body: { slug: `reports-${randomBytes(3).toString('hex')}`, name: 'Reports Inc.' },
    });
    expect(created.status).toBe(201);
    tenantId = created.body.id;
  }, 60_000);

  afterAll(async () => {
    await server?.close();
    rmSync(tempDir, { recursive: true, force: true });
  });

  async function send(
    method: string,
    path: string,
    options: { body?: unknown; cookie?: string; ip?: string } = {},
  ) {
    const headers: Record<string, string> = { origin: base, 'x-forwarded-for': options.ip ?? '192.0.2.1' };
    if (options.body !== undefined) headers['content-type'] = 'application/json';
    if (options.cookie) headers.cookie = options.cookie;
    const response = await fetch(base + path, {
      method,
      headers,
      body: options.body === undefined ? undefined : JSON.stringify(options.body),
    });
    const text = await response.text();
    // biome-ignore lint/suspicious/noExplicitAny: parsed JSON, whose shape the assertions check
    const body: any = text === '' ? null : JSON.parse(text);
    return { status: response.status, headers: response.headers, body };
  }

  async function signUp(name: string) {
    const email = `${name}-${randomBytes(3).toString('hex')}@example.com`;
    const sent = await send('POST', '/auth/signup', {
      body: { email, password: PASSWORD },
      ip: newAddress(),
    });
    expect(sent.status).toBe(201);
    const cookieName = server.auth.sessionCookieName;
    const line = sent.headers.getSetCookie().find((c) => c.startsWith(`${cookieName}=`));
    return { email, cookie: String(line).split(';')[0]! };
  }

  /** An M2M client of the tenant, created over HTTP by its owner, as the page's card does. */
  async function createClient(body: Record<string, unknown> = {}) {
    const created = await send('POST', `/auth/tenants/${tenantId}/clients`, {
      cookie: owner.cookie,
      body: { name: 'Reporting job', environment: 'live', scopes: ['reports:read'], ...body },
    });
    expect(created.status).toBe(201);
    return created.body as { id: string; secret: string | null; environment: string };
  }

  /** openid-client configured by discovery: the metadata URL itself, since the issuer has a path. */
  const discover = (clientId: string, method: oidc.ClientAuth) =>
    oidc.discovery(metadataUrl, clientId, undefined, method, { execute: [oidc.allowInsecureRequests] });

  const reports = (accessToken: string) =>
    fetch(`${base}/api/resource/reports`, { headers: { authorization: `Bearer ${accessToken}` } });

  /** A person signed in in token mode (as a mobile app would): a token pair, no cookie. */
  async function tokenSignIn(email: string) {
    const login = await send('POST', '/auth/login', {
      body: { email, password: PASSWORD, delivery: 'token' },
      ip: newAddress(),
    });
    expect(login.status).toBe(200);
    return login.body as { access_token: string; refresh_token: string };
  }

  it('is discovered by openid-client, and issues client credentials tokens with client_secret_basic that the API accepts', async () => {
    const client = await createClient();
    const config = await discover(client.id, oidc.ClientSecretBasic(String(client.secret)));
    const metadata = config.serverMetadata();
    expect(metadata).toMatchObject({
      issuer,
      token_endpoint: `${issuer}/oauth/token`,
      introspection_endpoint: `${issuer}/oauth/introspect`,
      revocation_endpoint: `${issuer}/oauth/revoke`,
      jwks_uri: `${issuer}/.well-known/jwks.json`,
    });
    expect(metadata.scopes_supported).toContain('reports:read');

    const token = await oidc.clientCredentialsGrant(config, { scope: 'reports:read' });
    expect(token.token_type.toLowerCase()).toBe('bearer');
    expect(token.scope).toBe('reports:read');
    expect(decodeProtectedHeader(token.access_token)).toMatchObject({ alg, typ: 'at+jwt' });

    const answered = await reports(token.access_token);
    expect(answered.status).toBe(200);
    expect(await answered.json()).toMatchObject({
      tenantId,
      documents: { total: 0 },
      caller: { clientId: client.id, environment: 'live', scopes: ['reports:read'] },
    });
  });

  it('issues tokens with client_secret_post', async () => {
    const client = await createClient();
    const token = await oidc.clientCredentialsGrant(
      await discover(client.id, oidc.ClientSecretPost(String(client.secret))),
    );
    expect(token.scope).toBe('reports:read');
    expect((await reports(token.access_token)).status).toBe(200);
  });

  it('issues tokens with private_key_jwt to a client registered with a public JWKS', async () => {
    const { publicKey, privateKey } = await generateKeyPair('ES256', { extractable: true });
    const client = await createClient({
      authMethod: 'private_key_jwt',
      jwks: { keys: [{ ...(await exportJWK(publicKey)), kid: 'job-1', alg: 'ES256' }] },
    });
    expect(client.secret).toBeNull();
    const config = await discover(client.id, oidc.PrivateKeyJwt({ key: privateKey, kid: 'job-1' }));
    const token = await oidc.clientCredentialsGrant(config);
    expect((await reports(token.access_token)).status).toBe(200);

    // a key the client never registered authenticates nothing
    const stranger = await generateKeyPair('ES256', { extractable: true });
    const forged = await discover(client.id, oidc.PrivateKeyJwt({ key: stranger.privateKey, kid: 'job-1' }));
    await expect(oidc.clientCredentialsGrant(forged)).rejects.toMatchObject({ error: 'invalid_client' });
  });

  it('refreshes a first-party pair as a public client (refreshTokenGrant), and revokes the family (tokenRevocation)', async () => {
    const person = await signUp('mobile');
    const pair = await tokenSignIn(person.email);
    const app = await discover('first-party', oidc.None());

    const renewed = await oidc.refreshTokenGrant(app, pair.refresh_token);
    expect(renewed.refresh_token).toMatch(/^pc_rt_/);
    expect(renewed.refresh_token).not.toBe(pair.refresh_token);
    expect(decodeProtectedHeader(renewed.access_token).alg).toBe(alg);
    const me = await fetch(`${base}/api/me`, {
      headers: { authorization: `Bearer ${renewed.access_token}` },
    });
    expect(me.status).toBe(200);
    expect((await me.json()).user.email).toBe(person.email);

    await oidc.tokenRevocation(app, String(renewed.refresh_token), { token_type_hint: 'refresh_token' });
    await expect(oidc.refreshTokenGrant(app, String(renewed.refresh_token))).rejects.toMatchObject({
      error: 'invalid_grant',
    });
  });

  it('introspects a token for a client of the same tenant, and after tokenRevocation it is inactive and refused by the API', async () => {
    const worker = await createClient();
    const gateway = await createClient({ name: 'Gateway', scopes: [] });
    const workerConfig = await discover(worker.id, oidc.ClientSecretBasic(String(worker.secret)));
    const gatewayConfig = await discover(gateway.id, oidc.ClientSecretBasic(String(gateway.secret)));
    const token = await oidc.clientCredentialsGrant(workerConfig);

    const seen = await oidc.tokenIntrospection(gatewayConfig, token.access_token);
    expect(seen).toMatchObject({
      active: true,
      client_id: worker.id,
      sub: worker.id,
      scope: 'reports:read',
      iss: issuer,
      token_type: 'Bearer',
    });

    await oidc.tokenRevocation(workerConfig, token.access_token);
    expect(await oidc.tokenIntrospection(gatewayConfig, token.access_token)).toEqual({ active: false });
    const refused = await reports(token.access_token);
    expect(refused.status).toBe(401);
    expect(refused.headers.get('www-authenticate')).toMatch(/^Bearer error="invalid_token"/);
    expect(await refused.json()).toMatchObject({ code: 'access_token_invalid' });
  });

  it('exchanges a person’s token for one naming the client in act (genericGrantRequest), only once a policy allows it', async () => {
    const desk = await createClient({ name: 'Support desk' });
    const config = await discover(desk.id, oidc.ClientSecretBasic(String(desk.secret)));
    const subject = await tokenSignIn(owner.email);
    const exchange = () =>
      oidc.genericGrantRequest(config, TOKEN_EXCHANGE, {
        subject_token: subject.access_token,
        subject_token_type: ACCESS_TOKEN_TYPE,
      });

    // nobody may impersonate by default: refused as RFC 8693 §2.2.2 asks
    await expect(exchange()).rejects.toMatchObject({ error: 'invalid_request', status: 400 });

    const policy = await send('POST', `/auth/tenants/${tenantId}/policies`, {
      cookie: owner.cookie,
      body: {
        effect: 'allow',
        actions: ['token.impersonate'],
        // the decision's resource is the subject user: `user` is known under any permission catalog
        resource: 'user',
        description: 'The support desk may act for members',
        condition: {
          and: [{ eq: [{ ref: 'subject.type' }, 'client'] }, { eq: [{ ref: 'subject.id' }, desk.id] }],
        },
      },
    });
    expect(policy.status, JSON.stringify(policy.body)).toBe(201);

    const exchanged = await exchange();
    expect(exchanged.issued_token_type).toBe(ACCESS_TOKEN_TYPE);
    const { payload } = await jwtVerify(
      exchanged.access_token,
      createRemoteJWKSet(new URL(`${issuer}/.well-known/jwks.json`)),
      {
        issuer,
        typ: 'at+jwt',
        algorithms: [alg],
      },
    );
    expect(payload).toMatchObject({
      client_id: desk.id,
      tid: tenantId,
      act: { sub: desk.id, sub_type: 'client' },
    });
  });

  it(`has its ${alg} access tokens accepted by oauth4webapi.validateJwtAccessToken`, async () => {
    const client = await createClient();
    const token = await oidc.clientCredentialsGrant(
      await discover(client.id, oidc.ClientSecretBasic(String(client.secret))),
    );
    const metadata = (await (await fetch(metadataUrl)).json()) as oauth.AuthorizationServer;
    const request = new Request(`${base}/api/resource/reports`, {
      headers: { authorization: `Bearer ${token.access_token}` },
    });
    // a client credentials token's audience is the issuer when no resource is asked for
    const claims = await oauth.validateJwtAccessToken(metadata, request, issuer, {
      [oauth.allowInsecureRequests]: true,
    });
    expect(claims).toMatchObject({
      iss: issuer,
      sub: client.id,
      client_id: client.id,
      scope: 'reports:read',
    });
  });

  it(`has its ${alg} access tokens verified by jose (createRemoteJWKSet + jwtVerify)`, async () => {
    const client = await createClient();
    const token = await oidc.clientCredentialsGrant(
      await discover(client.id, oidc.ClientSecretPost(String(client.secret))),
    );
    const jwks = createRemoteJWKSet(new URL(`${issuer}/.well-known/jwks.json`));
    const { payload, protectedHeader } = await jwtVerify(token.access_token, jwks, {
      issuer,
      audience: issuer,
      typ: 'at+jwt',
      algorithms: [alg],
    });
    expect(protectedHeader.alg).toBe(alg);
    expect(payload).toMatchObject({ client_id: client.id, tid: tenantId, env: 'live' });
  });

  it(`has its ${alg} access tokens verified by jsonwebtoken + jwks-rsa`, async () => {
    const client = await createClient();
    const token = await oidc.clientCredentialsGrant(
      await discover(client.id, oidc.ClientSecretBasic(String(client.secret))),
    );
    const keys = jwksClient({ jwksUri: `${issuer}/.well-known/jwks.json` });
    const payload = await new Promise<jwt.JwtPayload>((resolve, reject) => {
      jwt.verify(
        token.access_token,
        (header, callback) => {
          keys.getSigningKey(header.kid, (error, key) => callback(error, key?.getPublicKey()));
        },
        { algorithms: [alg], issuer, audience: issuer },
        (error, decoded) => (error ? reject(error) : resolve(decoded as jwt.JwtPayload)),
      );
    });
    expect(payload).toMatchObject({ sub: client.id, client_id: client.id, scope: 'reports:read' });
    expect(jwt.decode(token.access_token, { complete: true })?.header).toMatchObject({ alg, typ: 'at+jwt' });
  });
});
