import { toKyselyWhere } from '@portcullis/adapter-kysely';
import { resolveTablePrefix } from '@portcullis/core/ports';
import { sql } from 'kysely';

/**
 * @typedef {object} Document
 * @property {string} id UUIDv7, so ordering by id is ordering by creation.
 * @property {string} tenantId
 * @property {string} ownerId The author's user id.
 * @property {string} title
 * @property {string} body
 * @property {'private' | 'tenant'} visibility `tenant`: every member may read it; `private`: see access-rules.js.
 * @property {string} createdAt ISO 8601, UTC.
 * @property {string} updatedAt ISO 8601, UTC.
 */

/** The most documents one list returns (newest first). */
export const LIST_LIMIT = 100;

/**
 * Which resource attribute (`resource.ownerId` in a policy) lives in which column: what
 * `toKyselyWhere` needs to turn an authorization filter into SQL.
 */
const FILTER_COLUMNS = { ownerId: 'owner_id', visibility: 'visibility' };

/**
 * The app's own table, next to Portcullis's. It carries the same prefix (`pc_documents` by
 * default) because the prefix names one install: tests and instances sharing a database server
 * each use their own prefix, and must each see their own documents, not one shared table.
 * (`resolveTablePrefix` is the rule the SQL adapters share, hence from `@portcullis/core/ports`.)
 *
 * @param {string | undefined} tablePrefix
 */
export function documentsTableName(tablePrefix) {
  return `${resolveTablePrefix(tablePrefix)}documents`;
}

/**
 * Creates the documents table if it is missing. Idempotent, so it runs at every start, after
 * Portcullis's `migrate`. One schema for SQLite, PostgreSQL and MariaDB: ids are varchar(36) and
 * times ISO 8601 UTC text, which sorts like time everywhere and needs no per-driver conversion.
 * The primary key starts with tenant_id: every query names its tenant, so each is an index range.
 *
 * @param {import('kysely').Kysely<any>} db
 * @param {string} table
 */
export async function ensureDocumentsTable(db, table) {
  const create = db.schema
    .createTable(table)
    .ifNotExists()
    .addColumn('tenant_id', 'varchar(36)', (c) => c.notNull())
    .addColumn('id', 'varchar(36)', (c) => c.notNull())
    .addColumn('owner_id', 'varchar(36)', (c) => c.notNull())
    .addColumn('title', 'varchar(200)', (c) => c.notNull())
    .addColumn('body', 'text', (c) => c.notNull())
    .addColumn('visibility', 'varchar(10)', (c) => c.notNull())
    .addColumn('created_at', 'varchar(32)', (c) => c.notNull())
    .addColumn('updated_at', 'varchar(32)', (c) => c.notNull())
    .addPrimaryKeyConstraint(`${table}_pk`, ['tenant_id', 'id']);
  try {
    await create.execute();
  } catch (error) {
    // instances starting together race: PostgreSQL can fail one `create table if not exists`
    // with a duplicate-type error while the other's commits. The table existing is success.
    const exists = await sql`select 1 from ${sql.table(table)} where 1 = 0`.execute(db).then(
      () => true,
      () => false,
    );
    if (!exists) throw error;
  }
}

/**
 * The documents table, as the routes use it. Every method names its tenant; reads take the
 * authorization filter of the reader, so what a user may read is decided by the database in the
 * same query.
 *
 * @param {import('kysely').Kysely<any>} db
 * @param {string} table
 */
export function documentStore(db, table) {
  /** @param {Record<string, unknown>} row @returns {Document} */
  const toDocument = (row) => ({
    id: row.id,
    tenantId: row.tenant_id,
    ownerId: row.owner_id,
    title: row.title,
    body: row.body,
    visibility: row.visibility,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  });

  /** @param {string} tenantId @param {import('@portcullis/core/authorization').AuthorizationFilter} filter */
  const readable = (tenantId, filter) =>
    db
      .selectFrom(table)
      .selectAll()
      .where('tenant_id', '=', tenantId)
      .where((eb) => toKyselyWhere(eb, filter, FILTER_COLUMNS));

  return {
    /**
     * The tenant's newest documents the filter lets through, in one query.
     *
     * @param {string} tenantId
     * @param {import('@portcullis/core/authorization').AuthorizationFilter} filter
     * @returns {Promise<Document[]>}
     */
    async listReadable(tenantId, filter) {
      const rows = await readable(tenantId, filter).orderBy('id', 'desc').limit(LIST_LIMIT).execute();
      return rows.map(toDocument);
    },

    /**
     * The document, when it is in this tenant and the filter lets it through; else null.
     *
     * @param {string} tenantId
     * @param {string} id
     * @param {import('@portcullis/core/authorization').AuthorizationFilter} filter
     * @returns {Promise<Document | null>}
     */
    async findReadable(tenantId, id, filter) {
      const row = await readable(tenantId, filter).where('id', '=', id).executeTakeFirst();
      return row ? toDocument(row) : null;
    },

    /** @param {Document} document */
    async create(document) {
      await db
        .insertInto(table)
        .values({
          tenant_id: document.tenantId,
          id: document.id,
          owner_id: document.ownerId,
          title: document.title,
          body: document.body,
          visibility: document.visibility,
          created_at: document.createdAt,
          updated_at: document.updatedAt,
        })
        .execute();
    },

    /**
     * Applies the changed fields and returns the document as it is now, or null when it no
     * longer exists.
     *
     * @param {string} tenantId
     * @param {string} id
     * @param {{ title?: string, body?: string, visibility?: string, updatedAt: string }} patch
     * @returns {Promise<Document | null>}
     */
    async update(tenantId, id, patch) {
      const { updatedAt, ...fields } = patch;
      // read back in the same transaction: the result, or null when the row is gone
      return db.transaction().execute(async (tx) => {
        await tx
          .updateTable(table)
          .set({ ...fields, updated_at: updatedAt })
          .where('tenant_id', '=', tenantId)
          .where('id', '=', id)
          .execute();
        const row = await tx
          .selectFrom(table)
          .selectAll()
          .where('tenant_id', '=', tenantId)
          .where('id', '=', id)
          .executeTakeFirst();
        return row ? toDocument(row) : null;
      });
    },

    /** True when this call deleted the document. */
    async remove(tenantId, id) {
      const result = await db
        .deleteFrom(table)
        .where('tenant_id', '=', tenantId)
        .where('id', '=', id)
        .executeTakeFirst();
      return Number(result.numDeletedRows) > 0;
    },

    /**
     * How many documents the tenant has, by visibility (for the machine API's report, which a
     * client reads with the `reports:read` scope: no person, so no read filter).
     *
     * @param {string} tenantId
     * @returns {Promise<{ total: number, tenant: number, private: number }>}
     */
    async countByVisibility(tenantId) {
      const rows = await db
        .selectFrom(table)
        .select(['visibility', (eb) => eb.fn.countAll().as('count')])
        .where('tenant_id', '=', tenantId)
        .groupBy('visibility')
        .execute();
      const counts = { total: 0, tenant: 0, private: 0 };
      for (const row of rows) {
        // PostgreSQL's and MySQL's count() come back as strings (bigint)
        const count = Number(row.count);
        counts.total += count;
        if (row.visibility === 'tenant' || row.visibility === 'private') counts[row.visibility] += count;
      }
      return counts;
    },
  };
}
