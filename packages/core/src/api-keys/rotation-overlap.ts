import type { StorageStores } from '../ports/storage.js';
import { type ApiKey, apiKeyState } from './api-keys.js';

/** The stores a rotation's overlap is read and ended in (a transaction's). */
type OverlapStores = Pick<StorageStores, 'apiKeys'>;

/**
 * The other key of a rotation's overlap `key` is in (its successor while it overlaps, or its
 * predecessor still overlapping), read in `tx`; null when it is in none. The two share one credit
 * count: the predecessor spends its successor's.
 */
export async function overlapPartner(tx: OverlapStores, key: ApiKey, now: Date): Promise<ApiKey | null> {
  if (key.successorId !== null) {
    return apiKeyState(key, now) === 'overlapping'
      ? tx.apiKeys.findById(key.tenantId, key.successorId)
      : null;
  }
  if (key.predecessorId === null) return null;
  const predecessor = await tx.apiKeys.findById(key.tenantId, key.predecessorId);
  return predecessor?.successorId === key.id && apiKeyState(predecessor, now) === 'overlapping'
    ? predecessor
    : null;
}

/**
 * Ends the overlap of the predecessor of `key` (being rotated, revoked, or reported leaked) when
 * it still runs, by revoking it (`superseded`) in `tx`: a predecessor spends its successor's
 * credits, so it must not outlive it, and at most two keys of a lineage work at once. Returns the
 * predecessor's id when it revoked it, else null.
 */
export async function endPredecessorOverlap(
  tx: OverlapStores,
  key: ApiKey,
  now: Date,
): Promise<string | null> {
  const predecessor = await overlapPartner(tx, { ...key, successorId: null }, now);
  if (!predecessor) return null;
  return (await tx.apiKeys.revoke(key.tenantId, predecessor.id, now, 'superseded')) ? predecessor.id : null;
}
