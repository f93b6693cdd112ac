import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';
import { createKyselyFromUrl, migrate } from '@portcullis/adapter-kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { documentsTableName } from '../src/document-store.js';

// Three processes of the example, as a load balancer would see them: one PostgreSQL, one Redis
// (started by this test on a spare port so it can stop and restart it), one public origin.

const postgresUrl = process.env.PORTCULLIS_TEST_POSTGRES_URL;
const serverScript = fileURLToPath(new URL('../src/server.js', import.meta.url));
const built = existsSync(fileURLToPath(new URL('../../../packages/core/dist/index.js', import.meta.url)));
const ready = Boolean(postgresUrl) && built && existsSync('/usr/bin/redis-server');
if (!ready && process.env.CI === 'true') {
  throw new Error(
    'the multi-instance test needs PORTCULLIS_TEST_POSTGRES_URL, redis-server and a `pnpm build`',
  );
}

const ORIGIN = 'http://localhost:3999';
const PASSWORD = 'correct horse battery staple';
const tablePrefix = `mi_${randomBytes(4).toString('hex')}_`;

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

async function startRedis(port: number): Promise<ChildProcess> {
  const redis = spawn(
    'redis-server',
    ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
    {
      stdio: 'ignore',
    },
  );
  await waitFor(async () => {
    const { Redis } = await import('ioredis');
    const probe = new Redis(port, '127.0.0.1', {
      lazyConnect: true,
      maxRetriesPerRequest: 0,
      retryStrategy: () => null,
    });
    probe.on('error', () => {});
    try {
      await probe.connect();
      return (await probe.ping()) === 'PONG';
    } catch {
      return false;
    } finally {
      probe.disconnect();
    }
  }, 10_000);
  return redis;
}

async function stop(child: ChildProcess | undefined) {
  if (!child || child.exitCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  await Promise.race([exited, new Promise((r) => setTimeout(r, 5000))]);
}

async function waitFor(check: () => Promise<boolean>, timeoutMs: number): Promise<number> {
  const started = Date.now();
  for (;;) {
    if (await check()) return Date.now() - started;
    if (Date.now() - started > timeoutMs) throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

interface Instance {
  name: string;
  url: string;
  process: ChildProcess;
}

async function startInstance(name: string, redisPort: number): Promise<Instance> {
  const port = await freePort();
  const child = spawn(process.execPath, [serverScript], {
    env: {
      ...process.env,
      PORT: String(port),
      DATABASE_URL: postgresUrl,
      TABLE_PREFIX: tablePrefix,
      REDIS_URL: `redis://127.0.0.1:${redisPort}`,
      BASE_URL: ORIGIN,
      AUTH_SECRET: 'multi-instance-test-secret-0123456789abcdef',
      TRUST_PROXY: '1',
      NODE_ENV: 'test',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout!.on('data', (chunk) => {
    output += chunk;
  });
  child.stderr!.on('data', (chunk) => {
    output += chunk;
  });
  const url = `http://127.0.0.1:${port}`;
  await waitFor(async () => {
    if (child.exitCode !== null) throw new Error(`${name} exited: ${output}`);
    return fetch(`${url}/auth/openapi.json`).then(
      (r) => r.ok,
      () => false,
    );
  }, 30_000);
  return { name, url, process: child };
}

describe.skipIf(!ready)('three instances sharing PostgreSQL and Redis', () => {
  let redisPort: number;
  let redis: ChildProcess | undefined;
  let instances: Instance[] = [];

  beforeAll(async () => {
    redisPort = await freePort();
    redis = await startRedis(redisPort);
    instances = await Promise.all(['A', 'B', 'C'].map((name) => startInstance(name, redisPort)));
  }, 90_000);

  afterAll(async () => {
    await Promise.all(instances.map((i) => stop(i.process)));
    await stop(redis);
    if (postgresUrl) {
      const { db, close } = await createKyselyFromUrl(postgresUrl);
      try {
        await db.schema.dropTable(documentsTableName(tablePrefix)).ifExists().execute();
        await migrate(db, { direction: 'down', steps: Number.POSITIVE_INFINITY, tablePrefix });
      } finally {
        await close();
      }
    }
  }, 60_000);

  async function call(
    instance: Instance,
    method: string,
    path: string,
    init: { body?: unknown; cookie?: string; ip?: string } = {},
  ) {
    const response = await fetch(`${instance.url}${path}`, {
      method,
      headers: {
        origin: ORIGIN,
        'x-forwarded-for': init.ip ?? '198.51.100.1',
        ...(init.body ? { 'content-type': 'application/json' } : {}),
        ...(init.cookie ? { cookie: init.cookie } : {}),
      },
      body: init.body ? JSON.stringify(init.body) : undefined,
    });
    const setCookie = response.headers.getSetCookie()[0];
    return {
      status: response.status,
      cookie: setCookie?.split(';')[0],
      body: await response.json().catch(() => null),
    };
  }

  const email = () => `mi.${Date.now()}.${randomBytes(3).toString('hex')}@example.com`;
  const [a, b, c] = [0, 1, 2].map((i) => () => instances[i]!);

  it('rejects on B and C, within one second, a session revoked through A', async () => {
    const signup = await call(a(), 'POST', '/auth/signup', {
      body: { email: email(), password: PASSWORD },
      ip: '198.51.100.10',
    });
    expect(signup.status).toBe(201);
    for (const other of [b(), c()])
      expect((await call(other, 'GET', '/auth/session', { cookie: signup.cookie })).status).toBe(200);

    expect((await call(a(), 'POST', '/auth/logout', { cookie: signup.cookie })).status).toBe(204);
    const elapsed = await Promise.all(
      [a(), b(), c()].map((instance) =>
        waitFor(
          async () =>
            (await call(instance, 'GET', '/auth/session', { cookie: signup.cookie })).status === 401,
          1000,
        ),
      ),
    );
    expect(Math.max(...elapsed)).toBeLessThan(1000);
  });

  it(
    'enforces the sign-in rate limit across all three: the 21st attempt is refused wherever it lands',
    { timeout: 30_000 },
    async () => {
      const ip = '198.51.100.21';
      // limits use clock-aligned minute windows: do not start in the last seconds of one
      const intoWindowMs = Date.now() % 60_000;
      if (intoWindowMs > 55_000) await new Promise((r) => setTimeout(r, 60_500 - intoWindowMs));
      const statuses: number[] = [];
      for (let i = 0; i < 21; i++) {
        const target = instances[i % 3]!;
        statuses.push(
          (await call(target, 'POST', '/auth/login', { body: { email: email(), password: PASSWORD }, ip }))
            .status,
        );
      }
      expect(statuses.slice(0, 20).every((s) => s === 401)).toBe(true);
      expect(statuses[20]).toBe(429);
    },
  );

  it('keeps working while Redis is down, keeps revoked sessions revoked, and caches again once it is back', async () => {
    const account = email();
    const signup = await call(a(), 'POST', '/auth/signup', {
      body: { email: account, password: PASSWORD },
      ip: '198.51.100.30',
    });
    const second = await call(b(), 'POST', '/auth/login', {
      body: { email: account, password: PASSWORD },
      ip: '198.51.100.30',
    });
    expect((await call(c(), 'GET', '/auth/session', { cookie: second.cookie })).status).toBe(200);

    await stop(redis);
    redis = undefined;

    // sign-ins and session checks go on from the database
    const during = await call(c(), 'POST', '/auth/login', {
      body: { email: account, password: PASSWORD },
      ip: '198.51.100.31',
    });
    expect(during.status).toBe(200);
    for (const instance of instances) {
      expect((await call(instance, 'GET', '/auth/session', { cookie: during.cookie })).status).toBe(200);
    }
    // a revocation during the outage holds everywhere (the invalidation message is lost)
    expect((await call(a(), 'POST', '/auth/sessions/revoke-others', { cookie: signup.cookie })).status).toBe(
      200,
    );
    for (const instance of instances) {
      await waitFor(
        async () => (await call(instance, 'GET', '/auth/session', { cookie: second.cookie })).status === 401,
        1000,
      );
      await waitFor(
        async () => (await call(instance, 'GET', '/auth/session', { cookie: during.cookie })).status === 401,
        1000,
      );
    }

    redis = await startRedis(redisPort);
    const { Redis } = await import('ioredis');
    const probe = new Redis(redisPort, '127.0.0.1');
    try {
      // caching resumes: validations write cache entries into the restarted Redis again
      await waitFor(async () => {
        await call(b(), 'GET', '/auth/session', { cookie: signup.cookie });
        return (await probe.keys('pc:sc:*')).length > 0;
      }, 15_000);
      // and revocations propagate through it again
      expect((await call(a(), 'POST', '/auth/logout', { cookie: signup.cookie })).status).toBe(204);
      await waitFor(
        async () => (await call(c(), 'GET', '/auth/session', { cookie: signup.cookie })).status === 401,
        1000,
      );
    } finally {
      probe.disconnect();
    }
  }, 60_000);
});
