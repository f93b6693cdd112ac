import type { AuditChainHead, AuditEvent, AuditEventInput, AuditQuery, AuditStore } from '@portcullis/core';
import { sql } from 'kysely';
import type { ColumnCodec } from '../column-codec.js';
import type { Row } from '../kysely-types.js';
import { inTransaction, type StoreContext } from './store-context.js';

export class KyselyAuditStore implements AuditStore {
  constructor(private readonly ctx: StoreContext) {}

  append(
    event: AuditEventInput,
    seal: (head: AuditChainHead, event: AuditEventInput) => string,
  ): Promise<AuditEvent> {
    return inTransaction(this.ctx, async ({ db, tables, codec }) => {
      const { chainKey } = event;
      const head = await lockChainHead(this.ctx.dialect === 'mysql', db, tables.auditChainHeads, chainKey);
      const entry: AuditEvent = { ...event, seq: head.seq + 1, prevHash: head.hash, hash: seal(head, event) };
      const insert = db.insertInto(tables.auditEvents).values({
        id: entry.id,
        tenant_id: entry.tenantId,
        chain_key: chainKey,
        seq: entry.seq,
        actor_type: entry.actorType,
        actor_id: entry.actorId,
        impersonator_id: entry.impersonatorId,
        action: entry.action,
        target_type: entry.targetType,
        target_id: entry.targetId,
        ip: entry.ip,
        user_agent: entry.userAgent,
        request_id: entry.requestId,
        data: codec.toJson(entry.data),
        created_at: codec.toDate(entry.createdAt),
        prev_hash: entry.prevHash,
        hash: entry.hash,
      });
      if (this.ctx.dialect === 'postgres') {
        // one round trip instead of two: PostgreSQL runs a data-modifying CTE with the statement
        await db
          .with('appended', () => insert)
          .updateTable(tables.auditChainHeads)
          .set({ hash: entry.hash })
          .where('chain_key', '=', chainKey)
          .execute();
      } else {
        await insert.execute();
        await db
          .updateTable(tables.auditChainHeads)
          .set({ hash: entry.hash })
          .where('chain_key', '=', chainKey)
          .execute();
      }
      return entry;
    });
  }

  async list(chainKey: string, query: AuditQuery): Promise<AuditEvent[]> {
    const { db, tables, codec } = this.ctx;
    let select = db.selectFrom(tables.auditEvents).selectAll().where('chain_key', '=', chainKey);
    if (query.beforeSeq !== undefined) select = select.where('seq', '<', query.beforeSeq);
    if (query.action !== undefined) select = select.where('action', '=', query.action);
    const rows = await select.orderBy('seq', 'desc').limit(query.limit).execute();
    return rows.map((row) => toAuditEvent(row, codec));
  }

  async listChain(chainKey: string, afterSeq: number, limit: number): Promise<AuditEvent[]> {
    const { db, tables, codec } = this.ctx;
    const rows = await db
      .selectFrom(tables.auditEvents)
      .selectAll()
      .where('chain_key', '=', chainKey)
      .where('seq', '>', afterSeq)
      .orderBy('seq', 'asc')
      .limit(limit)
      .execute();
    return rows.map((row) => toAuditEvent(row, codec));
  }
}

/**
 * Claims the next position of the chain and returns the head before it. One upsert creates the
 * head on the chain's first entry or bumps `seq`, which takes the head row's write lock until the
 * transaction ends: concurrent appends to the chain queue here. (Insert-if-missing followed by a
 * separate UPDATE would deadlock on InnoDB: a duplicate-key INSERT IGNORE takes a shared lock
 * that two appenders both hold before each waits for the other to upgrade it.)
 */
async function lockChainHead(
  mysql: boolean,
  db: StoreContext['db'],
  table: string,
  chainKey: string,
): Promise<AuditChainHead> {
  const insert = db.insertInto(table).values({ chain_key: chainKey, seq: 1, hash: '' });
  let row: { seq: unknown; hash: string } | undefined;
  if (mysql) {
    await insert.onDuplicateKeyUpdate({ seq: sql`seq + 1` }).execute();
    // a locking read sees the latest committed head even under REPEATABLE READ
    row = await db
      .selectFrom(table)
      .select(['seq', 'hash'])
      .where('chain_key', '=', chainKey)
      .forUpdate()
      .executeTakeFirst();
  } else {
    row = await insert
      .onConflict((oc) => oc.column('chain_key').doUpdateSet({ seq: sql`${sql.ref(`${table}.seq`)} + 1` }))
      .returning(['seq', 'hash'])
      .executeTakeFirst();
  }
  if (!row) throw new Error(`audit chain head ${chainKey} vanished while locked`);
  return { seq: Number(row.seq) - 1, hash: row.hash };
}

function toAuditEvent(row: Row, codec: ColumnCodec): AuditEvent {
  return {
    id: row.id,
    tenantId: row.tenant_id ?? null,
    chainKey: row.chain_key,
    seq: codec.fromInteger(row.seq),
    actorType: row.actor_type,
    actorId: row.actor_id ?? null,
    impersonatorId: row.impersonator_id ?? null,
    action: row.action,
    targetType: row.target_type ?? null,
    targetId: row.target_id ?? null,
    ip: row.ip ?? null,
    userAgent: row.user_agent ?? null,
    requestId: row.request_id ?? null,
    data: codec.fromJson(row.data),
    createdAt: codec.fromDate(row.created_at),
    prevHash: row.prev_hash,
    hash: row.hash,
  };
}
