import { afterEach, describe, expect, it } from 'vitest';
import { type Auth, type AuthConfig, createAuth, type KeyValue, type Storage } from '../src/index.js';
import { memoryKeyValue, memoryStorage } from '../src/memory/index.js';
import { silentLogger } from '../src/ports/logger.js';
import { fakeClock, httpClient, ORIGIN, PASSWORD, SECRET } from './support.js';

const KEK = { version: 'k1', secret: 'key-encryption-key-0123456789-abcdefghij' };
const DATABASE_URL = 'postgres://portcullis:s3cr3t-pw@db.internal:5432/auth';
const opened: Auth[] = [];
afterEach(async () => {
  for (const auth of opened.splice(0)) await auth.close();
});

/** Storage (and optionally a shared store) whose parts can be made unreachable, failing like a driver would. */
function app(options: { sharedStore?: boolean; config?: Partial<AuthConfig> } = {}) {
  const state = { databaseDown: false, signingKeysDown: false, storeDown: false, reads: 0 };
  const lost = () =>
    Object.assign(new Error(`connect ECONNREFUSED ${DATABASE_URL}`), { code: 'ECONNREFUSED' });
  const inner = memoryStorage();
  const failing = <T extends object>(store: T, down: () => boolean): T =>
    new Proxy(store, {
      get(target, property, receiver) {
        const value = Reflect.get(target, property, receiver);
        if (typeof value !== 'function') return value;
        return (...args: unknown[]) => {
          state.reads += 1;
          return down() ? Promise.reject(lost()) : Reflect.apply(value, target, args);
        };
      },
    });
  const storage = {
    ...inner,
    users: failing(inner.users, () => state.databaseDown),
    outbox: failing(inner.outbox, () => state.databaseDown),
    signingKeys: failing(inner.signingKeys, () => state.databaseDown || state.signingKeysDown),
  } as Storage;
  const kv = memoryKeyValue();
  const keyValue: KeyValue = {
    ...kv,
    get: (key) => (state.storeDown ? Promise.reject(lost()) : kv.get(key)),
  };
  const clock = fakeClock(Date.now());
  const auth = createAuth({
    storage,
    ...(options.sharedStore && { keyValue }),
    secret: SECRET,
    baseURL: ORIGIN,
    logger: silentLogger,
    clock,
    outbox: { autoStart: false },
    ...options.config,
  });
  opened.push(auth);
  const get = async (path: string) => {
    const response = await auth.handler(new Request(`${ORIGIN}/auth${path}`));
    return { status: response.status, text: await response.text(), headers: response.headers };
  };
  return { state, get, auth, clock };
}

describe('health routes (issue 19)', () => {
  it('answers liveness with 200 {status: ok} without touching the database, even when it is down', async () => {
    const { state, get } = app();
    state.databaseDown = true;
    const res = await get('/health');
    expect(res.status).toBe(200);
    expect(JSON.parse(res.text)).toEqual({ status: 'ok' });
    expect(state.reads).toBe(0);
    expect(res.headers.get('cache-control')).toBe('no-store');
  });

  it('is ready when the database answers, with the shared store reported as local when there is none', async () => {
    const { get } = app();
    const res = await get('/health/ready');
    expect(res.status).toBe(200);
    expect(JSON.parse(res.text)).toEqual({
      status: 'ready',
      checks: {
        database: 'up',
        keyValue: 'local',
        subscriptions: {
          sessions: 'off',
          authorization: 'subscribed',
          apiKeys: 'subscribed',
          rateLimitOverrides: 'subscribed',
        },
        signingKey: 'active',
        outbox: { state: 'ok', lagSeconds: 0 },
      },
    });
  });

  it('answers 503 naming the database when it is unreachable, and never the connection string', async () => {
    const { state, get } = app();
    state.databaseDown = true;
    const res = await get('/health/ready');
    expect(res.status).toBe(503);
    expect(JSON.parse(res.text)).toMatchObject({ status: 'not_ready', checks: { database: 'unavailable' } });
    expect(res.text).not.toMatch(/s3cr3t|db\.internal|postgres:|ECONNREFUSED/);
  });

  it('checks the shared store when one is configured, and answers 503 naming it when it fails', async () => {
    const { state, get } = app({ sharedStore: true });
    await expect.poll(async () => (await get('/health/ready')).status, { timeout: 5_000 }).toBe(200);
    expect(JSON.parse((await get('/health/ready')).text).checks.keyValue).toBe('up');
    state.storeDown = true;
    const res = await get('/health/ready');
    expect(res.status).toBe(503);
    expect(JSON.parse(res.text)).toMatchObject({
      status: 'not_ready',
      checks: { database: 'up', keyValue: 'unavailable' },
    });
    expect(res.text).not.toMatch(/s3cr3t|db\.internal/);
  });

  it('answers 503 naming the signing key when the stored keys cannot be read', async () => {
    const { state, get } = app({ config: { tokens: { signingKeys: { keyEncryptionKeys: [KEK] } } } });
    state.signingKeysDown = true;
    const res = await get('/health/ready');
    expect(JSON.parse(res.text)).toMatchObject({
      status: 'not_ready',
      checks: { database: 'up', signingKey: 'unavailable' },
    });
    expect(res.status).toBe(503);
  });

  it('answers 503 when the oldest undelivered outbox event is older than outbox.maxReadyLagSeconds', async () => {
    const { get, auth, clock } = app({ config: { outbox: { autoStart: false, maxReadyLagSeconds: 60 } } });
    await httpClient(auth).signUp('lag@example.com', PASSWORD);
    clock.advance(60);
    const within = await get('/health/ready');
    expect(within.status).toBe(200);
    expect(JSON.parse(within.text).checks.outbox).toEqual({ state: 'ok', lagSeconds: 60 });
    clock.advance(1);
    const late = await get('/health/ready');
    expect(late.status).toBe(503);
    expect(JSON.parse(late.text)).toMatchObject({
      status: 'not_ready',
      checks: { outbox: { state: 'lagging', lagSeconds: 61 } },
    });
  });
});
