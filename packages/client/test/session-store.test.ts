import { afterEach, describe, expect, it, vi } from 'vitest';
import { isPortcullisClientError, type SessionState } from '../src/index.js';
import { clientOf, createServer, PASSWORD, uniqueEmail } from './support.js';

// The session store against the real handler: how many `GET /session` requests reach it, and
// which answer wins when answers cross.

afterEach(() => {
  vi.useRealTimers();
});

async function signedUpClient(options: Parameters<typeof clientOf>[1] = {}) {
  const server = createServer();
  const client = clientOf(server, options);
  const email = uniqueEmail();
  await client.signUp({ email, password: PASSWORD });
  return { server, client, email };
}

/** Every state the store publishes, in order. */
function recordStates(client: ReturnType<typeof clientOf>): SessionState['status'][] {
  const seen: SessionState['status'][] = [];
  client.session.subscribe(() => seen.push(client.session.getSnapshot().status));
  return seen;
}

describe('session store', () => {
  it('takes the session from the sign-up answer without reading GET /session', async () => {
    const { server, client, email } = await signedUpClient();
    expect(client.session.getSnapshot()).toMatchObject({
      status: 'authenticated',
      data: { user: { email } },
    });
    expect(server.count('GET /session')).toBe(0);
  });

  it('shares one read between concurrent refreshes and getSession calls', async () => {
    const server = createServer();
    const client = clientOf(server);
    const [a, b, c, d] = await Promise.all([
      client.session.refresh(),
      client.session.refresh(),
      client.getSession().catch((e) => e),
      client.getSession().catch((e) => e),
    ]);
    expect(server.count('GET /session')).toBe(1);
    expect(a).toBe(b);
    expect(a.status).toBe('unauthenticated');
    expect(a.error).toBeNull();
    // signed out: getSession rejects as the route does
    expect(isPortcullisClientError(c, 'unauthenticated')).toBe(true);
    expect(d).toBe(c);
  });

  it('answers getSession from the last answer within the dedupe window, and reads again after it', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    const { server, client } = await signedUpClient({ sessionDedupeMs: 2000 });
    await client.session.refresh({ force: true });
    const first = await client.getSession();
    const [second, third] = await Promise.all([client.getSession(), client.getSession()]);
    expect(server.count('GET /session')).toBe(1);
    expect(second).toBe(first);
    expect(third).toBe(first);

    vi.advanceTimersByTime(1999);
    await client.session.refresh();
    expect(server.count('GET /session')).toBe(1);
    vi.advanceTimersByTime(2);
    await client.session.refresh();
    expect(server.count('GET /session')).toBe(2);
    await client.session.refresh({ force: true });
    expect(server.count('GET /session')).toBe(3);
  });

  it('hydrates from initialSession without a request: the server snapshot is the client snapshot', async () => {
    const { server, client: first } = await signedUpClient();
    const data = first.session.getSnapshot().data;
    const hydrated = clientOf(server, { initialSession: data });
    expect(hydrated.session.getServerSnapshot()).toEqual({ status: 'authenticated', data, error: null });
    expect(hydrated.session.getSnapshot()).toBe(hydrated.session.getServerSnapshot());
    await hydrated.session.refresh();
    expect(await hydrated.getSession()).toBe(data);

    const signedOut = clientOf(server, { initialSession: null });
    expect(signedOut.session.getServerSnapshot().status).toBe('unauthenticated');
    await signedOut.session.refresh();
    expect(server.count('GET /session')).toBe(0);

    const unknown = clientOf(server);
    expect(unknown.session.getServerSnapshot().status).toBe('loading');
  });

  it('gives every caller the same promise while a read is in flight (React can suspend on it)', async () => {
    const server = createServer();
    const client = clientOf(server);
    const first = client.session.refresh();
    expect(client.session.refresh()).toBe(first);
    expect(client.session.refresh({ force: true })).toBe(first);
    await first;
    expect(server.count('GET /session')).toBe(1);
  });

  it('adopts a server-rendered session by hydrate() while loading, and ignores it once it knows better', async () => {
    const { server, client: first } = await signedUpClient();
    const data = first.session.getSnapshot().data;
    const client = clientOf(server);
    client.session.hydrate(data);
    expect(client.session.getSnapshot()).toEqual({ status: 'authenticated', data, error: null });
    expect(await client.getSession()).toBe(data);
    client.session.hydrate(null);
    expect(client.session.getSnapshot().status).toBe('authenticated');
    expect(server.count('GET /session')).toBe(0);
  });

  it('lets a sign-out that answers while a session read is in flight win over that read', async () => {
    const { server, client } = await signedUpClient();
    const states = recordStates(client);
    const release = server.hold('GET /session');
    const reading = client.session.refresh({ force: true });
    await client.signOut();
    expect(client.session.getSnapshot().status).toBe('unauthenticated');
    release();
    await reading;
    // the read began before the sign-out: its answer (still signed in, or not) is dropped
    expect(client.session.getSnapshot().status).toBe('unauthenticated');
    expect(states).toEqual(['unauthenticated']);
    expect(server.count('GET /session')).toBe(1);
  });

  it('lets a sign-in that answers while a signed-out read is in flight win over that read', async () => {
    const server = createServer();
    const email = uniqueEmail();
    await clientOf(server).signUp({ email, password: PASSWORD });
    const client = clientOf(server);
    const release = server.hold('GET /session');
    const reading = client.session.refresh();
    await client.signIn({ email, password: PASSWORD });
    release();
    await reading;
    expect(client.session.getSnapshot()).toMatchObject({
      status: 'authenticated',
      data: { user: { email } },
    });
  });

  it('reads the session again after a call that changes it, even with an older read in flight', async () => {
    const { server, client } = await signedUpClient();
    const release = server.hold('GET /session');
    const stale = client.session.refresh({ force: true });
    const changing = client.sessions.revokeOthers();
    await new Promise((resolve) => setTimeout(resolve, 10));
    release();
    await Promise.all([stale, changing]);
    // one read for the stale refresh, and one begun after revoke-others answered (not the
    // stale one shared: it started before the change)
    expect(server.count('GET /session')).toBe(2);
  });

  it('signs the store out when a call finds the session gone', async () => {
    const { server, client } = await signedUpClient();
    const user = client.session.getSnapshot().data!.user;
    const sessionId = client.session.getSnapshot().data!.session.id;
    await server.auth.api.revokeSession(user.id, sessionId);
    const error = await client.sessions.list().catch((e) => e);
    expect(isPortcullisClientError(error, 'unauthenticated')).toBe(true);
    expect(client.session.getSnapshot().status).toBe('unauthenticated');
  });

  it('keeps a signed-in user signed in when a session read meets no server, and tells a loading one why', async () => {
    const { server, client } = await signedUpClient();
    server.goOffline();
    const state = await client.session.refresh({ force: true });
    expect(state.status).toBe('authenticated');
    await expect(client.getSession()).resolves.toMatchObject({ user: { id: state.data!.user.id } });

    const fresh = clientOf(server);
    server.goOffline();
    const failed = await fresh.session.refresh();
    expect(failed.status).toBe('unauthenticated');
    expect(failed.error?.code).toBe('network_error');
    // a failure is not remembered: the next refresh asks again
    expect((await fresh.session.refresh()).error).toBeNull();
  });

  it('notifies subscribers only when the state changes', async () => {
    const { client } = await signedUpClient();
    const states = recordStates(client);
    const unsubscribe = client.session.subscribe(() => {});
    await client.session.refresh({ force: true });
    await client.session.refresh({ force: true });
    unsubscribe();
    await client.signOut();
    await client.signOut();
    expect(states).toEqual(['unauthenticated']);
  });
});
