import { customType, integer } from 'drizzle-orm/sqlite-core';

/**
 * A JSON value stored as `text` (the migrations' portable `json` type): the same bytes on every
 * database, so one schema maps onto every driver unchanged.
 */
export function jsonText<T>(name: string) {
  return customType<{ data: T; driverData: string }>({
    dataType: () => 'text',
    toDriver: (value) => JSON.stringify(value),
    fromDriver: (value) => JSON.parse(value) as T,
  })(name);
}

/**
 * `varchar(n)`, as the migrations declare it. SQLite gives it text affinity and does not enforce
 * the length; the declared type is kept so the table matches the migrated one exactly.
 */
export function varchar(name: string, config: { length: number }) {
  return customType<{ data: string; driverData: string; config: { length: number } }>({
    dataType: (options) => `varchar(${options?.length})`,
  })(name, config);
}

/** `bigint` (integer affinity), read as a JavaScript number. */
export function bigint(name: string) {
  return customType<{ data: number; driverData: number | bigint }>({
    dataType: () => 'bigint',
    fromDriver: (value) => Number(value),
  })(name);
}

/** `integer` holding epoch milliseconds, read and written as a `Date`. */
export function utcTimestamp(name: string) {
  return integer(name, { mode: 'timestamp_ms' });
}
