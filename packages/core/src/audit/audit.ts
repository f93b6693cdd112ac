export type ActorType = 'user' | 'api_key' | 'client' | 'system' | 'anonymous';

/** Who did something. `impersonatorId` is set when an admin acts as the user. */
export interface Actor {
  type: ActorType;
  id: string | null;
  impersonatorId?: string | null;
}

/**
 * One entry of the append-only audit log. Entries of one tenant (or of the global chain, for
 * events with no tenant) form a hash chain: `hash = sha256(prevHash + canonical(entry))`.
 */
export interface AuditEvent {
  id: string;
  tenantId: string | null;
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
