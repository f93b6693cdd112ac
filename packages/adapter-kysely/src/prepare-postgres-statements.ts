import { createHash, randomBytes } from 'node:crypto';
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
 * and again run as named (protocol-level) prepared statements: PostgreSQL parses each text once
 * per connection instead of on every call, and after a few runs reuses a generic plan, which
 * saves most of what a small indexed query costs the server. `createKyselyFromUrl` applies it to
 * every PostgreSQL pool it opens.
 *
 * - A text is prepared from the second time it is seen, so one-off statements (migrations,
 *   batch inserts of a new size) do not take a slot; at most `maxStatements` texts are named.
 *   Texts without parameters, or with a `;` (possibly several statements), are never named.
 * - The name is a hash of the text, so wrappers sharing one pool agree on it.
 * - A connection that may have lost a statement pg thinks it prepared (after `DEALLOCATE`,
 *   `DISCARD ALL`, or a client-side error in a named query) is closed when released.
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
  // renamed statements carry this wrapper's id and a count, so no two renames share a name
  const wrapperId = randomBytes(4).toString('hex');
  let renames = 0;

  /** The name for a text not named yet, if it should get one now. */
  function nameAnew(text: string, parameterCount: number): string | undefined {
    // without parameters pg sends the simple protocol, which also runs `a; b`: a prepared
    // statement cannot hold two, so such texts stay unnamed
    if (parameterCount === 0 || names.size >= maxStatements || !DATA_STATEMENT.test(text)) return undefined;
    if (text.includes(';')) return undefined;
    if (!seenOnce.delete(text)) {
      seenOnce.add(text);
      if (seenOnce.size > SEEN_ONCE_LIMIT) seenOnce.delete(seenOnce.values().next().value as string);
      return undefined;
    }
    const fresh = `pc_${digest(text)}`;
    names.set(text, fresh);
    return fresh;
  }

  /** A new name for a text whose statement went stale on the connections that prepared it. */
  function rename(text: string): string {
    const renamed = `pc_${digest(text)}_${wrapperId}_${++renames}`;
    names.set(text, renamed);
    return renamed;
  }

  const wrapped = new WeakMap<PostgresPoolClient, PostgresPoolClient>();

  function wrap(client: PostgresPoolClient): PostgresPoolClient {
    const named = client as unknown as NamedQueryClient;
    let inTransaction = false;
    // set when the server may no longer hold a statement pg believes it prepared: the
    // connection is then closed on release instead of going back to the pool
    let broken = false;
    async function query(text: string, parameters: ReadonlyArray<unknown>) {
      let name = names.get(text);
      if (name === undefined) {
        // only unnamed texts can be transaction control
        trackTransaction(text);
        name = nameAnew(text, parameters.length);
      }
      if (name === undefined) return client.query(text, parameters);
      const values = [...parameters];
      try {
        return await named.query({ name, text, values });
      } catch (error) {
        if (isResultTypeChange(error)) {
          // the old name keeps its stale plan on every connection that prepared it: use a new one
          const renamed = rename(text);
          // outside a transaction nothing ran yet; inside one, the refusal aborted it
          if (inTransaction) throw error;
          return named.query({ name: renamed, text, values });
        }
        // "prepared statement does not exist" (a DEALLOCATE, DISCARD ALL), or an error in the
        // client before the statement ran (pg may then close the statement but not forget it)
        if (!isSqlState(error) || sqlState(error) === '26000') broken = true;
        throw error;
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
      release: (error?: unknown) => {
        // read at each release: pg-pool gives a client a new `release` at every checkout, and
        // closes a client released with an error
        const release = client.release as (error?: unknown) => void;
        release.call(client, broken ? new Error('a prepared statement of this connection was lost') : error);
      },
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

function digest(text: string): string {
  return createHash('sha256').update(text).digest('base64url').slice(0, 24);
}

function sqlState(error: unknown): unknown {
  return (error as { code?: unknown } | null)?.code;
}

/** A server error carries a five-character SQLSTATE; a client-side one does not. */
function isSqlState(error: unknown): boolean {
  const code = sqlState(error);
  return typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code);
}

/**
 * PostgreSQL's refusal of a prepared statement whose result columns changed. Its message is
 * translated on servers with another `lc_messages`, so the code and the routine decide.
 */
function isResultTypeChange(error: unknown): boolean {
  if (sqlState(error) !== '0A000') return false;
  const { routine, message } = error as { routine?: unknown; message?: unknown };
  return (
    routine === 'RevalidateCachedQuery' ||
    (typeof message === 'string' && message.includes(RESULT_TYPE_CHANGED))
  );
}
