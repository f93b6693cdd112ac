export { toKyselyWhere } from './authorization/to-kysely-where.js';
export { cacheSqliteStatements } from './cache-sqlite-statements.js';
export {
  type CreateKyselyFromUrlOptions,
  createKyselyFromUrl,
  type KyselyConnection,
} from './create-kysely-from-url.js';
export { type KyselyStorageOptions, kyselyStorage } from './kysely-storage.js';
export {
  authorizationTables,
  type ColumnSpec,
  type ColumnType,
  type ForeignKeySpec,
  initialTables,
  type Migration,
  type MigrationContext,
  migrationChecksum,
  migrations,
  schemaTables,
  sqlType,
  type TableSpec,
} from './migrations/index.js';
export {
  checkMigrations,
  type MigrateOptions,
  type MigrateResult,
  type MigrationCheck,
  type MigrationOptions,
  type MigrationStatusEntry,
  migrate,
  migrationStatus,
} from './migrations/migrator.js';
export {
  type PreparePostgresStatementsOptions,
  preparePostgresStatements,
} from './prepare-postgres-statements.js';
export type { SqlDialect } from './sql-dialect.js';
export { DEFAULT_TABLE_PREFIX } from './table-prefix.js';
