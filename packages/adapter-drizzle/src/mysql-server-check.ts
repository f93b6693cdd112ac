import { sql } from 'drizzle-orm';
import type { MySqlDatabase } from 'drizzle-orm/mysql-core';

/**
 * Whether the MySQL/MariaDB server has `FOR UPDATE SKIP LOCKED`: MySQL ≥ 8.0.1, MariaDB ≥ 10.6.
 * (Times need no check here, unlike with Kysely: Drizzle writes DATETIME as UTC text and its
 * mysql2 driver reads DATETIME as text, whatever the pool's `timezone`.)
 */
// biome-ignore lint/suspicious/noExplicitAny: any driver and any app schema
export async function mysqlSupportsSkipLocked(db: MySqlDatabase<any, any, any, any>): Promise<boolean> {
  const result = (await db.execute(sql`select version() as version`)) as unknown as [{ version: string }[]];
  return supportsSkipLocked(String(result[0][0]?.version ?? ''));
}

export function supportsSkipLocked(version: string): boolean {
  const match = /^(\d+)\.(\d+)\.(\d+)/.exec(version);
  if (!match) return false;
  const [major, minor, patch] = [Number(match[1]), Number(match[2]), Number(match[3])];
  if (/mariadb/i.test(version)) return major > 10 || (major === 10 && minor >= 6);
  return major > 8 || (major === 8 && (minor > 0 || patch >= 1));
}
