import type { AuditEvent, AuditEventInput } from './audit.js';
import type { auditSealParts, sealAuditEvent } from './audit-chain.js';

export interface AuditQuery {
  limit: number;
  /** Return entries with `seq` below this (newest-first paging). */
  beforeSeq?: number | undefined;
  action?: string | undefined;
}

/** The audit slice of the storage port. Append-only: there is no update or delete. */
export interface AuditStore {
  /**
   * Appends at the end of the event's chain (`event.chainKey`): locks the chain head, sets
   * `seq = head.seq + 1` and `prevHash = head.hash`, seals `hash` as {@link sealAuditEvent} does
   * (in SQL from {@link auditSealParts}, or by calling it), inserts and advances the head.
   * Concurrent appends to one chain serialize: seqs are gap-free and unique. Call it on a
   * transaction's stores so the entry commits with the change it records; a store may defer the
   * write to the end of that transaction (the entry is read back with `list`/`listChain`).
   */
  append(event: AuditEventInput): Promise<void>;
  /** Entries of the chain (a tenant id for a tenant's log), newest first. */
  list(chainKey: string, query: AuditQuery): Promise<AuditEvent[]>;
  /** Entries of the chain with `seq > afterSeq`, oldest first, for verification. */
  listChain(chainKey: string, afterSeq: number, limit: number): Promise<AuditEvent[]>;
}
