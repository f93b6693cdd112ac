import { migration0001Initial } from './0001-initial.js';
import type { Migration } from './migration.js';

/** Every migration, in the order they apply. Append only: never edit or reorder a shipped one. */
export const migrations: readonly Migration[] = [migration0001Initial];

export { initialTables } from './0001-initial.js';
export { type Migration, type MigrationContext, migrationChecksum } from './migration.js';
export {
  type ColumnSpec,
  type ColumnType,
  type ForeignKeySpec,
  sqlType,
  type TableSpec,
} from './table-spec.js';
