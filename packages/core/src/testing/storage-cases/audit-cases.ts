import { describe, expect } from 'vitest';
import type { AuditEvent, AuditEventInput } from '../../audit/audit.js';
import { sealAuditEvent } from '../../audit/audit-chain.js';
import { uuidv7 } from '../../crypto/uuid.js';
import {
  anAuditEvent,
  aTenant,
  caught,
  expectVerifiedChain,
  later,
  type StorageCases,
} from '../storage-fixtures.js';

export function auditCases({ it, storage }: StorageCases): void {
  async function createTenant() {
    const tenant = aTenant();
    await storage().tenants.create(tenant);
    return tenant;
  }

  /** Appends events one after another and reads them back as stored. */
  async function appendAll(events: AuditEventInput[]) {
    for (const event of events) await storage().audit.append(event);
    return readBack(events);
  }

  /** The stored entries of `events`, in their order (the whole of each chain is read). */
  async function readBack(events: AuditEventInput[]): Promise<AuditEvent[]> {
    const byId = new Map<string, AuditEvent>();
    for (const chainKey of new Set(events.map((event) => event.chainKey))) {
      for (let afterSeq = 0; ; ) {
        const page = await storage().audit.listChain(chainKey, afterSeq, 500);
        for (const entry of page) byId.set(entry.id, entry);
        if (page.length < 500) break;
        afterSeq = page.at(-1)!.seq;
      }
    }
    return events.map((event) => {
      const entry = byId.get(event.id);
      if (!entry) throw new Error(`audit entry ${event.id} was not stored`);
      return entry;
    });
  }

  describe('audit', () => {
    it('appends the first entry of a chain at seq 1 and links each next entry to the previous hash', async () => {
      const tenant = await createTenant();
      const first = anAuditEvent(tenant.id, {
        actorType: 'user',
        actorId: uuidv7(),
        impersonatorId: uuidv7(),
        action: 'member.roles_changed',
        targetType: 'membership',
        targetId: uuidv7(),
        ip: '2001:db8::1',
        userAgent: 'curl/8.5 (Ünïcødé 🧾)',
        requestId: uuidv7(),
        data: {
          before: ['member'],
          after: ['admin'],
          note: 'früh',
          nested: { n: 1.5, ok: true, none: null },
        },
        createdAt: new Date('2024-09-10T11:12:13.014Z'),
      });
      const second = anAuditEvent(tenant.id, {
        actorType: 'system',
        actorId: null,
        createdAt: later(first.createdAt, 1),
      });

      await storage().audit.append(first);
      await storage().audit.append(second);

      // sealed exactly as sealAuditEvent seals, whether the store hashes in SQL or in JavaScript
      const firstHash = sealAuditEvent({ seq: 0, hash: '' }, first);
      expect(await storage().audit.listChain(tenant.id, 0, 10)).toEqual([
        { ...first, seq: 1, prevHash: '', hash: firstHash },
        { ...second, seq: 2, prevHash: firstHash, hash: sealAuditEvent({ seq: 1, hash: firstHash }, second) },
      ]);
    });

    it('keeps one chain per chain key: per tenant, per user outside tenants, and a global one', async () => {
      const [a, b] = [await createTenant(), await createTenant()];
      const [a1, a2] = await appendAll([anAuditEvent(a.id), anAuditEvent(a.id)]);
      const [b1] = await appendAll([anAuditEvent(b.id)]);

      expect([a1!.seq, a2!.seq, b1!.seq]).toEqual([1, 2, 1]);
      expect(b1!.prevHash).toBe('');
      expect(await storage().audit.list(a.id, { limit: 10 })).toEqual([a2, a1]);
      expect(await storage().audit.list(b.id, { limit: 10 })).toEqual([b1]);

      // the global chain is shared with whatever else uses this database: check only the links
      const [global] = await appendAll([
        anAuditEvent(null, { action: 'system.keys_rotated', actorType: 'system' }),
      ]);
      expect(global!.seq).toBeGreaterThanOrEqual(1);
      expect(await storage().audit.listChain('*', global!.seq - 1, 1)).toEqual([global]);
      if (global!.seq > 1) {
        const [previous] = await storage().audit.listChain('*', global!.seq - 2, 1);
        expect(global!.prevHash).toBe(previous!.hash);
      }

      // a user's own events outside any tenant chain under `user:<id>`, apart from everything else
      const userChain = `user:${uuidv7()}`;
      const [u1, u2] = await appendAll([
        anAuditEvent(null, { chainKey: userChain }),
        anAuditEvent(null, { chainKey: userChain, action: 'session.revoked' }),
      ]);
      expect([u1!.seq, u2!.seq]).toEqual([1, 2]);
      expect(u1!.chainKey).toBe(userChain);
      expect(await storage().audit.list(userChain, { limit: 10 })).toEqual([u2, u1]);
      expectVerifiedChain(await storage().audit.listChain(userChain, 0, 10));
    });

    it('lists a chain newest first, filtered by action and paged by beforeSeq', async () => {
      const tenant = await createTenant();
      const start = new Date();
      const actions = [
        'user.signed_in',
        'user.signed_out',
        'user.signed_in',
        'user.signed_out',
        'user.signed_in',
      ];
      const entries = await appendAll(
        actions.map((action, i) => anAuditEvent(tenant.id, { action, createdAt: later(start, i) })),
      );
      const [e1, e2, e3, e4, e5] = entries;

      expect(await storage().audit.list(tenant.id, { limit: 10 })).toEqual([e5, e4, e3, e2, e1]);
      expect(await storage().audit.list(tenant.id, { limit: 2 })).toEqual([e5, e4]);
      expect(await storage().audit.list(tenant.id, { limit: 10, beforeSeq: 4 })).toEqual([e3, e2, e1]);
      expect(await storage().audit.list(tenant.id, { limit: 10, action: 'user.signed_in' })).toEqual([
        e5,
        e3,
        e1,
      ]);
      expect(
        await storage().audit.list(tenant.id, { limit: 1, beforeSeq: 5, action: 'user.signed_in' }),
      ).toEqual([e3]);
      expect(await storage().audit.list(tenant.id, { limit: 10, action: 'tenant.deleted' })).toEqual([]);
      expect(await storage().audit.list(aTenant().id, { limit: 10 })).toEqual([]);
    });

    it('lists a chain after a seq, oldest first, for verification', async () => {
      const tenant = await createTenant();
      const start = new Date();
      const entries = await appendAll(
        [0, 1, 2, 3, 4].map((i) => anAuditEvent(tenant.id, { createdAt: later(start, i) })),
      );

      expect(await storage().audit.listChain(tenant.id, 0, 2)).toEqual(entries.slice(0, 2));
      expect(await storage().audit.listChain(tenant.id, 2, 10)).toEqual(entries.slice(2));
      expect(await storage().audit.listChain(tenant.id, 5, 10)).toEqual([]);
      expectVerifiedChain(await storage().audit.listChain(tenant.id, 0, 10));
    });

    it('leaves no gap in the chain when an append is rolled back with its transaction', async () => {
      const tenant = await createTenant();
      const [first] = await appendAll([anAuditEvent(tenant.id)]);
      const failure = new Error('roll back');
      const error = await caught(() =>
        storage().transaction(async (tx) => {
          await tx.audit.append(anAuditEvent(tenant.id));
          throw failure;
        }),
      );
      expect(error).toBe(failure);
      const [next] = await appendAll([anAuditEvent(tenant.id)]);

      expect(next).toMatchObject({ seq: 2, prevHash: first!.hash });
      expectVerifiedChain(await storage().audit.listChain(tenant.id, 0, 10));
    });

    it('20 concurrent appends to one tenant in transactions get seqs 1 to 20 and the chain verifies', async () => {
      const tenant = await createTenant();
      const start = new Date();
      const events = Array.from({ length: 20 }, (_, i) =>
        anAuditEvent(tenant.id, { createdAt: later(start, i) }),
      );

      await Promise.all(events.map((event) => storage().transaction((tx) => tx.audit.append(event))));

      const appended = await readBack(events);
      expect(appended.map((entry) => entry.seq).sort((x, y) => x - y)).toEqual(
        Array.from({ length: 20 }, (_, i) => i + 1),
      );
      const chain = await storage().audit.listChain(tenant.id, 0, 100);
      expect(chain).toHaveLength(20);
      expectVerifiedChain(chain);
    });
  });
}
