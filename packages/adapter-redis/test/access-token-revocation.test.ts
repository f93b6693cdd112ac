import {
  type Auth,
  createAuth,
  isAuthError,
  type KeyValue,
  type Storage,
  silentLogger,
} from '@portcullis/core';
import { memoryStorage } from '@portcullis/core/memory';
import { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import { serviceUrl } from '../../../test-support/test-services.js';
import { type RedisKeyValue, redisKeyValue } from '../src/index.js';

const url = serviceUrl('Redis', 'PORTCULLIS_TEST_REDIS_URL');

const ORIGIN = 'http://localhost:3000';
const PASSWORD = 'correct horse battery staple';
const KEK = { version: 'k1', secret: 'key-encryption-key-0123456789-abcdefghij' };
const opened: { auth: Auth[]; kv: RedisKeyValue[]; redis: Redis[] } = { auth: [], kv: [], redis: [] };

afterAll(async () => {
  await Promise.all(opened.auth.map((a) => a.close()));
  await Promise.all(opened.kv.map((k) => k.close()));
  for (const r of opened.redis) r.disconnect();
});

function instance(storage: Storage, keyValue: KeyValue) {
  const auth = createAuth({
    storage,
    keyValue,
    secret: 'test-secret-0123456789-abcdefghijklmnop',
    baseURL: ORIGIN,
    logger: silentLogger,
    outbox: { autoStart: false },
    rateLimit: { enabled: false },
    tokens: { signingKeys: { keyEncryptionKeys: [KEK] } },
  });
  opened.auth.push(auth);
  return auth;
}

function redisStore(prefix: string, redisUrl = url!) {
  const redis = new Redis(redisUrl, { maxRetriesPerRequest: 1 });
  const kv = redisKeyValue(redis, { keyPrefix: prefix });
  opened.redis.push(redis);
  opened.kv.push(kv);
  return { redis, kv };
}

/** A Redis that is down: every command fails at once. */
function deadRedis(): KeyValue {
  const dead = new Redis('redis://127.0.0.1:1', {
    lazyConnect: true,
    enableOfflineQueue: false,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
  });
  dead.on('error', () => {});
  opened.redis.push(dead);
  return redisKeyValue(dead);
}

const email = () => `at.${Date.now()}.${Math.random().toString(36).slice(2)}@example.com`;
const prefix = () => `pct:${Math.random().toString(36).slice(2)}:`;

async function refused(auth: Auth, token: string): Promise<boolean> {
  return auth.api.verifyAccessToken(token).then(
    () => false,
    (e: unknown) => isAuthError(e, 'access_token_invalid'),
  );
}

/** Two instances sharing one database and one Redis; B's subscriptions never hear a message. */
async function cluster() {
  const storage = memoryStorage();
  const p = prefix();
  const a = instance(storage, redisStore(p).kv);
  const deaf = (kv: KeyValue): KeyValue => ({ ...kv, subscribe: async () => async () => {} });
  const b = instance(storage, deaf(redisStore(p).kv));
  const signedIn = await a.api.signUp({ email: email(), password: PASSWORD });
  if ('pending' in signedIn) throw new Error('unexpected pending sign-up');
  const token = await a.api.issueAccessToken({
    subject: signedIn.user.id,
    clientId: 'app',
    sessionId: signedIn.session.id,
  });
  return { a, b, storage, signedIn, token: token.token, prefix: p };
}

describe.skipIf(!url)('access-token revocation over Redis (two instances, one database)', () => {
  it('a token of a session signed out on A is refused by B at once, without any message', async () => {
    const { a, b, signedIn, token } = await cluster();
    await expect(b.api.verifyAccessToken(token)).resolves.toMatchObject({ id: signedIn.user.id });
    await a.api.signOut(signedIn.token);
    const started = Date.now();
    expect(await refused(b, token)).toBe(true);
    expect(Date.now() - started).toBeLessThan(1000);
    expect(await refused(a, token)).toBe(true);
  });

  it('a user suspended on A: B refuses every token of the user issued before', async () => {
    const { a, b, signedIn, token } = await cluster();
    const second = await b.api.issueAccessToken({
      subject: signedIn.user.id,
      clientId: 'app',
      sessionId: signedIn.session.id,
    });
    await a.api.suspendUser(signedIn.user.id);
    expect(await refused(b, token)).toBe(true);
    expect(await refused(b, second.token)).toBe(true);
  });

  it('a jti revoked through A is refused by B until it expires', async () => {
    const { a, b } = await cluster();
    const machine = await a.api.issueAccessToken({ subject: 'client-1', clientId: 'client-1' });
    const other = await a.api.issueAccessToken({ subject: 'client-1', clientId: 'client-1' });
    await a.api.revokeAccessToken(machine.tokenId, machine.expiresAt);
    expect(await refused(b, machine.token)).toBe(true);
    expect(await refused(b, other.token)).toBe(false);
  });

  it('a client deleted on A: B refuses its tokens at once, and still after Redis lost the entry', async () => {
    const { a, b, signedIn, prefix: p } = await cluster();
    const tenant = await a.api.createTenant(signedIn.user.id, {
      slug: `t-${Date.now().toString(36)}`,
      name: 'T',
    });
    const { client } = await a.api.createClient(tenant.id, signedIn.user.id, { name: 'Worker' });
    const machine = await a.api.issueAccessToken({
      subject: client.id,
      clientId: client.id,
      tenantId: tenant.id,
    });
    expect(await refused(b, machine.token)).toBe(false);
    await a.api.deleteClient(tenant.id, signedIn.user.id, client.id);
    expect(await refused(b, machine.token)).toBe(true);
    // a flush takes the client's epoch and the marker: the database still knows it is deleted
    const redis = opened.redis[opened.redis.length - 1]!;
    const keys = await redis.keys(`${p}*`);
    expect(keys.some((k) => k.includes(`pc:at:client:${client.id}`))).toBe(true);
    await redis.del(...keys);
    expect(await refused(b, machine.token)).toBe(true);
  });

  it("with Redis down, B checks the database: a live session and a client's token pass, a revoked session, a revoked jti and a deleted client's token are refused", async () => {
    const { a, storage, signedIn, token } = await cluster();
    const other = await a.api.signIn({ email: signedIn.user.email, password: PASSWORD });
    if (!('session' in other)) throw new Error('mfa');
    const live = await a.api.issueAccessToken({
      subject: signedIn.user.id,
      clientId: 'app',
      sessionId: other.session.id,
    });
    const tenant = await a.api.createTenant(signedIn.user.id, {
      slug: `t-${Date.now().toString(36)}`,
      name: 'T',
    });
    const { client } = await a.api.createClient(tenant.id, signedIn.user.id, { name: 'Worker' });
    const { client: gone } = await a.api.createClient(tenant.id, signedIn.user.id, { name: 'Gone' });
    const issue = (id: string) => a.api.issueAccessToken({ subject: id, clientId: id, tenantId: tenant.id });
    const [machine, revokedMachine, goneMachine] = await Promise.all([
      issue(client.id),
      issue(client.id),
      issue(gone.id),
    ]);
    await a.api.revokeAccessToken(revokedMachine.tokenId, revokedMachine.expiresAt);
    await a.api.deleteClient(tenant.id, signedIn.user.id, gone.id);
    const down = instance(storage, deadRedis());
    await expect(down.api.verifyAccessToken(live.token)).resolves.toMatchObject({
      sessionId: other.session.id,
    });
    await expect(down.api.verifyAccessToken(machine.token)).resolves.toMatchObject({ clientId: client.id });
    // a user's token without a session: only the store knows its user's epochs, so it is refused
    const unbound = await a.api.issueAccessToken({ subject: signedIn.user.id, clientId: 'backend' });
    expect(await refused(down, unbound.token)).toBe(true);
    expect(await refused(down, revokedMachine.token)).toBe(true);
    expect(await refused(down, goneMachine.token)).toBe(true);
    await a.api.revokeSession(signedIn.user.id, signedIn.session.id);
    expect(await refused(down, token)).toBe(true);
    // the client's tenant suspended: its tokens end with it, the database says so
    await a.api.updateTenant(tenant.id, signedIn.user.id, { status: 'suspended' });
    expect(await refused(down, machine.token)).toBe(true);
    await a.api.suspendUser(signedIn.user.id);
    expect(await refused(down, live.token)).toBe(true);
  });

  it('a flushed Redis cannot resurrect a revoked token: the database confirms until old tokens expire', async () => {
    const { a, b, signedIn, token, prefix: p } = await cluster();
    await expect(b.api.verifyAccessToken(token)).resolves.toBeDefined();
    await a.api.revokeAllSessions(signedIn.user.id);
    expect(await refused(b, token)).toBe(true);
    // flush what the pair wrote: the revocation entries, and the marker with them
    const redis = opened.redis[opened.redis.length - 1]!;
    const keys = await redis.keys(`${p}*`);
    expect(keys.some((k) => k.includes('pc:at:user:'))).toBe(true);
    await redis.del(...keys);
    expect(await refused(b, token)).toBe(true);
  });
});
