import { customType, datetime } from 'drizzle-orm/mysql-core';

/**
 * A JSON value stored as `mediumtext` (the migrations' portable `json` type on MySQL): text JSON
 * on every database, so one schema maps onto every driver unchanged.
 */
export function jsonText<T>(name: string) {
  return customType<{ data: T; driverData: string }>({
    dataType: () => 'mediumtext',
    toDriver: (value) => JSON.stringify(value),
    fromDriver: (value) => JSON.parse(value) as T,
  })(name);
}

/**
 * `datetime(3)` holding UTC, read and written as a `Date`. Drizzle writes it as UTC text and its
 * mysql2 driver reads DATETIME columns as text, so the pool's `timezone` setting plays no part.
 */
export function utcTimestamp(name: string) {
  return datetime(name, { fsp: 3, mode: 'date' });
}
