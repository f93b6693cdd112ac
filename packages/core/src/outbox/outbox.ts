export type OutboxStatus = 'pending' | 'processing' | 'delivered' | 'dead';

/**
 * An event written in the same transaction as the change it describes, delivered afterwards
 * (at least once) by the dispatcher.
 */
export interface OutboxEvent {
  id: string;
  tenantId: string | null;
  /** Dotted name, e.g. `user.created`, `session.revoked`. */
  type: string;
  payload: Record<string, unknown>;
  /** The request that wrote it (the `x-request-id` of its audit rows and log lines), if any. */
  requestId: string | null;
  status: OutboxStatus;
  attempts: number;
  createdAt: Date;
  /** Not claimable before this time (backoff). */
  availableAt: Date;
  /** While `processing`: the claim is the claimer's until then, after which it may be reclaimed. */
  lockedUntil: Date | null;
  lastError: string | null;
  deliveredAt: Date | null;
}
