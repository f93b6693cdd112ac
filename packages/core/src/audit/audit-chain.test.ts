import { describe, expect, it } from 'vitest';
import type { AuditEvent, AuditEventInput } from './audit.js';
import { auditSealParts, canonicalJson, sealAuditEvent, verifyAuditEvents } from './audit-chain.js';

function chain(n: number): AuditEvent[] {
  const events: AuditEvent[] = [];
  let head = { seq: 0, hash: '' };
  for (let i = 0; i < n; i++) {
    const input: AuditEventInput = {
      id: `e${i}`,
      tenantId: 't1',
      chainKey: 't1',
      actorType: 'user',
      actorId: 'u1',
      impersonatorId: null,
      action: 'thing.done',
      targetType: null,
      targetId: null,
      ip: '127.0.0.1',
      userAgent: null,
      requestId: null,
      data: { i, nested: { b: 1, a: 2 } },
      createdAt: new Date(1_700_000_000_000 + i),
    };
    const hash = sealAuditEvent(head, input);
    events.push({ ...input, seq: head.seq + 1, prevHash: head.hash, hash });
    head = { seq: head.seq + 1, hash };
  }
  return events;
}

const reader = (events: AuditEvent[]) => async (afterSeq: number, limit: number) =>
  events.filter((e) => e.seq > afterSeq).slice(0, limit);

describe('audit hash chain', () => {
  it('canonical JSON sorts keys at every level', () => {
    expect(canonicalJson({ b: 1, a: { d: [1, { z: 1, y: 2 }], c: null } })).toBe(
      '{"a":{"c":null,"d":[1,{"y":2,"z":1}]},"b":1}',
    );
  });

  it('seals as sha256(prevHash + newline + canonical entry with its seq), the format chains were written in', () => {
    const entry: AuditEventInput = {
      id: 'e1',
      tenantId: null,
      chainKey: 'user:x',
      actorType: 'user',
      actorId: 'u',
      impersonatorId: null,
      action: 'a.b',
      targetType: 'user',
      targetId: 'u',
      ip: '::1',
      userAgent: 'Ünï 🧾',
      requestId: null,
      data: { seq: 0, z: [1, { b: 2, a: 'x' }] },
      createdAt: new Date(1_700_000_000_123),
    };
    // computed by the seal before the canonical text was split around seq
    expect(sealAuditEvent({ seq: 41, hash: 'abc' }, entry)).toBe(
      '952f7d944eaf208d2502a93c5a89e6523cf8388ec499509b77ad67431a47467d',
    );
    const { before, after } = auditSealParts(entry);
    const { chainKey, ...rest } = entry;
    expect(`${before}42${after}`).toBe(
      canonicalJson({ ...rest, chainKey, createdAt: entry.createdAt.getTime(), seq: 42 }),
    );
  });

  it('verifies an intact chain', async () => {
    expect(await verifyAuditEvents(reader(chain(5)))).toEqual({ valid: true, checked: 5 });
  });

  it('detects an entry whose prevHash does not name the entry before it, though its own hash is intact', async () => {
    // a store that recorded the wrong link: the seal is over the true predecessor, the link is not
    const relinked = chain(4);
    relinked[2] = { ...relinked[2]!, prevHash: relinked[0]!.hash };
    expect(await verifyAuditEvents(reader(relinked))).toMatchObject({ valid: false, brokenAtSeq: 3 });
  });

  it('detects an edited, a removed and a reordered entry', async () => {
    const edited = chain(5);
    edited[2] = { ...edited[2]!, data: { i: 99 } };
    expect(await verifyAuditEvents(reader(edited))).toMatchObject({ valid: false, brokenAtSeq: 3 });

    const removed = chain(5).filter((e) => e.seq !== 4);
    expect(await verifyAuditEvents(reader(removed))).toMatchObject({ valid: false, brokenAtSeq: 4 });

    const swapped = chain(5);
    [swapped[1], swapped[2]] = [swapped[2]!, swapped[1]!];
    expect((await verifyAuditEvents(async (after, limit) => swapped.slice(after, after + limit))).valid).toBe(
      false,
    );
  });
});
