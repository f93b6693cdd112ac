import { describe, expect, it } from 'vitest';
import { memoryKeyValue, memoryStorage } from '../src/memory/index.js';
import type { Storage } from '../src/ports/storage.js';
import { PASSWORD, testAuth, uniqueEmail } from './support.js';

function countingStorage() {
  const base = memoryStorage();
  const counter = { lookups: 0 };
  const storage: Storage = {
    ...base,
    sessions: {
      ...base.sessions,
      findActiveByTokenHash: (...args) => {
        counter.lookups += 1;
        return base.sessions.findActiveByTokenHash(...args);
      },
      touch: base.sessions.touch.bind(base.sessions),
      create: base.sessions.create.bind(base.sessions),
      listActiveByUser: base.sessions.listActiveByUser.bind(base.sessions),
      revoke: base.sessions.revoke.bind(base.sessions),
      revokeAllForUser: base.sessions.revokeAllForUser.bind(base.sessions),
      revokeAllForTenant: base.sessions.revokeAllForTenant.bind(base.sessions),
      revokeAllForTenantMember: base.sessions.revokeAllForTenantMember.bind(base.sessions),
    },
  };
  return { storage, counter };
}

describe('session cache (one instance)', () => {
  it('is off without a key-value store, and on when one is configured', () => {
    expect(testAuth().auth.config.session.cache.enabled).toBe(false);
    expect(testAuth({ keyValue: memoryKeyValue() }).auth.config.session.cache.enabled).toBe(true);
  });

  it('serves hits without the database and forgets a revoked session at once', async () => {
    const { storage, counter } = countingStorage();
    const { client } = testAuth({ storage, keyValue: memoryKeyValue() });
    const email = uniqueEmail();
    const a = await client.signUp(email);
    const b = await client.post('/login', { email, password: PASSWORD });
    await client.get('/session', b.cookie);
    const filled = counter.lookups;
    for (let i = 0; i < 20; i++) expect((await client.get('/session', b.cookie)).status).toBe(200);
    expect(counter.lookups).toBe(filled);

    await client.post('/sessions/revoke-others', undefined, a.cookie);
    expect((await client.get('/session', b.cookie)).status).toBe(401);
    expect((await client.get('/session', a.cookie)).status).toBe(200);
  });

  it('forgets the sessions of a suspended user and of a suspended tenant at once', async () => {
    const { client, auth } = testAuth({ keyValue: memoryKeyValue() });
    const user = await client.signUp(uniqueEmail());
    await client.get('/session', user.cookie);
    await auth.api.suspendUser(user.body.user.id);
    expect((await client.get('/session', user.cookie)).status).toBe(401);

    const owner = await client.signUp(uniqueEmail('owner'));
    const slug = `iso-${Math.random().toString(36).slice(2, 9)}`;
    const tenant = await client.post('/tenants', { slug, name: 'Iso', userPool: 'isolated' }, owner.cookie);
    const member = await client.post('/signup', { email: uniqueEmail(), password: PASSWORD, tenant: slug });
    expect((await client.get('/session', member.cookie)).status).toBe(200);
    await client.call('PATCH', `/tenants/${tenant.body.id}`, {
      body: { status: 'suspended' },
      cookie: owner.cookie,
    });
    expect((await client.get('/session', member.cookie)).status).toBe(401);
  });
});
