/** `pc_` unless the host app picks another; the same default as the Kysely migrations. */
export const DEFAULT_TABLE_PREFIX = 'pc_';

const PREFIX_PATTERN = /^([a-z][a-z0-9_]{0,23})?$/;

/**
 * The prefix rule of the Kysely migrations (the source of truth for the schema): lower-case
 * letters, digits and `_`, starting with a letter, at most 24 characters, so every prefixed table
 * and index name stays within PostgreSQL's 63-character identifier limit.
 */
export function resolveTablePrefix(prefix: string | undefined): string {
  const value = prefix ?? DEFAULT_TABLE_PREFIX;
  if (!PREFIX_PATTERN.test(value)) {
    throw new Error(
      `@portcullis/adapter-drizzle: invalid tablePrefix ${JSON.stringify(value)} (lower-case letters, digits and _, starting with a letter, at most 24 characters)`,
    );
  }
  return value;
}
