import { afterEach, describe, expect, it } from 'vitest';
import { type Auth, createAuth, type KeyValue, type Logger } from '../src/index.js';
import { memoryKeyValue, memoryStorage } from '../src/memory/index.js';

const opened: Auth[] = [];
afterEach(async () => {
  await Promise.all(opened.splice(0).map((auth) => auth.close()));
});

/** A shared store whose first `failures` SUBSCRIBEs per channel fail, as Redis does while it connects. */
function flakySubscriptions(failures: number) {
  const base = memoryKeyValue();
  const attempts = new Map<string, number>();
  const kv: KeyValue = {
    ...base,
    async subscribe(channel, handler) {
      const n = (attempts.get(channel) ?? 0) + 1;
      attempts.set(channel, n);
      if (n <= failures) throw new Error("Stream isn't writeable and enableOfflineQueue options is false");
      return base.subscribe(channel, handler);
    },
  };
  return { kv, attempts };
}

function recordingLogger() {
  const lines: { level: string; message: string; cache: unknown }[] = [];
  const log =
    (level: string) =>
    (fields: Record<string, unknown>, message = '') =>
      void lines.push({ level, message, cache: fields.cache });
  const logger: Logger = { debug: log('debug'), info: log('info'), warn: log('warn'), error: log('error') };
  return { logger, lines };
}

function app(keyValue: KeyValue, logger: Logger) {
  const auth = createAuth({
    storage: memoryStorage(),
    keyValue,
    secret: 'test-secret-0123456789-abcdefghijklmnop',
    baseURL: 'http://localhost:3000',
    logger,
    outbox: { autoStart: false },
  });
  opened.push(auth);
  return auth;
}

describe('cache invalidation subscriptions (issue 14)', () => {
  it('retries both caches after failed SUBSCRIBEs until they hold, and reports it in health()', async () => {
    const { kv, attempts } = flakySubscriptions(2);
    const { logger, lines } = recordingLogger();
    const auth = app(kv, logger);
    expect((await auth.health()).subscriptions).toEqual({
      sessions: 'retrying',
      authorization: 'retrying',
      apiKeys: 'retrying',
      rateLimitOverrides: 'retrying',
    });
    expect((await auth.health()).ok).toBe(false);
    await expect
      .poll(async () => (await auth.health()).subscriptions, { timeout: 5_000, interval: 50 })
      .toEqual({
        sessions: 'subscribed',
        authorization: 'subscribed',
        apiKeys: 'subscribed',
        rateLimitOverrides: 'subscribed',
      });
    expect([...attempts.values()]).toEqual([3, 3, 3, 3]);
    expect(await auth.health()).toMatchObject({ ok: true, storage: 'up', keyValue: 'up' });
    // two failures are a client still connecting: nothing worth an error, nor yet a warning
    expect(lines.filter((l) => l.level === 'error' || l.level === 'warn')).toEqual([]);
  });

  it('warns, never errors, while a subscription keeps failing', async () => {
    const { kv } = flakySubscriptions(4);
    const { logger, lines } = recordingLogger();
    const auth = app(kv, logger);
    await expect.poll(async () => (await auth.health()).ok, { timeout: 10_000, interval: 50 }).toBe(true);
    expect(lines.filter((l) => l.level === 'error')).toEqual([]);
    const warnings = lines.filter((l) => l.level === 'warn');
    expect(warnings).toHaveLength(4);
    expect(warnings.every((l) => l.message.startsWith('could not subscribe'))).toBe(true);
    expect(warnings.map((l) => l.cache).sort()).toEqual([
      'api key cache',
      'authorization cache',
      'rate-limit override cache',
      'session cache',
    ]);
  });

  it('reports a local key-value store and a session cache that is off', async () => {
    const auth = createAuth({
      storage: memoryStorage(),
      secret: 'test-secret-0123456789-abcdefghijklmnop',
      baseURL: 'http://localhost:3000',
      outbox: { autoStart: false },
    });
    opened.push(auth);
    expect(await auth.health()).toEqual({
      ok: true,
      storage: 'up',
      keyValue: 'local',
      subscriptions: {
        sessions: 'off',
        authorization: 'subscribed',
        apiKeys: 'subscribed',
        rateLimitOverrides: 'subscribed',
      },
      signingKey: 'active',
      outbox: { state: 'ok', lagSeconds: 0 },
    });
  });
});
