import { customType, timestamp } from 'drizzle-orm/pg-core';

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

/** `timestamptz(3)`, read and written as a `Date`. */
export function utcTimestamp(name: string) {
  return timestamp(name, { precision: 3, withTimezone: true, mode: 'date' });
}
