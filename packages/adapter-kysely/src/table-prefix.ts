/** `pc_` unless the host app picks another. */
export const DEFAULT_TABLE_PREFIX = 'pc_';

const PREFIX_PATTERN = /^([a-z][a-z0-9_]{0,23})?$/;

/**
 * Lower-case letters, digits and `_`, at most 24 characters: prefixed names then stay unquoted-
 * safe and within PostgreSQL's 63-character identifier limit on every table and index.
 */
export function resolveTablePrefix(prefix: string | undefined): string {
  const value = prefix ?? DEFAULT_TABLE_PREFIX;
  if (!PREFIX_PATTERN.test(value)) {
    throw new Error(
      `@portcullis/adapter-kysely: invalid tablePrefix ${JSON.stringify(value)} (lower-case letters, digits and _, starting with a letter, at most 24 characters)`,
    );
  }
  return value;
}
