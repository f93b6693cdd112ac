import {
  type AuditChainHead,
  type AuditEvent,
  type AuditEventInput,
  type AuditQuery,
  type AuditStore,
  sealAuditEvent,
} from '@portcullis/core/ports';
import { and, asc, desc, eq, gt, lt, sql } from 'drizzle-orm';
import { onDuplicateKeyUpdate } from './dialect-queries.js';
import type { StoreContext } from './store-context.js';

export class DrizzleAuditStore implements AuditStore {
  constructor(private readonly ctx: StoreContext) {}

  append(event: AuditEventInput): Promise<void> {
    if (!this.ctx.inTransaction) return this.appendLocked(event);
    // appends of one transaction run in turn: the head lock holds back other transactions, not
    // this one's own concurrent calls, which would otherwise both read the head before either
    // advanced it
    const mine = this.turn.then(
      () => this.appendLocked(event),
      () => this.appendLocked(event),
    );
    this.turn = mine.catch(() => undefined);
    return mine;
  }

  private turn: Promise<unknown> = Promise.resolve();

  private appendLocked(event: AuditEventInput): Promise<void> {
    return this.ctx.transaction(async (ctx) => {
      const { db, tables } = ctx;
      const head = await lockChainHead(ctx, event.chainKey);
      const entry: AuditEvent = {
        ...event,
        seq: head.seq + 1,
        prevHash: head.hash,
        hash: sealAuditEvent(head, event),
      };
      await db.insert(tables.auditEvents).values({
        id: entry.id,
        tenantId: entry.tenantId,
        chainKey: entry.chainKey,
        seq: entry.seq,
        actorType: entry.actorType,
        actorId: entry.actorId,
        impersonatorId: entry.impersonatorId,
        action: entry.action,
        targetType: entry.targetType,
        targetId: entry.targetId,
        ip: entry.ip,
        userAgent: entry.userAgent,
        requestId: entry.requestId,
        data: entry.data,
        createdAt: entry.createdAt,
        prevHash: entry.prevHash,
        hash: entry.hash,
      });
      await db
        .update(tables.auditChainHeads)
        .set({ hash: entry.hash, prevHash: entry.prevHash })
        .where(eq(tables.auditChainHeads.chainKey, entry.chainKey));
    });
  }

  async list(chainKey: string, query: AuditQuery): Promise<AuditEvent[]> {
    const { db, tables } = this.ctx;
    const { auditEvents } = tables;
    return db
      .select()
      .from(auditEvents)
      .where(
        and(
          eq(auditEvents.chainKey, chainKey),
          query.beforeSeq === undefined ? undefined : lt(auditEvents.seq, query.beforeSeq),
          query.action === undefined ? undefined : eq(auditEvents.action, query.action),
        ),
      )
      .orderBy(desc(auditEvents.seq))
      .limit(query.limit);
  }

  async listChain(chainKey: string, afterSeq: number, limit: number): Promise<AuditEvent[]> {
    const { db, tables } = this.ctx;
    const { auditEvents } = tables;
    return db
      .select()
      .from(auditEvents)
      .where(and(eq(auditEvents.chainKey, chainKey), gt(auditEvents.seq, afterSeq)))
      .orderBy(asc(auditEvents.seq))
      .limit(limit);
  }
}

/**
 * Claims the next position of the chain and returns the head before it. One upsert creates the
 * head on the chain's first entry or bumps `seq`, which takes the head row's write lock until the
 * transaction ends: concurrent appends to the chain queue here. (Insert-if-missing followed by a
 * separate UPDATE would deadlock on InnoDB: a duplicate-key INSERT IGNORE takes a shared lock
 * that two appenders both hold before each waits for the other to upgrade it.)
 */
async function lockChainHead(ctx: StoreContext, chainKey: string): Promise<AuditChainHead> {
  const { db, tables, dialect } = ctx;
  const heads = tables.auditChainHeads;
  const insert = db.insert(heads).values({ chainKey, seq: 1, hash: '', prevHash: '' });
  const bump = { seq: sql`${heads.seq} + 1` };
  let row: { seq: number; hash: string } | undefined;
  if (dialect === 'mysql') {
    await onDuplicateKeyUpdate(insert, bump);
    // a locking read sees the latest committed head even under REPEATABLE READ
    [row] = await db
      .select({ seq: heads.seq, hash: heads.hash })
      .from(heads)
      .where(eq(heads.chainKey, chainKey))
      .for('update');
  } else {
    [row] = await insert
      .onConflictDoUpdate({ target: heads.chainKey, set: bump })
      .returning({ seq: heads.seq, hash: heads.hash });
  }
  if (!row) throw new Error(`audit chain head ${chainKey} vanished while locked`);
  return { seq: row.seq - 1, hash: row.hash };
}
