import { describe, expect, it } from 'vitest';
import { createPortcullisClient, isPortcullisClientError } from '../src/index.js';
import { BASE_URL, clientOf, createServer, PASSWORD, uniqueEmail } from './support.js';

// The method tree over the real handler with the default (cookie) transport: how arguments become
// a request, and what the browser is asked to send.

/** A client that records the requests it would send, answering each with `{}`. */
function recordingClient() {
  const seen: Array<{ url: string; init: RequestInit }> = [];
  const client = createPortcullisClient({
    baseUrl: `${BASE_URL}/`,
    refreshOnFocus: false,
    fetch: async (input, init = {}) => {
      seen.push({ url: String(input), init });
      return Response.json({});
    },
  });
  return { client, seen };
}

describe('createPortcullisClient', () => {
  it('signs up, creates a tenant and lists its members with the session cookie the browser keeps', async () => {
    const server = createServer();
    const client = clientOf(server);
    const email = uniqueEmail();
    const signedUp = await client.signUp({ email, password: PASSWORD, name: 'Ada' });
    expect('user' in signedUp && signedUp.user.email).toBe(email);
    expect(client.cookie()).toMatch(new RegExp(`^${server.auth.sessionCookieName}=.+`));
    const tenant = await client.tenants.create({ name: 'Acme', slug: `acme-${Date.now().toString(36)}` });
    const members = await client.tenants.members.list(tenant.id, { limit: 10 });
    expect(members.items.map((m) => m.user.email)).toEqual([email]);
    for (const request of server.sent) expect(request.credentials).toBe('include');
    expect(server.sent.at(-1)?.route).toBe(`GET /tenants/${tenant.id}/members`);
  });

  it('signs out: the cookie is cleared and the store signed out', async () => {
    const server = createServer();
    const client = clientOf(server);
    await client.signUp({ email: uniqueEmail(), password: PASSWORD });
    await client.signOut();
    expect(client.cookie()).toBe('');
    expect(client.session.getSnapshot().status).toBe('unauthenticated');
    const error = await client.sessions.list().catch((e) => e);
    expect(isPortcullisClientError(error, 'unauthenticated')).toBe(true);
  });

  it('puts path parameters in order and encoded, the query of a GET in the URL, and the body as JSON', async () => {
    const { client, seen } = recordingClient();
    await client.tenants.roles.update('t/1', 'r 2', { name: 'Editors' });
    expect(seen[0]?.url).toBe(`${BASE_URL}/tenants/t%2F1/roles/r%202`);
    expect(seen[0]?.init).toMatchObject({
      method: 'PATCH',
      body: '{"name":"Editors"}',
      credentials: 'include',
    });
    expect(new Headers(seen[0]?.init.headers).get('content-type')).toBe('application/json');

    await client.tenants.members.list('t1', { limit: 5, cursor: undefined });
    expect(seen[1]?.url).toBe(`${BASE_URL}/tenants/t1/members?limit=5`);
    expect(seen[1]?.init.body).toBeUndefined();
  });

  it('refuses a missing path parameter before sending anything', async () => {
    const { client, seen } = recordingClient();
    await expect(client.tenants.members.list('')).rejects.toThrow(/tenantId must be a non-empty string/);
    expect(seen).toEqual([]);
  });

  it('sends the form routes as application/x-www-form-urlencoded', async () => {
    const { client, seen } = recordingClient();
    await client.oauth.token({ grant_type: 'client_credentials', scope: 'read' } as never);
    expect(new Headers(seen[0]?.init.headers).get('content-type')).toBe('application/x-www-form-urlencoded');
    expect(seen[0]?.init.body).toBe('grant_type=client_credentials&scope=read');
  });

  it('answers the redirect routes with their URL instead of fetching them', () => {
    const { client, seen } = recordingClient();
    expect(client.oauth.startUrl('github', { redirectTo: '/dashboard' })).toBe(
      `${BASE_URL}/oauth/github?redirectTo=%2Fdashboard`,
    );
    expect(client.url('getTenant', ['t1'])).toBe(`${BASE_URL}/tenants/t1`);
    expect(seen).toEqual([]);
  });

  it('passes extra headers through and lets a signal abort the call', async () => {
    const { client, seen } = recordingClient();
    const controller = new AbortController();
    await client.tenants.list(undefined, { headers: { 'x-trace': 'abc' }, signal: controller.signal });
    expect(new Headers(seen[0]?.init.headers).get('x-trace')).toBe('abc');
    expect(seen[0]?.init.signal).toBe(controller.signal);
  });
});
