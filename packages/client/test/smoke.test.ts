import { createAuth } from '@portcullis/core';
import { memoryStorage } from '@portcullis/core/memory';
import { describe, expect, it } from 'vitest';
import { createPortcullisClient, isPortcullisClientError } from '../src/index.js';

const ORIGIN = 'https://app.example.com';

function setUp() {
  const auth = createAuth({
    storage: memoryStorage(),
    secret: 'a-test-secret-that-is-long-enough-0123456789',
    baseURL: ORIGIN,
    logger: { debug() {}, info() {}, warn() {}, error() {} },
    outbox: { autoStart: false },
    mailer: { send: async () => {} },
  });
  let cookie = '';
  const client = createPortcullisClient({
    baseUrl: `${ORIGIN}/auth`,
    refreshOnFocus: false,
    fetch: async (input, init) => {
      const headers = new Headers(init?.headers);
      headers.set('origin', ORIGIN);
      if (cookie) headers.set('cookie', cookie);
      const response = await auth.handler(new Request(input, { ...init, headers }));
      const set = response.headers.get('set-cookie');
      if (set) cookie = set.split(';')[0] ?? '';
      return response;
    },
  });
  return { auth, client };
}

describe('client smoke', () => {
  it('signs up, lists tenants, and parses problems', async () => {
    const { client } = setUp();
    await client.signUp({ email: 'ada@example.com', password: 'correct horse battery staple', name: 'Ada' });
    expect(client.session.getSnapshot().status).toBe('authenticated');
    const tenant = await client.tenants.create({ name: 'Acme', slug: 'acme' });
    const members = await client.tenants.members.list(tenant.id);
    expect(members.items).toHaveLength(1);
    const error = await client
      .signIn({ email: 'ada@example.com', password: 'wrong password here' })
      .catch((e) => e);
    expect(isPortcullisClientError(error, 'invalid_credentials')).toBe(true);
    expect(error.requestId).toBeTruthy();
  });
});
