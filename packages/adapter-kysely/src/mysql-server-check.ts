import { AuthError } from '@portcullis/core/ports';
import { sql } from 'kysely';
import type { AnyKysely } from './kysely-types.js';

export interface MysqlServerFacts {
  skipLocked: boolean;
}

/**
 * Asks a MySQL/MariaDB server once for what the adapter must know: whether it has
 * `SKIP LOCKED` (MySQL ≥ 8.0.1, MariaDB ≥ 10.6), and whether the mysql2 pool reads DATETIME
 * as UTC. Times are written as UTC text; a pool left at `timezone: 'local'` on a host that is
 * not on UTC would read them back shifted, so that is refused rather than silently wrong.
 */
export async function checkMysqlServer(db: AnyKysely): Promise<MysqlServerFacts> {
  const { rows } = await sql<{
    version: string;
    probe: unknown;
  }>`select version() as version, cast('2000-01-01 00:00:00.000' as datetime(3)) as probe`.execute(db);
  const row = rows[0];
  const probe = row?.probe;
  const readsUtc =
    typeof probe === 'string' || (probe instanceof Date && probe.getTime() === Date.UTC(2000, 0, 1));
  if (!readsUtc) {
    throw new AuthError('config_invalid', {
      detail: "the mysql2 pool must be created with timezone: 'Z' (Portcullis stores times in UTC)",
    });
  }
  return { skipLocked: supportsSkipLocked(String(row?.version ?? '')) };
}

export function supportsSkipLocked(version: string): boolean {
  const match = /^(\d+)\.(\d+)\.(\d+)/.exec(version);
  if (!match) return false;
  const [major, minor, patch] = [Number(match[1]), Number(match[2]), Number(match[3])];
  if (/mariadb/i.test(version)) return major > 10 || (major === 10 && minor >= 6);
  return major > 8 || (major === 8 && (minor > 0 || patch >= 1));
}
