// One rule for every adapter, so the Kysely and Drizzle adapters can share a database.
export { DEFAULT_TABLE_PREFIX, resolveTablePrefix } from '@portcullis/core/ports';
