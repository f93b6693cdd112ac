import { kyselyStorage, migrate } from '@portcullis/adapter-kysely';
import { type Auth, createAuth, type Logger } from '@portcullis/core';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  describeDatabase,
  randomTablePrefix,
  sqliteFileDatabase,
  type TestConnection,
} from './support/test-databases.js';

// DESIGN §4.1 for API keys: after every API key feature has run (create, verify and its refusals,
// rotation, revocation, an owner leaving, the batched last-use write), no raw key is in any row of
// any table, nor in any log line.

describeDatabase(sqliteFileDatabase(), (database) => {
  describe(`API keys leave no secret behind (kysely + ${database.name})`, () => {
    const tablePrefix = randomTablePrefix();
    const lines: string[] = [];
    const capture = (level: string) => (fields: Record<string, unknown>, message?: string) =>
      void lines.push(JSON.stringify({ level, message, ...fields }));
    const logger: Logger = {
      debug: capture('debug'),
      info: capture('info'),
      warn: capture('warn'),
      error: capture('error'),
    };
    let connection: TestConnection;
    let auth: Auth;

    beforeAll(async () => {
      connection = await database.connect();
      await migrate(connection.db, { direction: 'up', tablePrefix });
      auth = createAuth({
        storage: kyselyStorage(connection.db, { tablePrefix }),
        secret: 'test-secret-0123456789-abcdefghijklmnop',
        baseURL: 'http://localhost:3000',
        logger,
        outbox: { autoStart: false },
        rateLimit: { enabled: false },
        authorization: { permissions: { invoice: ['read'] } },
      });
    });

    afterAll(async () => {
      await migrate(connection.db, { direction: 'down', tablePrefix, steps: Number.POSITIVE_INFINITY });
      await connection.close();
    });

    it('keeps no raw key in any row or log line', async () => {
      const owner = (await auth.api.signUp({
        email: `o.${Date.now()}@example.com`,
        password: 'correct horse battery',
      })) as {
        user: { id: string };
      };
      const member = (await auth.api.signUp({
        email: `m.${Date.now()}@example.com`,
        password: 'correct horse battery',
      })) as {
        user: { id: string };
      };
      const tenant = await auth.api.createTenant(owner.user.id, { slug: `s-${Date.now()}`, name: 'S' });
      const invitation = await auth.api.createInvitation(tenant.id, owner.user.id, { roles: ['admin'] });
      await auth.api.acceptInvitation(member.user.id, invitation.token);

      const keys: string[] = [];
      const created = await auth.api.createApiKey(tenant.id, owner.user.id, {
        name: 'a',
        permissions: ['invoice.read'],
        environment: 'test',
      });
      keys.push(created.key);
      const tenantOwned = await auth.api.createApiKey(tenant.id, owner.user.id, {
        name: 'b',
        permissions: ['invoice.read'],
        owner: 'tenant',
        constraints: { cidr: [{ ref: 'context.ip' }, '10.0.0.0/8'] },
      });
      keys.push(tenantOwned.key);
      const members = await auth.api.createApiKey(tenant.id, member.user.id, {
        name: 'c',
        permissions: ['member.read'],
      });
      keys.push(members.key);

      for (const key of keys) await auth.api.verifyApiKey(key).catch(() => {});
      await auth.api.verifyApiKey(created.key, { environment: 'live' }).catch(() => {});
      await auth.api.verifyApiKey(`${created.key.slice(0, -1)}0`).catch(() => {});
      const rotated = await auth.api.rotateApiKey(tenant.id, owner.user.id, created.apiKey.id, {
        overlapSeconds: 60,
      });
      keys.push(rotated.key);
      await auth.api.verifyApiKey(rotated.key);
      await auth.api.revokeApiKey(tenant.id, owner.user.id, created.apiKey.id);
      await auth.api.verifyApiKey(created.key).catch(() => {});
      await auth.api.removeMember(tenant.id, owner.user.id, member.user.id);
      await auth.api.verifyApiKey(members.key).catch(() => {});
      await auth.api.listApiKeys(tenant.id, owner.user.id);
      while ((await auth.outbox.dispatchOnce()) > 0);
      await auth.close(); // writes the last uses

      const tables = await sql<{
        name: string;
      }>`select name from sqlite_master where type = 'table' and name like ${`${tablePrefix}%`}`.execute(
        connection.db,
      );
      expect(tables.rows.map((t) => t.name)).toContain(`${tablePrefix}api_keys`);
      let rows = '';
      for (const { name } of tables.rows) {
        rows += JSON.stringify((await sql`select * from ${sql.table(name)}`.execute(connection.db)).rows);
      }
      const logs = lines.join('\n');
      // the stored uses prove the batch was written, and the rows were read
      expect(rows).toContain('api_key.rotated');
      for (const key of keys) {
        const secretPart = key.slice(key.lastIndexOf('_') + 1, -4);
        expect(rows).not.toContain(secretPart);
        expect(logs).not.toContain(secretPart);
      }
    });
  });
});
