import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  createPortcullisClient,
  isPortcullisClientError,
  type SessionState,
  type TokenSet,
  type TokenStorage,
  tokenTransport,
} from '../src/index.js';
import {
  BASE_URL,
  clientOf,
  createServer,
  PASSWORD,
  type TestServer,
  uniqueEmail,
  until,
} from './support.js';

// Token mode against the real handler, one tab (no Web Locks, no BroadcastChannel: a CLI or an
// old browser). The access token lives 300 s; vitest's fake Date moves the client's and the
// server's clocks together, and `server.clock.aheadMs` moves the server's alone.

afterEach(() => {
  vi.useRealTimers();
});

const ACCESS_TOKEN_SECONDS = 300;

/** A storage adapter that remembers every save (a CLI's keychain, say). */
function memoryTokenStorage(initial: TokenSet | null = null): TokenStorage & { saved: (TokenSet | null)[] } {
  let current = initial;
  const saved: (TokenSet | null)[] = [];
  return {
    saved,
    load: async () => current,
    save(tokens) {
      current = tokens;
      saved.push(tokens);
    },
  };
}

function tokenClient(server: TestServer, options: Parameters<typeof tokenTransport>[0] = {}) {
  return clientOf(server, { transport: tokenTransport({ crossTab: false, ...options }) });
}

async function signedIn(options: Parameters<typeof tokenTransport>[0] = {}) {
  const server = createServer();
  const email = uniqueEmail();
  const client = tokenClient(server, options);
  await client.signUp({ email, password: PASSWORD });
  const { user, session } = client.session.getSnapshot().data!;
  return { server, client, email, user, session };
}

const bearerOf = (server: TestServer, route: string) =>
  server.sent.filter((s) => s.route === route).map((s) => s.authorization);

function recordStates(client: {
  session: { subscribe(l: () => void): unknown; getSnapshot(): SessionState };
}) {
  const seen: SessionState['status'][] = [];
  client.session.subscribe(() => seen.push(client.session.getSnapshot().status));
  return seen;
}

describe('token transport', () => {
  it('signs in for a token pair: no cookie, a bearer on every call, the session read once', async () => {
    const { server, client, email } = await signedIn();
    expect(JSON.parse(server.sent[0]?.body ?? '')).toMatchObject({ email, delivery: 'token' });
    expect(server.requests).toEqual(['POST /signup', 'GET /session']);
    expect(client.cookie()).toBe('');
    expect(client.session.getSnapshot()).toMatchObject({
      status: 'authenticated',
      data: { user: { email } },
    });
    expect(client.transport.hasCredentials?.()).toBe(true);

    const tenant = await client.tenants.create({ slug: `t-${Date.now().toString(36)}`, name: 'Acme' });
    expect((await client.tenants.members.list(tenant.id)).items).toHaveLength(1);
    for (const request of server.sent.slice(1)) {
      expect(request.authorization).toMatch(/^Bearer ey/);
      expect(request.credentials).toBe('omit');
    }
  });

  it('sends client_id with every sign-in when configured', async () => {
    const server = createServer();
    const email = uniqueEmail();
    await tokenClient(server).signUp({ email, password: PASSWORD });
    const client = tokenClient(server, { clientId: 'first-party' });
    await client.signIn({ email, password: PASSWORD });
    const login = server.sent.find((s) => s.route === 'POST /login')!;
    expect(JSON.parse(login.body!)).toMatchObject({ delivery: 'token', client_id: 'first-party' });
    expect(client.session.getSnapshot().status).toBe('authenticated');
  });

  it('asks the server nothing about a session it holds no token for', async () => {
    const server = createServer();
    const client = tokenClient(server);
    expect((await client.session.refresh()).status).toBe('unauthenticated');
    await expect(client.getSession()).rejects.toMatchObject({ code: 'unauthenticated' });
    expect(server.requests).toEqual([]);
    expect(client.transport.hasCredentials?.()).toBe(false);
  });

  it('refreshes once before calls when the access token is about to expire, then sends them with the new one', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    const { server, client } = await signedIn();
    vi.advanceTimersByTime((ACCESS_TOKEN_SECONDS - 31) * 1000);
    await client.sessions.list();
    expect(server.count('POST /token/refresh')).toBe(0);

    vi.advanceTimersByTime(2000); // 29 s left: inside the 30 s skew
    await Promise.all([client.sessions.list(), client.tenants.list(), client.passkeys.list()]);
    expect(server.count('POST /token/refresh')).toBe(1);
    expect(server.requests.indexOf('POST /token/refresh')).toBe(server.requests.length - 4);
    const [before, ...after] = bearerOf(server, 'GET /sessions');
    expect(after).toHaveLength(1);
    expect(after[0]).not.toBe(before);
    expect(bearerOf(server, 'GET /tenants')).toEqual(after);
  });

  it('answers a 401 for a token the client thought fresh with one refresh and one retry', async () => {
    const { server, client } = await signedIn();
    // the server's clock is past the token's expiry; the client's is not
    server.clock.aheadMs = (ACCESS_TOKEN_SECONDS + 5) * 1000;
    const states = recordStates(client);
    const [sessions, tenants, passkeys] = await Promise.all([
      client.sessions.list(),
      client.tenants.list(),
      client.passkeys.list(),
    ]);
    expect(sessions.items).toHaveLength(1);
    expect(tenants.items).toEqual([]);
    expect(passkeys.items).toEqual([]);
    expect(server.count('POST /token/refresh')).toBe(1);
    expect(server.count('GET /sessions')).toBe(2);
    const [refused, retried] = bearerOf(server, 'GET /sessions');
    expect(retried).not.toBe(refused);
    expect(states).toEqual([]);
  });

  it('retries a call once: a second 401 is the answer', async () => {
    const server = createServer();
    const inner = server.browserFetch();
    let refused = 0;
    // a gateway in front of the handler that refuses every access token on one route
    const client = createPortcullisClient({
      baseUrl: BASE_URL,
      refreshOnFocus: false,
      transport: tokenTransport({ crossTab: false }),
      fetch: async (input, init) => {
        if (!String(input).endsWith('/sessions')) return inner(input, init);
        refused++;
        return Response.json(
          { status: 401, code: 'access_token_invalid', title: 'Invalid access token' },
          { status: 401, headers: { 'content-type': 'application/problem+json' } },
        );
      },
    });
    await client.signUp({ email: uniqueEmail(), password: PASSWORD });
    const error = await client.sessions.list().catch((e) => e);
    expect(error).toMatchObject({ status: 401, code: 'access_token_invalid' });
    expect(refused).toBe(2);
    expect(server.count('POST /token/refresh')).toBe(1);
    // the refresh worked: the session is still there
    expect(client.session.getSnapshot().status).toBe('authenticated');
  });

  it('clears the tokens and signs out once when the refresh is refused', async () => {
    const { server, client, user, session } = await signedIn();
    const states = recordStates(client);
    await server.auth.api.revokeSession(user.id, session.id);

    const errors = await Promise.all([
      client.sessions.list().catch((e) => e),
      client.tenants.list().catch((e) => e),
    ]);
    for (const error of errors) expect(isPortcullisClientError(error, 'unauthenticated')).toBe(true);
    expect(server.count('POST /token/refresh')).toBe(1);
    expect(states).toEqual(['unauthenticated']);
    expect(client.transport.hasCredentials?.()).toBe(false);

    await client.tenants.list().catch(() => {});
    expect(server.sent.at(-1)?.authorization).toBeNull();
  });

  it('keeps the tokens and the session when a refresh meets no network', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    const { server, client } = await signedIn();
    vi.advanceTimersByTime((ACCESS_TOKEN_SECONDS + 1) * 1000);
    server.goOffline(2); // the refresh before the call, and the call
    const error = await client.sessions.list().catch((e) => e);
    expect(error).toMatchObject({ code: 'network_error' });
    expect(client.session.getSnapshot().status).toBe('authenticated');
    expect(client.transport.hasCredentials?.()).toBe(true);

    // the connection is back: the same refresh token still works
    expect((await client.sessions.list()).items).toHaveLength(1);
    expect(server.count('POST /token/refresh')).toBe(1);
  });

  it('signs out with POST /logout and the bearer, then forgets the tokens, which the server refuses since', async () => {
    const storage = memoryTokenStorage();
    const { server, client } = await signedIn({ storage });
    const { refreshToken } = storage.saved[0]!;
    await client.signOut();
    expect(server.sent.at(-1)).toMatchObject({
      route: 'POST /logout',
      authorization: expect.stringMatching(/^Bearer /),
    });
    expect(client.session.getSnapshot().status).toBe('unauthenticated');
    expect(client.transport.hasCredentials?.()).toBe(false);
    expect(storage.saved.at(-1)).toBeNull();

    const reuse = await client.tokens.refresh({ refresh_token: refreshToken }).catch((e) => e);
    expect(reuse).toMatchObject({ status: 401, code: 'refresh_token_invalid' });
  });

  it('restores the tokens from a storage adapter in a new client, without signing in again', async () => {
    const storage = memoryTokenStorage();
    const { server, user } = await signedIn({ storage });
    const saved = storage.saved.at(-1)!;
    expect(saved).toMatchObject({
      accessToken: expect.any(String),
      refreshToken: expect.stringMatching(/^pc_rt_/),
    });

    const later = tokenClient(server, { storage: memoryTokenStorage(saved) });
    expect((await later.session.refresh()).data?.user.id).toBe(user.id);
    expect(server.count('POST /login')).toBe(0);
  });

  it('refuses to serve two clients with one transport', () => {
    const server = createServer();
    const transport = tokenTransport({ crossTab: false });
    clientOf(server, { transport });
    expect(() => clientOf(server, { transport })).toThrow(/already serves another client/);
  });
});

describe('token transport: a refresh that answers after the user changed', () => {
  it('drops the old user’s renewed pair when another user signed in while the refresh was on its way', async () => {
    const { server, client, user } = await signedIn();
    const other = uniqueEmail('other');
    await tokenClient(server).signUp({ email: other, password: PASSWORD });
    // the server's clock is past the first token's expiry: the next call is refused and refreshes
    server.clock.aheadMs = (ACCESS_TOKEN_SECONDS + 5) * 1000;
    const release = server.hold('POST /token/refresh');
    const first = client.tenants.list().catch((e) => e);
    await until(() => server.count('POST /token/refresh') === 1);

    await client.signIn({ email: other, password: PASSWORD });
    expect(client.session.getSnapshot().data?.user.email).toBe(other);
    release();
    await first;

    // every call from now on is the signed-in user's, not the one before
    const { items } = await client.sessions.list();
    const firstUsers = await server.auth.api.listSessions(user.id);
    expect(items.map((s) => s.id)).not.toContain(firstUsers[0]?.id);
    expect(client.session.getSnapshot().data?.user.email).toBe(other);
  });

  // review finding: the call was sent again with the new user's token, and ran as them
  it('fails the previous user’s call with its 401 instead of sending it again as the next user', async () => {
    const { server, client } = await signedIn();
    const other = uniqueEmail('other');
    await tokenClient(server).signUp({ email: other, password: PASSWORD });
    server.clock.aheadMs = (ACCESS_TOKEN_SECONDS + 5) * 1000;
    const release = server.hold('POST /token/refresh');
    const first = client.tenants.create({
      slug: `t-${Date.now().toString(36)}`,
      name: 'Meant for the first user',
    });
    const outcome = first.catch((e) => e);
    await until(() => server.count('POST /token/refresh') === 1);

    server.clock.aheadMs = 0;
    await client.signIn({ email: other, password: PASSWORD });
    release();

    const error = await outcome;
    expect(isPortcullisClientError(error)).toBe(true);
    expect(error).toMatchObject({ status: 401 });
    expect(server.count('POST /tenants')).toBe(1);
    expect((await client.tenants.list()).items).toEqual([]);
    expect(client.session.getSnapshot().data?.user.email).toBe(other);
  });
});
