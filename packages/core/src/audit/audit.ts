export type ActorType = 'user' | 'api_key' | 'client' | 'system' | 'anonymous';

/** Who did something. `impersonatorId` is set when an admin acts as the user. */
export interface Actor {
  type: ActorType;
  id: string | null;
  impersonatorId?: string | null;
}

/**
 * One entry of the append-only audit log. Entries of one chain form a hash chain:
 * `hash = sha256(prevHash + canonical(entry))`. See {@link auditChainKey} for the chains.
 */
export interface AuditEvent {
  id: string;
  tenantId: string | null;
  /** The chain the entry belongs to: see {@link auditChainKey}. */
  chainKey: string;
  /** Position in the chain, from 1. */
  seq: number;
  actorType: ActorType;
  actorId: string | null;
  impersonatorId: string | null;
  action: string;
  targetType: string | null;
  targetId: string | null;
  ip: string | null;
  userAgent: string | null;
  requestId: string | null;
  /** Redacted details: never secrets. */
  data: Record<string, unknown>;
  createdAt: Date;
  prevHash: string;
  hash: string;
}

/** What a caller supplies; the store assigns `seq`, `prevHash` and `hash`. */
export type AuditEventInput = Omit<AuditEvent, 'seq' | 'prevHash' | 'hash'>;

/** The end of a chain; `seq` 0 and `hash` '' before the first entry. */
export interface AuditChainHead {
  seq: number;
  hash: string;
}

/** The chain of events that belong to no tenant and no user (rare: system-wide operations). */
export const GLOBAL_AUDIT_CHAIN = '*';

/**
 * Which chain an event joins: its tenant's; for an event outside any tenant, its subject user's
 * own chain (`user:<id>`: sign-ins, password changes, session revocations); otherwise the global
 * chain. Partitioning keeps appends of unrelated users from queueing on one chain head.
 */
export function auditChainKey(scope: { tenantId?: string | null; userId?: string | null }): string {
  if (scope.tenantId) return scope.tenantId;
  if (scope.userId) return `user:${scope.userId}`;
  return GLOBAL_AUDIT_CHAIN;
}
