import type { CallContext } from '../call-context.js';
import { uuidv7 } from '../crypto/uuid.js';
import type { OutboxEvent } from '../outbox/outbox.js';
import type { Clock } from '../ports/clock.js';
import type { StorageStores } from '../ports/storage.js';
import { type Actor, auditChainKey } from './audit.js';

/** A state change to record: an audit entry and, usually, an outbox event. */
export interface Change {
  tenantId: string | null;
  /** Audit action and outbox event type, e.g. `session.revoked`. */
  action: string;
  target?: { type: string; id: string };
  /** Redacted details for the audit log: never secrets. */
  data?: Record<string, unknown>;
  /** Outbox payload; `false` to record an audit entry only. Default: `data` plus the target. */
  event?: Record<string, unknown> | false;
  /** Override the actor of the context (e.g. the new user at sign-up). */
  actor?: CallContext['actor'];
}

/**
 * Writes the audit entry and the outbox event of a change on the transaction's stores, so they
 * commit with the change itself or not at all (DESIGN §4.4).
 */
export async function recordChange(
  tx: StorageStores,
  clock: Clock,
  context: CallContext,
  change: Change,
): Promise<void> {
  const now = clock.now();
  const actor = change.actor ?? context.actor ?? { type: 'system', id: null };
  const subjectUserId =
    change.target?.type === 'user' ? change.target.id : actor.type === 'user' ? actor.id : null;
  // the outbox row first: the audit append locks its chain head, so it goes last and the lock
  // is held for as short a time as the transaction allows
  if (change.event !== false)
    await tx.outbox.enqueue(outboxEvent(change, actor, now, context.requestId ?? null));
  await tx.audit.append({
    id: uuidv7(now.getTime()),
    tenantId: change.tenantId,
    chainKey: auditChainKey({ tenantId: change.tenantId, userId: subjectUserId }),
    actorType: actor.type,
    actorId: actor.id,
    impersonatorId: actor.impersonatorId ?? null,
    action: change.action,
    targetType: change.target?.type ?? null,
    targetId: change.target?.id ?? null,
    ip: context.ip ?? null,
    userAgent: context.userAgent ?? null,
    requestId: context.requestId ?? null,
    data: change.data ?? {},
    createdAt: now,
  });
}

function outboxEvent(change: Change, actor: Actor, now: Date, requestId: string | null): OutboxEvent {
  return {
    id: uuidv7(now.getTime()),
    tenantId: change.tenantId,
    type: change.action,
    payload: {
      ...(change.target ? { [`${change.target.type}Id`]: change.target.id } : {}),
      ...(change.event || change.data || {}),
      actor: { type: actor.type, id: actor.id },
      occurredAt: now.toISOString(),
    },
    requestId,
    status: 'pending',
    attempts: 0,
    createdAt: now,
    availableAt: now,
    lockedUntil: null,
    lastError: null,
    deliveredAt: null,
  };
}
