import { createHash } from 'node:crypto';
import { sql } from 'kysely';
import type { AnyKysely } from '../kysely-types.js';
import type { SqlDialect } from '../sql-dialect.js';

const MYSQL_LOCK_TIMEOUT_SECONDS = 60;

/**
 * Runs `fn` while holding the migration lock of this table prefix, so two processes migrating at
 * once apply each migration once. What `fn` receives and how it commits depends on the database:
 *
 * - PostgreSQL: one transaction holding `pg_advisory_xact_lock`; DDL is transactional, so the
 *   whole run commits or rolls back together and the lock ends with it.
 * - MySQL/MariaDB: one connection holding `GET_LOCK` (DDL commits implicitly, so there is no
 *   enclosing transaction); released with `RELEASE_LOCK`, or when the connection dies.
 * - SQLite: one connection inside `BEGIN IMMEDIATE`, which takes the database's write lock;
 *   the run commits or rolls back together.
 */
export async function withMigrationLock<T>(
  db: AnyKysely,
  dialect: SqlDialect,
  tablePrefix: string,
  fn: (db: AnyKysely) => Promise<T>,
): Promise<T> {
  const digest = createHash('sha256').update(`portcullis-migrate:${tablePrefix}`).digest();
  if (dialect === 'postgres') {
    const key = digest.readBigInt64BE(0).toString();
    return db.transaction().execute(async (trx) => {
      await sql`select pg_advisory_xact_lock(${key}::bigint)`.execute(trx);
      return fn(trx);
    });
  }
  if (dialect === 'mysql') {
    const name = `portcullis_migrate_${digest.toString('hex').slice(0, 32)}`;
    return db.connection().execute(async (conn) => {
      const { rows } = await sql<{
        acquired: number | null;
      }>`select get_lock(${name}, ${MYSQL_LOCK_TIMEOUT_SECONDS}) as acquired`.execute(conn);
      if (Number(rows[0]?.acquired) !== 1) {
        throw new Error(`could not take the migration lock within ${MYSQL_LOCK_TIMEOUT_SECONDS} s`);
      }
      try {
        return await fn(conn);
      } finally {
        // a failed release must not hide fn's error; the server frees the lock with the connection
        await sql`select release_lock(${name})`.execute(conn).catch(() => undefined);
      }
    });
  }
  return db.connection().execute(async (conn) => {
    await sql`begin immediate`.execute(conn);
    try {
      const result = await fn(conn);
      await sql`commit`.execute(conn);
      return result;
    } catch (error) {
      // SQLite may already have rolled back on its own (SQLITE_FULL, ...): keep the first error
      await sql`rollback`.execute(conn).catch(() => undefined);
      throw error;
    }
  });
}
