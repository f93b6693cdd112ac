import { AuthError } from '../errors.js';

/** `pc_` unless the host app picks another. */
export const DEFAULT_TABLE_PREFIX = 'pc_';

const PREFIX_PATTERN = /^([a-z][a-z0-9_]{0,23})?$/;

/**
 * The table-prefix rule every SQL adapter shares (so one database can be used by either):
 * lower-case letters, digits and `_`, starting with a letter, at most 24 characters, so every
 * prefixed table and index name stays within PostgreSQL's 63-character identifier limit.
 * Throws `AuthError('config_invalid')` otherwise.
 */
export function resolveTablePrefix(prefix: string | undefined): string {
  const value = prefix ?? DEFAULT_TABLE_PREFIX;
  if (!PREFIX_PATTERN.test(value)) {
    throw new AuthError('config_invalid', {
      detail: `invalid tablePrefix ${JSON.stringify(value)} (lower-case letters, digits and _, starting with a letter, at most 24 characters)`,
    });
  }
  return value;
}
