import { createHash } from 'node:crypto';
import type { AnyKysely } from '../kysely-types.js';
import type { SqlDialect } from '../sql-dialect.js';

export interface MigrationContext {
  /** On PostgreSQL and SQLite, the migration's transaction; on MySQL, the locked connection. */
  db: AnyKysely;
  dialect: SqlDialect;
  tablePrefix: string;
}

/**
 * One schema version. `definition` is what the checksum covers: a canonical description of
 * what `up` and `down` do (a declarative table list, or a version string bumped by hand with
 * every change), so an edited migration that was already applied is caught before anything runs.
 */
export interface Migration {
  /** Sortable and unique: `0001_initial`, `0002_passkeys`... */
  id: string;
  definition: string;
  up(context: MigrationContext): Promise<void>;
  down(context: MigrationContext): Promise<void>;
}

/** sha256 hex of the migration's id and definition; independent of dialect and table prefix. */
export function migrationChecksum(migration: Migration): string {
  return createHash('sha256').update(`${migration.id}\n${migration.definition}`, 'utf8').digest('hex');
}
