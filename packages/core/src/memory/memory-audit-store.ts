import type { AuditChainHead, AuditEvent } from '../audit/audit.js';
import { sealAuditEvent } from '../audit/audit-chain.js';
import type { AuditStore } from '../audit/audit-store.js';
import { conflict, copy, type MemoryTables, type RunOperation, type TableWriter } from './memory-tables.js';

/** The audit store over memory tables (see `memory-tables.ts` for the conventions). */
export function memoryAuditStore(tables: MemoryTables, writer: TableWriter, run: RunOperation): AuditStore {
  const chainOf = (chainKey: string) => tables.auditChains.get(chainKey) ?? [];
  return {
    append: (input) =>
      run(() => {
        if (tables.auditChainById.has(input.id)) throw conflict('audit: id exists');
        const chainKey = input.chainKey;
        const chain = tables.auditChains.get(chainKey);
        const last = chain?.at(-1);
        const head: AuditChainHead = last ? { seq: last.seq, hash: last.hash } : { seq: 0, hash: '' };
        const hash = sealAuditEvent(head, input);
        const entry: AuditEvent = { ...copy(input), seq: head.seq + 1, prevHash: head.hash, hash };
        if (chain) writer.push(chain, entry);
        else writer.set(tables.auditChains, chainKey, [entry]);
        writer.set(tables.auditChainById, entry.id, chainKey);
      }),
    list: (tenantId, query) =>
      run(() => {
        const chain = chainOf(tenantId);
        const entries: AuditEvent[] = [];
        for (let i = chain.length - 1; i >= 0 && entries.length < query.limit; i--) {
          const entry = chain[i]!;
          if (query.beforeSeq !== undefined && entry.seq >= query.beforeSeq) continue;
          if (query.action !== undefined && entry.action !== query.action) continue;
          entries.push(copy(entry));
        }
        return entries;
      }),
    listChain: (tenantId, afterSeq, limit) =>
      run(() => {
        // seq n sits at index n - 1, so the entries after `afterSeq` start at index `afterSeq`
        const start = Math.max(0, Math.floor(afterSeq));
        return chainOf(tenantId)
          .slice(start, start + Math.max(0, limit))
          .map(copy);
      }),
  };
}
