import type { AuthorizationVersionStore, AuthorizationVersions } from '@portcullis/core/ports';
import { eq, inArray, sql } from 'drizzle-orm';
import { onDuplicateKeyUpdate } from './dialect-queries.js';
import type { StoreContext } from './store-context.js';

type Counter = 'rolesVersion' | 'policiesVersion';

export class DrizzleAuthorizationVersionStore implements AuthorizationVersionStore {
  constructor(private readonly ctx: StoreContext) {}

  async getVersions(tenantId: string): Promise<AuthorizationVersions> {
    const { db, tables } = this.ctx;
    const { authzVersions } = tables;
    const [row] = await db.select().from(authzVersions).where(eq(authzVersions.tenantId, tenantId));
    return { tenantId, roles: Number(row?.rolesVersion ?? 0), policies: Number(row?.policiesVersion ?? 0) };
  }

  async getVersionsMany(tenantIds: readonly string[]): Promise<AuthorizationVersions[]> {
    const { db, tables } = this.ctx;
    const { authzVersions } = tables;
    const unique = [...new Set(tenantIds)];
    if (unique.length === 0) return [];
    const rows = await db.select().from(authzVersions).where(inArray(authzVersions.tenantId, unique));
    const found = new Map(rows.map((row) => [row.tenantId, row]));
    return unique.map((tenantId) => {
      const row = found.get(tenantId);
      return { tenantId, roles: Number(row?.rolesVersion ?? 0), policies: Number(row?.policiesVersion ?? 0) };
    });
  }

  bumpRolesVersion(tenantId: string): Promise<number> {
    return this.#bump(tenantId, 'rolesVersion');
  }

  bumpPoliciesVersion(tenantId: string): Promise<number> {
    return this.#bump(tenantId, 'policiesVersion');
  }

  /** One upsert that adds 1 to the counter (or inserts the row with 1): atomic on every database. */
  async #bump(tenantId: string, counter: Counter): Promise<number> {
    const { authzVersions } = this.ctx.tables;
    const values = {
      tenantId,
      rolesVersion: counter === 'rolesVersion' ? 1 : 0,
      policiesVersion: counter === 'policiesVersion' ? 1 : 0,
    };
    const increment = { [counter]: sql`${authzVersions[counter]} + 1` };
    if (this.ctx.dialect !== 'mysql') {
      const [row] = await this.ctx.db
        .insert(authzVersions)
        .values(values)
        .onConflictDoUpdate({ target: authzVersions.tenantId, set: increment })
        .returning();
      return Number(row![counter]);
    }
    // MySQL has no RETURNING: the upsert's row lock holds until the re-read in the same transaction
    return this.ctx.transaction(async ({ db }) => {
      await onDuplicateKeyUpdate(db.insert(authzVersions).values(values), increment);
      const [row] = await db
        .select()
        .from(authzVersions)
        .where(eq(authzVersions.tenantId, tenantId))
        .for('update');
      return Number(row![counter]);
    });
  }
}
