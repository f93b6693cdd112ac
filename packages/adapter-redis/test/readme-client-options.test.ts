import { readFileSync } from 'node:fs';
import { type Auth, createAuth, type Logger, type Storage } from '@portcullis/core';
import { memoryStorage } from '@portcullis/core/memory';
import { Redis, type RedisOptions } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import { serviceUrl } from '../../../test-support/test-services.js';
import { type RedisKeyValue, redisKeyValue } from '../src/index.js';

const url = serviceUrl('Redis', 'PORTCULLIS_TEST_REDIS_URL');

/**
 * The ioredis options the root README tells apps to use, read from README.md itself, so this
 * test follows the README if it changes (issue 14: `enableOfflineQueue: false` left every
 * instance without its invalidation subscriptions).
 */
function readmeClientOptions(): RedisOptions {
  const readme = readFileSync(new URL('../../../README.md', import.meta.url), 'utf8');
  const match = /new Redis\(process\.env\.REDIS_URL!?,\s*(\{[^}]*\})\s*\)/.exec(readme);
  if (!match) throw new Error('README.md no longer shows `new Redis(process.env.REDIS_URL!, { … })`');
  return new Function(`return (${match[1]});`)() as RedisOptions;
}

const SESSIONS_CHANNEL = 'portcullis:sessions:revoked';
const AUTHORIZATION_CHANNEL = 'portcullis:authorization:changed';
const PASSWORD = 'correct horse battery staple';

const opened: { auth: Auth[]; kv: RedisKeyValue[]; redis: Redis[] } = { auth: [], kv: [], redis: [] };

afterAll(async () => {
  await Promise.all(opened.auth.map((a) => a.close()));
  await Promise.all(opened.kv.map((k) => k.close()));
  for (const r of opened.redis) r.disconnect();
});

function recordingLogger() {
  const errors: { message: string; fields?: Record<string, unknown> }[] = [];
  const logger: Logger = {
    debug() {},
    info() {},
    warn() {},
    error(fields, message = '') {
      errors.push({ message, fields });
    },
  };
  return { logger, errors };
}

/** An app instance built exactly as the README says: its client options, the client's error handler. */
function instance(storage: Storage, keyPrefix: string, logger: Logger) {
  const redis = new Redis(url!, readmeClientOptions());
  redis.on('error', () => {});
  const kv = redisKeyValue(redis, { keyPrefix });
  const auth = createAuth({
    storage,
    keyValue: kv,
    secret: 'test-secret-0123456789-abcdefghijklmnop',
    baseURL: 'http://localhost:3000',
    logger,
    outbox: { autoStart: false },
    rateLimit: { enabled: false },
    // only pub/sub can make a change cross in time: revalidation would take this long
    authorization: { revalidateAfterMs: 60_000 },
  });
  opened.auth.push(auth);
  opened.kv.push(kv);
  opened.redis.push(redis);
  return auth;
}

async function subscribers(observer: Redis, channel: string): Promise<number> {
  const reply = (await observer.call('PUBSUB', 'NUMSUB', channel)) as [string, number];
  return Number(reply[1]);
}

async function until(deadlineMs: number, check: () => Promise<boolean>): Promise<boolean> {
  const started = Date.now();
  do {
    if (await check()) return true;
    await new Promise((r) => setTimeout(r, 2));
  } while (Date.now() - started < deadlineMs);
  return check();
}

describe.skipIf(!url)("invalidation with the README's ioredis options (enableOfflineQueue: false)", () => {
  it('subscribes both caches of every instance once the client is ready, without logging errors', async () => {
    expect(readmeClientOptions()).toMatchObject({ enableOfflineQueue: false });
    const keyPrefix = `pcr:${Math.random().toString(36).slice(2)}:`;
    const { logger, errors } = recordingLogger();
    const storage = memoryStorage();
    const a = instance(storage, keyPrefix, logger);
    const b = instance(storage, keyPrefix, logger);
    const observer = new Redis(url!);
    opened.redis.push(observer);

    const bothSubscribed = await until(5_000, async () => {
      const [sessions, authorization, apiKeys] = await Promise.all([
        subscribers(observer, keyPrefix + SESSIONS_CHANNEL),
        subscribers(observer, keyPrefix + AUTHORIZATION_CHANNEL),
        subscribers(observer, `${keyPrefix}portcullis:api-keys:revoked`),
      ]);
      return sessions === 2 && authorization === 2 && apiKeys === 2;
    });
    expect(bothSubscribed).toBe(true);
    for (const auth of [a, b]) {
      expect((await auth.health()).subscriptions).toEqual({
        sessions: 'subscribed',
        authorization: 'subscribed',
        apiKeys: 'subscribed',
        // rate limits are off here
        rateLimitOverrides: 'off',
      });
    }
    expect(errors).toEqual([]);
  });

  it('a revocation on one instance is refused by the other within 50 ms (two apps, one database, one Redis)', async () => {
    const keyPrefix = `pcr:${Math.random().toString(36).slice(2)}:`;
    const { logger } = recordingLogger();
    const storage = memoryStorage();
    const a = instance(storage, keyPrefix, logger);
    const b = instance(storage, keyPrefix, logger);
    const observer = new Redis(url!);
    opened.redis.push(observer);
    expect(
      await until(5_000, async () => (await subscribers(observer, keyPrefix + SESSIONS_CHANNEL)) === 2),
    ).toBe(true);

    const signedUp = await a.api.signUp({ email: `readme.${Date.now()}@example.com`, password: PASSWORD });
    if ('pending' in signedUp) throw new Error('unexpected pending sign-up');
    // B caches the session in process: without the message it would serve it for l1TtlMs (500 ms)
    expect(await b.api.validateSessionToken(signedUp.token)).not.toBeNull();
    await a.api.revokeAllSessions(signedUp.user.id);
    const refused = await until(50, async () => (await b.api.validateSessionToken(signedUp.token)) === null);
    expect(refused).toBe(true);
  });

  it('a demotion on one instance reaches the decisions of the other within 50 ms', async () => {
    const keyPrefix = `pcr:${Math.random().toString(36).slice(2)}:`;
    const { logger } = recordingLogger();
    const storage = memoryStorage();
    const a = instance(storage, keyPrefix, logger);
    const b = instance(storage, keyPrefix, logger);
    const observer = new Redis(url!);
    opened.redis.push(observer);
    expect(
      await until(5_000, async () => (await subscribers(observer, keyPrefix + AUTHORIZATION_CHANNEL)) === 2),
    ).toBe(true);

    const owner = await a.api.createUser({ email: `owner.${Date.now()}@example.com` });
    const admin = await a.api.createUser({ email: `admin.${Date.now()}@example.com` });
    const tenant = await a.api.createTenant(owner.id, {
      slug: `pcr-${Math.random().toString(36).slice(2, 10)}`,
      name: 'Demotion',
    });
    const { token } = await a.api.createInvitation(tenant.id, owner.id, { roles: ['admin'] });
    await a.api.acceptInvitation(admin.id, token);
    const ask = () => b.api.authorize({ userId: admin.id, tenantId: tenant.id, action: 'member.update' });
    expect((await ask()).allowed).toBe(true);
    await a.api.updateMember(tenant.id, owner.id, admin.id, { roles: ['viewer'] });
    const denied = await until(50, async () => !(await ask()).allowed);
    expect(denied).toBe(true);
  });
});
