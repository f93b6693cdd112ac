export { toDrizzleWhere } from './authorization/to-drizzle-where.js';
export type { DrizzleDatabase, DrizzleDialect } from './drizzle-dialect.js';
export { type DrizzleStorageOptions, drizzleStorage } from './drizzle-storage.js';
export { DEFAULT_TABLE_PREFIX } from './table-prefix.js';
