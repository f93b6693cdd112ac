import type { AuthorizationVersionStore, AuthorizationVersions } from '@portcullis/core/ports';
import { sql } from 'kysely';
import { inTransaction, type StoreContext } from './store-context.js';

type VersionColumn = 'roles_version' | 'policies_version';

export class KyselyAuthorizationVersionStore implements AuthorizationVersionStore {
  constructor(private readonly ctx: StoreContext) {}

  async getVersions(tenantId: string): Promise<AuthorizationVersions> {
    const { db, tables, codec } = this.ctx;
    const row = await db
      .selectFrom(tables.authzVersions)
      .select(['roles_version', 'policies_version'])
      .where('tenant_id', '=', tenantId)
      .executeTakeFirst();
    return {
      tenantId,
      roles: row ? codec.fromInteger(row.roles_version) : 0,
      policies: row ? codec.fromInteger(row.policies_version) : 0,
    };
  }

  async getVersionsMany(tenantIds: readonly string[]): Promise<AuthorizationVersions[]> {
    const { db, tables, codec } = this.ctx;
    const unique = [...new Set(tenantIds)];
    if (unique.length === 0) return [];
    const rows = await db
      .selectFrom(tables.authzVersions)
      .select(['tenant_id', 'roles_version', 'policies_version'])
      .where('tenant_id', 'in', unique)
      .execute();
    const found = new Map(rows.map((row) => [row.tenant_id, row]));
    return unique.map((tenantId) => {
      const row = found.get(tenantId);
      return {
        tenantId,
        roles: row ? codec.fromInteger(row.roles_version) : 0,
        policies: row ? codec.fromInteger(row.policies_version) : 0,
      };
    });
  }

  bumpRolesVersion(tenantId: string): Promise<number> {
    return this.#bump(tenantId, 'roles_version');
  }

  bumpPoliciesVersion(tenantId: string): Promise<number> {
    return this.#bump(tenantId, 'policies_version');
  }

  /** One upsert that adds 1 to the column (or inserts the row with 1): atomic on every database. */
  async #bump(tenantId: string, column: VersionColumn): Promise<number> {
    const { tables, codec, dialect } = this.ctx;
    const values = {
      tenant_id: tenantId,
      roles_version: column === 'roles_version' ? 1 : 0,
      policies_version: column === 'policies_version' ? 1 : 0,
    };
    // PostgreSQL names the existing row by its table; SQLite takes the bare column
    const increment =
      dialect === 'postgres'
        ? sql`${sql.ref(`${tables.authzVersions}.${column}`)} + 1`
        : sql`${sql.ref(column)} + 1`;
    if (dialect !== 'mysql') {
      const row = await this.ctx.db
        .insertInto(tables.authzVersions)
        .values(values)
        .onConflict((oc) => oc.column('tenant_id').doUpdateSet({ [column]: increment }))
        .returning(column)
        .executeTakeFirstOrThrow();
      return codec.fromInteger(row[column]);
    }
    // MySQL has no RETURNING: the upsert's row lock holds until the re-read in the same transaction
    return inTransaction(this.ctx, async ({ db }) => {
      await db
        .insertInto(tables.authzVersions)
        .values(values)
        .onDuplicateKeyUpdate({ [column]: sql`${sql.ref(column)} + 1` })
        .execute();
      const row = await db
        .selectFrom(tables.authzVersions)
        .select(column)
        .where('tenant_id', '=', tenantId)
        .forUpdate()
        .executeTakeFirstOrThrow();
      return codec.fromInteger(row[column]);
    });
  }
}
