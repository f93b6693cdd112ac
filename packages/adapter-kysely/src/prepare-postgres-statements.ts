import { createHash } from 'node:crypto';
import type { PostgresCursor, PostgresPool, PostgresPoolClient, PostgresQueryResult } from 'kysely';

/** How many SQL texts {@link preparePostgresStatements} names unless told otherwise. */
const DEFAULT_MAX_STATEMENTS = 500;

/** How many texts seen once are remembered, waiting for a second sighting (oldest forgotten first). */
const SEEN_ONCE_LIMIT = 1_000;

/** Statements worth preparing: the data statements Kysely sends, not DDL or transaction control. */
const DATA_STATEMENT = /^\s*(select|insert|update|delete|with)\b/i;

/** PostgreSQL's answer when a prepared statement's result columns changed under it (a migration). */
const RESULT_TYPE_CHANGED = 'cached plan must not change result type';

export interface PreparePostgresStatementsOptions {
  /**
   * How many distinct SQL texts get a server-side prepared statement (default 500). Each
   * connection keeps every statement it prepared until it closes, so this bounds the memory
   * they take on the server. Texts past the limit run unnamed, as without the wrapper.
   */
  maxStatements?: number;
}

/** The part of a pg `Client` the wrapper calls: `query` with a query config. */
interface NamedQueryClient {
  query(config: { name: string; text: string; values: unknown[] }): Promise<PostgresQueryResult<unknown>>;
}

/**
 * Wraps a pg `Pool` for Kysely's `PostgresDialect` so that the data statements it sends again
 * and again run as named (protocol-level) prepared statements: PostgreSQL parses and plans each
 * text once per connection instead of on every call, which is most of what a small indexed
 * query costs the server. `createKyselyFromUrl` applies it to every PostgreSQL pool it opens.
 *
 * - A text is prepared from the second time it is seen, so one-off statements (migrations,
 *   batch inserts of a new size) do not take a slot; at most `maxStatements` texts are named.
 * - The name is a hash of the text, so wrappers sharing one pool agree on it.
 * - When a migration changes the columns a prepared statement returns, PostgreSQL refuses it
 *   once ("cached plan must not change result type"). The wrapper then names that text anew,
 *   and, outside a transaction, runs it again at once; inside one, that transaction fails and the
 *   next attempt prepares afresh.
 *
 * Named statements work through PgBouncer in transaction mode from version 1.21 with
 * `max_prepared_statements` above 0 (the default since 1.24). Behind an older pooler, pass
 * the pg pool to `PostgresDialect` directly.
 *
 * @param pool a pg `Pool` (or anything with its `connect` and `end`)
 * @example
 * import pg from 'pg'
 * import { Kysely, PostgresDialect } from 'kysely'
 * import { preparePostgresStatements } from '@portcullis/adapter-kysely'
 *
 * const pool = new pg.Pool({ connectionString: process.env.DATABASE_URL, connectionTimeoutMillis: 5_000 })
 * const db = new Kysely<any>({ dialect: new PostgresDialect({ pool: preparePostgresStatements(pool) }) })
 */
export function preparePostgresStatements(
  pool: PostgresPool,
  options: PreparePostgresStatementsOptions = {},
): PostgresPool {
  const maxStatements = options.maxStatements ?? DEFAULT_MAX_STATEMENTS;
  if (!Number.isInteger(maxStatements) || maxStatements < 1) {
    throw new RangeError(`maxStatements must be a positive integer, got ${maxStatements}`);
  }
  const names = new Map<string, string>();
  // texts seen once, oldest first; bounded so that a stream of one-off texts cannot grow it
  const seenOnce = new Set<string>();
  let generation = 0;

  /** The name for a text not named yet, if it should get one now. */
  function nameAnew(text: string): string | undefined {
    if (names.size >= maxStatements || !DATA_STATEMENT.test(text)) return undefined;
    if (!seenOnce.delete(text)) {
      seenOnce.add(text);
      if (seenOnce.size > SEEN_ONCE_LIMIT) seenOnce.delete(seenOnce.values().next().value as string);
      return undefined;
    }
    const fresh = newName(text);
    names.set(text, fresh);
    return fresh;
  }

  function newName(text: string): string {
    const digest = createHash('sha256').update(text).digest('base64url').slice(0, 24);
    return generation === 0 ? `pc_${digest}` : `pc_${digest}_${generation}`;
  }

  const wrapped = new WeakMap<PostgresPoolClient, PostgresPoolClient>();

  function wrap(client: PostgresPoolClient): PostgresPoolClient {
    const named = client as unknown as NamedQueryClient;
    let inTransaction = false;
    async function query(text: string, parameters: ReadonlyArray<unknown>) {
      let name = names.get(text);
      if (name === undefined) {
        // only unnamed texts can be transaction control
        trackTransaction(text);
        name = nameAnew(text);
      }
      if (name === undefined) return client.query(text, parameters);
      const values = [...parameters];
      try {
        return await named.query({ name, text, values });
      } catch (error) {
        if (!isResultTypeChange(error)) throw error;
        // the old name keeps its stale plan on every connection that prepared it: use a new one
        generation++;
        const renamed = newName(text);
        names.set(text, renamed);
        if (inTransaction) throw error;
        return named.query({ name: renamed, text, values });
      }
    }
    function trackTransaction(text: string): void {
      const words = /^\s*(\w+)(?:\s+(\w+))?/.exec(text);
      const command = words?.[1]?.toLowerCase();
      if (command === 'begin' || command === 'start') inTransaction = true;
      else if (command === 'commit' || command === 'end' || command === 'abort') inTransaction = false;
      // `rollback to savepoint` stays inside the transaction
      else if (command === 'rollback') inTransaction = words?.[2]?.toLowerCase() === 'to';
    }
    return {
      query: ((textOrCursor: string | PostgresCursor<unknown>, parameters?: ReadonlyArray<unknown>) =>
        typeof textOrCursor === 'string'
          ? query(textOrCursor, parameters ?? [])
          : client.query(textOrCursor)) as PostgresPoolClient['query'],
      release: (...args: unknown[]) => (client.release as (...a: unknown[]) => void)(...args),
    };
  }

  return {
    async connect() {
      const client = await pool.connect();
      let wrapper = wrapped.get(client);
      if (wrapper === undefined) {
        wrapper = wrap(client);
        wrapped.set(client, wrapper);
      }
      return wrapper;
    },
    end: () => pool.end(),
  };
}

function isResultTypeChange(error: unknown): boolean {
  return error instanceof Error && error.message.includes(RESULT_TYPE_CHANGED);
}
