import { createKyselyFromUrl, kyselyStorage, migrate } from '@portcullis/adapter-kysely';
import { createAuth, silentLogger } from '@portcullis/core';
import { it } from 'vitest';

it('probe', async () => {
  const c = await createKyselyFromUrl(process.env.PORTCULLIS_TEST_POSTGRES_URL!);
  const tablePrefix = 'probe' + Math.floor(Math.random() * 1e6) + '_';
  await migrate(c.db, { direction: 'up', tablePrefix });
  const auth = createAuth({
    storage: kyselyStorage(c.db, { tablePrefix }),
    secret: 'test-secret-0123456789-abcdefghijklmnop',
    baseURL: 'http://localhost:3000',
    logger: silentLogger,
    outbox: { autoStart: false },
    mailer: { send: async () => {} },
  });
  const send = async (path: string, body: unknown, cookie?: string) => {
    const r = await auth.handler(
      new Request('http://localhost:3000/auth' + path, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          origin: 'http://localhost:3000',
          ...(cookie ? { cookie } : {}),
        },
        body: JSON.stringify(body),
      }),
    );
    return [r.status, (await r.text()).slice(0, 200), r.headers.getSetCookie()[0]?.split(';')[0]];
  };
  console.log(await send('/password/forgot', { email: 'a\u0000b@example.com' }));
  console.log(await send('/password/forgot', { email: 'İ'.repeat(200) + '@example.com' }));
  console.log(await send('/magic-link', { email: 'a\u0000b@example.com' }));
  console.log(
    await send('/signup', {
      email: 'x@example.com',
      password: 'correct horse battery staple',
      name: 'a\u0000b',
    }),
  );
  console.log(
    await send('/login', {
      email: 'x@example.com',
      password: 'correct horse battery staple',
      tenant: 'a\u0000b',
    }),
  );
  const s = await send('/signup', { email: 'y@example.com', password: 'correct horse battery staple' });
  console.log(await send('/tenants', { slug: 'abc', name: 'A\u0000B' }, s[2] as string));
  console.log(
    await send('/tenants', { slug: 'abd', name: 'A', metadata: { 'k\u0000': 'v\u0000' } }, s[2] as string),
  );
  const r = await auth.handler(
    new Request('http://localhost:3000/auth/tenants/a%00b', { headers: { cookie: s[2] as string } }),
  );
  console.log(r.status, await r.text());
  await auth.close();
  await migrate(c.db, { direction: 'down', tablePrefix, steps: Infinity });
  await c.close();
}, 60000);
