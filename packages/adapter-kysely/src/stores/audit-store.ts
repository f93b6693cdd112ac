import {
  type AuditChainHead,
  type AuditEvent,
  type AuditEventInput,
  type AuditQuery,
  type AuditStore,
  auditSealParts,
  sealAuditEvent,
} from '@portcullis/core/ports';
import { CompiledQuery } from 'kysely';
import type { ColumnCodec } from '../column-codec.js';
import type { Row } from '../kysely-types.js';
import type { DeferredWrite } from './deferred-write.js';
import { identifierQuoter, insertRow } from './insert-row.js';
import { inTransaction, type StoreContext } from './store-context.js';
import { executeWrites } from './write-behind.js';

export class KyselyAuditStore implements AuditStore {
  constructor(private readonly ctx: StoreContext) {}

  async append(event: AuditEventInput): Promise<void> {
    const { dialect, writeBehind } = this.ctx;
    if (dialect === 'postgres') {
      const write = appendInOneStatement(this.ctx, event);
      if (writeBehind) return writeBehind.defer(write);
      return executeWrites(this.ctx.db, [write]);
    }
    return this.inTurn(() => this.appendLocked(event));
  }

  /**
   * Appends of one transaction run in turn: the head lock holds back other transactions, not
   * this one's own concurrent calls, which would otherwise both read the head before either
   * advanced it.
   */
  private turn: Promise<unknown> = Promise.resolve();

  private inTurn(append: () => Promise<void>): Promise<void> {
    if (!this.ctx.db.isTransaction) return append();
    const mine = this.turn.then(append, append);
    this.turn = mine.catch(() => undefined);
    return mine;
  }

  private appendLocked(event: AuditEventInput): Promise<void> {
    const { dialect } = this.ctx;
    return inTransaction(this.ctx, async ({ db, tables, codec }) => {
      const { chainKey } = event;
      const quote = identifierQuoter(dialect);
      const heads = quote(tables.auditChainHeads);
      const head = await lockChainHead(dialect === 'mysql', db, heads, chainKey);
      const entry: AuditEvent = {
        ...event,
        seq: head.seq + 1,
        prevHash: head.hash,
        hash: sealAuditEvent(head, event),
      };
      await insertRow({ db, dialect }, tables.auditEvents, auditEventRow(entry, codec));
      await db.executeQuery(
        CompiledQuery.raw(
          `update ${heads} set ${quote('hash')} = ?, ${quote('prev_hash')} = ? where ${quote('chain_key')} = ?`,
          [entry.hash, entry.prevHash, chainKey],
        ),
      );
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
 * PostgreSQL: claims the chain's next position, seals the entry and inserts it in one statement.
 * The head upsert takes the head row's lock (concurrent appends to the chain queue on it, and
 * ON CONFLICT works on the latest committed head even under an older snapshot), keeps the old
 * hash as `prev_hash` and seals with `sha256` exactly as {@link sealAuditEvent} does; the
 * entry's insert reads seq and both hashes from the upsert's RETURNING.
 */
function appendInOneStatement(ctx: StoreContext, event: AuditEventInput): DeferredWrite {
  const { tables, codec } = ctx;
  const { before, after } = auditSealParts(event);
  const {
    seq: _seq,
    prev_hash: _prev,
    hash: _hash,
    ...row
  } = auditEventRow({ ...event, seq: 0, prevHash: '', hash: '' }, codec);
  const columns = Object.keys(row);
  const heads = `"${tables.auditChainHeads}"`;
  return {
    exclusiveKey: `audit:${event.chainKey}`,
    // chain key, the first entry's sealed text, and the text around seq for every later one
    parameters: [event.chainKey, `\n${before}1${after}`, `\n${before}`, after, ...Object.values(row)],
    ctes: (name, p) => {
      const head = `"${name}_head"`;
      const values = columns.map((_, i) => `$${p + 4 + i}`);
      return `${head} as (insert into ${heads} ("chain_key", "seq", "prev_hash", "hash")
  values ($${p}, 1, '', encode(sha256(convert_to($${p + 1}, 'UTF8')), 'hex'))
  on conflict ("chain_key") do update set "seq" = ${heads}."seq" + 1, "prev_hash" = ${heads}."hash",
    "hash" = encode(sha256(convert_to(${heads}."hash" || $${p + 2} || (${heads}."seq" + 1)::text || $${p + 3}, 'UTF8')), 'hex')
  returning "seq", "prev_hash", "hash"),
"${name}" as (insert into "${tables.auditEvents}" (${columns.map((c) => `"${c}"`).join(', ')}, "seq", "prev_hash", "hash")
  values (${values.join(', ')}, (select "seq" from ${head}), (select "prev_hash" from ${head}), (select "hash" from ${head})))`;
    },
  };
}

/**
 * MySQL and SQLite: claims the next position of the chain and returns the head before it (`heads`
 * is the quoted table name). One
 * upsert creates the head on the chain's first entry or bumps `seq`, which takes the head row's
 * write lock until the transaction ends: concurrent appends to the chain queue here.
 * (Insert-if-missing followed by a separate UPDATE would deadlock on InnoDB: a duplicate-key
 * INSERT IGNORE takes a shared lock that two appenders both hold before each waits for the
 * other to upgrade it.)
 */
async function lockChainHead(
  mysql: boolean,
  db: StoreContext['db'],
  heads: string,
  chainKey: string,
): Promise<AuditChainHead> {
  let row: { seq: unknown; hash: string } | undefined;
  if (mysql) {
    await db.executeQuery(
      CompiledQuery.raw(
        `insert into ${heads} (\`chain_key\`, \`seq\`, \`hash\`, \`prev_hash\`) values (?, 1, '', '') on duplicate key update \`seq\` = \`seq\` + 1`,
        [chainKey],
      ),
    );
    // a locking read sees the latest committed head even under REPEATABLE READ
    const { rows } = await db.executeQuery<{ seq: unknown; hash: string }>(
      CompiledQuery.raw(`select \`seq\`, \`hash\` from ${heads} where \`chain_key\` = ? for update`, [
        chainKey,
      ]),
    );
    row = rows[0];
  } else {
    const { rows } = await db.executeQuery<{ seq: unknown; hash: string }>(
      CompiledQuery.raw(
        `insert into ${heads} ("chain_key", "seq", "hash", "prev_hash") values (?, 1, '', '') on conflict ("chain_key") do update set "seq" = ${heads}."seq" + 1 returning "seq", "hash"`,
        [chainKey],
      ),
    );
    row = rows[0];
  }
  if (!row) throw new Error(`audit chain head ${chainKey} vanished while locked`);
  return { seq: Number(row.seq) - 1, hash: row.hash };
}

function auditEventRow(entry: AuditEvent, codec: ColumnCodec): Row {
  return {
    id: entry.id,
    tenant_id: entry.tenantId,
    chain_key: entry.chainKey,
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
  };
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
