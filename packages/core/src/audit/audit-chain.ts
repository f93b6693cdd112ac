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

/**
 * An entry's canonical text around its `seq`, which only the store knows: the sealed text is
 * `before + seq + after`. A store that claims the chain position inside SQL (PostgreSQL: one
 * statement that locks the head and inserts) seals there from these parts, as
 * `sha256(prevHash + "\n" + before + seq + after)`, so both ways give the same hash.
 */
export interface AuditSealParts {
  before: string;
  after: string;
}

/** Splits the entry's canonical JSON around `seq` (a top-level key; the rest sort around it). */
export function auditSealParts(event: AuditEventInput): AuditSealParts {
  const entries = Object.entries(hashedFields(event))
    .filter(([, value]) => value !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([key, value]) => ({ key, text: `${JSON.stringify(key)}:${canonicalJson(value)}` }));
  const before = entries.filter(({ key }) => key < 'seq').map(({ text }) => `${text},`);
  const after = entries.filter(({ key }) => key > 'seq').map(({ text }) => `,${text}`);
  return { before: `{${before.join('')}"seq":`, after: `${after.join('')}}` };
}

/** `hash = sha256(prevHash + "\n" + canonical(entry with its seq))`. */
export function sealAuditEvent(head: AuditChainHead, event: AuditEventInput): string {
  const { before, after } = auditSealParts(event);
  return sha256Hex(`${head.hash}\n${before}${head.seq + 1}${after}`);
}

/** What the seal covers: every field of the entry but its own links (`seq` is spliced in). */
function hashedFields(event: AuditEventInput) {
  return {
    id: event.id,
    tenantId: event.tenantId,
    chainKey: event.chainKey,
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
