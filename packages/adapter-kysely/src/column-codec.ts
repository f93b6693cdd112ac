import type { SqlDialect } from './sql-dialect.js';

/**
 * How values cross the driver boundary, per dialect. Times: PostgreSQL `timestamptz(3)` (the
 * driver returns Dates), MySQL `datetime(3)` written as UTC text, SQLite integer epoch
 * milliseconds. JSON: text everywhere, so one schema maps onto every driver unchanged.
 */
export interface ColumnCodec {
  toDate(value: Date): unknown;
  toNullableDate(value: Date | null): unknown;
  fromDate(value: unknown): Date;
  fromNullableDate(value: unknown): Date | null;
  toJson(value: unknown): string;
  fromJson<T>(value: unknown): T;
  /** PostgreSQL `bigint` arrives as a string from pg. */
  fromInteger(value: unknown): number;
}

export function createColumnCodec(dialect: SqlDialect): ColumnCodec {
  const toDate = dialect === 'sqlite' ? toEpochMs : dialect === 'mysql' ? toMysqlUtc : (d: Date) => d;
  const fromDate = (value: unknown): Date => {
    if (value instanceof Date) return value;
    if (typeof value === 'number' || typeof value === 'bigint') return new Date(Number(value));
    if (typeof value === 'string') return parseTimestampText(value);
    throw new TypeError(`expected a date column value, got ${typeof value}`);
  };
  return {
    toDate,
    toNullableDate: (value) => (value === null ? null : toDate(value)),
    fromDate,
    fromNullableDate: (value) => (value === null || value === undefined ? null : fromDate(value)),
    toJson: (value) => JSON.stringify(value),
    fromJson: <T>(value: unknown): T => (typeof value === 'string' ? JSON.parse(value) : value) as T,
    fromInteger: (value) => Number(value),
  };
}

/**
 * Timestamps a driver hands back as text: MySQL with `dateStrings` (`2024-01-02 03:04:05.678`,
 * stored as UTC) or pg with its date parser turned off (`2024-01-02 03:04:05.678+00`).
 */
export function parseTimestampText(value: string): Date {
  const iso = value.trim().replace(' ', 'T');
  const offset = /(?:[zZ]|([+-]\d\d)(?::?(\d\d))?)$/.exec(iso.slice(19));
  if (!offset) return new Date(`${iso}Z`);
  if (offset[0].toUpperCase() === 'Z') return new Date(iso);
  const base = iso.slice(0, iso.length - offset[0].length);
  return new Date(`${base}${offset[1]}:${offset[2] ?? '00'}`);
}

function toEpochMs(date: Date): number {
  return date.getTime();
}

/** `YYYY-MM-DD HH:MM:SS.mmm` in UTC: independent of the connection's `timezone` setting. */
export function toMysqlUtc(date: Date): string {
  return date.toISOString().replace('T', ' ').replace('Z', '');
}
