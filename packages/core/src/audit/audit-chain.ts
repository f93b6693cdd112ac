import { sha256Hex } from '../crypto/random.js';
import type { AuditChainHead, AuditEvent, AuditEventInput } from './audit.js';

/** JSON with object keys sorted at every level: the same event always hashes the same. */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value ?? null);
  if (value instanceof Date) return JSON.stringify(value.toISOString());
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  const entries = Object.entries(value as Record<string, unknown>)
    .filter(([, v]) => v !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
}

/** `hash = sha256(prevHash + "\n" + canonical(entry with its seq))`. */
export function sealAuditEvent(head: AuditChainHead, event: AuditEventInput): string {
  return sha256Hex(`${head.hash}\n${canonicalJson(hashedFields(event, head.seq + 1))}`);
}

function hashedFields(event: AuditEventInput, seq: number) {
  return {
    id: event.id,
    tenantId: event.tenantId,
    chainKey: event.chainKey,
    seq,
    actorType: event.actorType,
    actorId: event.actorId,
    impersonatorId: event.impersonatorId,
    action: event.action,
    targetType: event.targetType,
    targetId: event.targetId,
    ip: event.ip,
    userAgent: event.userAgent,
    requestId: event.requestId,
    data: event.data,
    createdAt: event.createdAt.getTime(),
  };
}

export interface AuditChainVerification {
  valid: boolean;
  /** Entries checked. */
  checked: number;
  /** The first entry whose hash or link does not match, when invalid. */
  brokenAtSeq?: number;
}

/** Recomputes every link of a chain; any edited, removed or reordered entry breaks it. */
export async function verifyAuditEvents(
  readPage: (afterSeq: number, limit: number) => Promise<AuditEvent[]>,
): Promise<AuditChainVerification> {
  let head: AuditChainHead = { seq: 0, hash: '' };
  let checked = 0;
  for (;;) {
    const page = await readPage(head.seq, 500);
    for (const event of page) {
      const expected = sealAuditEvent(head, event);
      if (event.seq !== head.seq + 1 || event.prevHash !== head.hash || event.hash !== expected) {
        return { valid: false, checked, brokenAtSeq: head.seq + 1 };
      }
      head = { seq: event.seq, hash: event.hash };
      checked += 1;
    }
    if (page.length < 500) return { valid: true, checked };
  }
}
