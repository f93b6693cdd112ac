/**
 * `conflict`: a unique violation. `unavailable`: the database cannot be reached. `schema_missing`:
 * a table or column Portcullis uses does not exist (migrations not run, or not all of them).
 */
export type StorageErrorKind = 'conflict' | 'unavailable' | 'schema_missing';

/** PostgreSQL undefined_table / undefined_column; MySQL ER_NO_SUCH_TABLE / ER_BAD_FIELD_ERROR. */
const SCHEMA_MISSING_CODES = new Set(['42P01', '42703', 'ER_NO_SUCH_TABLE', 'ER_BAD_FIELD_ERROR']);
const SCHEMA_MISSING_ERRNOS = new Set([1146, 1054]);
// SQLite reports these as SQLITE_ERROR, told apart only by the message
const SCHEMA_MISSING_MESSAGES = [/no such table/i, /no such column/i, /has no column named/i];

const UNAVAILABLE_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'ENOTFOUND',
  'EHOSTUNREACH',
  'EPIPE',
  'PROTOCOL_CONNECTION_LOST',
  'PROTOCOL_SEQUENCE_TIMEOUT',
  'ER_CON_COUNT_ERROR',
  'SQLITE_BUSY',
  'SQLITE_CANTOPEN',
  '57P01', // admin_shutdown
  '57P03', // cannot_connect_now
  '53300', // too_many_connections
  '08000',
  '08001',
  '08003',
  '08006',
]);

const UNAVAILABLE_MESSAGES = [
  /connection terminated/i,
  /timeout exceeded when trying to connect/i,
  /connection (is )?closed/i,
  /can't add new command when connection is in closed state/i,
  /pool is (closed|ended|destroyed)/i,
  /the database connection is not open/i,
  /driver has already been destroyed/i,
  // ioredis, while disconnected
  /stream isn't writeable/i,
  /reached the max retries per request limit/i,
  /connection is closed/i,
];

/**
 * Recognizes the errors of the PostgreSQL (pg, PGlite), MySQL/MariaDB (mysql2) and SQLite
 * (better-sqlite3) drivers, looking through `cause` chains (ORMs wrap driver errors).
 */
export function classifyStorageError(error: unknown): StorageErrorKind | undefined {
  for (let e: unknown = error, depth = 0; e && typeof e === 'object' && depth < 5; depth++) {
    const err = e as { code?: unknown; errno?: unknown; message?: unknown; cause?: unknown };
    const code = typeof err.code === 'string' ? err.code : undefined;
    if (code === '23505' || code === 'ER_DUP_ENTRY' || err.errno === 1062) return 'conflict';
    if (code === 'SQLITE_CONSTRAINT_UNIQUE' || code === 'SQLITE_CONSTRAINT_PRIMARYKEY') return 'conflict';
    if (code && UNAVAILABLE_CODES.has(code)) return 'unavailable';
    if ((code && SCHEMA_MISSING_CODES.has(code)) || SCHEMA_MISSING_ERRNOS.has(err.errno as number))
      return 'schema_missing';
    const message = typeof err.message === 'string' ? err.message : '';
    if (/UNIQUE constraint failed/.test(message)) return 'conflict';
    if (SCHEMA_MISSING_MESSAGES.some((re) => re.test(message))) return 'schema_missing';
    if (UNAVAILABLE_MESSAGES.some((re) => re.test(message))) return 'unavailable';
    if (Array.isArray((err as { errors?: unknown }).errors)) {
      // AggregateError from net when every address was refused
      const inner = (err as { errors: unknown[] }).errors.map(classifyStorageError);
      if (inner.includes('unavailable')) return 'unavailable';
    }
    e = err.cause;
  }
  return undefined;
}
